//! A JSON reader over the request bytes for the hot path: one forward pass,
//! strings borrowed from the body unless they hold escapes, numbers parsed
//! in place (a correctly rounded fast path for the short decimals the
//! snippet sends, `str::parse` for the rest), unknown values skipped with a
//! bounded depth. It knows JSON's grammar and nothing of our fields; the
//! decoders in `wire` and `wire::signals` give the fields their meaning.
//!
//! Grammar is RFC 8259, strictly: no trailing commas, no leading zeros,
//! no bare control characters in strings, UTF-8 checked in every string.

use std::borrow::Cow;

/// How deeply nested an ignored value may be: the same as serde_json's
/// default recursion limit.
pub const MAX_DEPTH: usize = 128;

/// Text that is not JSON: what was expected and at which byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Syntax {
    pub at: usize,
    pub what: &'static str,
}

impl Syntax {
    /// A sentence fragment such as `expected ',' or '}' at byte 17`.
    pub fn describe(&self) -> String {
        format!("{} at byte {}", self.what, self.at)
    }
}

/// What the next value is, judged by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
    /// Not the start of any JSON value (or the end of the text).
    Invalid,
}

pub struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// The run of ASCII digits at `b[i..]` appended to `mant` (wrapping past
/// 19 digits, where the caller takes the slow path): where it ends, and
/// the new mantissa.
#[inline(always)]
fn decimal_digits(b: &[u8], mut i: usize, mut mant: u64) -> (usize, u64) {
    while let Some(&c) = b.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        mant = mant.wrapping_mul(10).wrapping_add(d as u64);
        i += 1;
    }
    (i, mant)
}

/// Powers of ten for combining the integer and fraction digits.
const POW10_INT: [u64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// The run of ASCII digits at `b[i..]` read eight bytes at a time (SWAR):
/// its value and length, when fewer than eight digits lead an eight-byte
/// chunk; `None` when fewer than eight bytes are left or all eight are
/// digits (the caller then takes the general path).
#[inline(always)]
fn digits8(b: &[u8], i: usize) -> Option<(u64, usize)> {
    let chunk: [u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
    let w = u64::from_le_bytes(chunk);
    let n = digit_run(w);
    if n == 8 {
        return None;
    }
    Some((digits_value(w, n), n))
}

/// A number at `b[i..]` of 1–7 integer digits (no leading zero) and
/// optionally '.' and 1–7 fraction digits, straight followed by ',' or ']':
/// its value, the position of that byte, and the byte. `None` for anything
/// else, and within 8 bytes of the end of the text. Exact: at most 14
/// digits fit in 53 bits, and one division by an exact power of ten rounds
/// correctly.
#[inline(always)]
fn unsigned_short(b: &[u8], i: usize) -> Option<(f64, usize, u8)> {
    let w = u64::from_le_bytes(b.get(i..i + 8)?.try_into().ok()?);
    let n = digit_run(w);
    if !(1..8).contains(&n) || (n > 1 && w as u8 == b'0') {
        return None;
    }
    let int = digits_value(w, n);
    let sep = (w >> (8 * n)) as u8;
    if sep == b',' || sep == b']' {
        return Some((int as f64, i + n, sep));
    }
    if sep != b'.' {
        return None;
    }
    let j = i + n + 1;
    let w = u64::from_le_bytes(b.get(j..j + 8)?.try_into().ok()?);
    let m = digit_run(w);
    let sep = (w >> (8 * (m & 7))) as u8;
    if !(1..8).contains(&m) || !(sep == b',' || sep == b']') {
        return None;
    }
    // Below 10^14, so the signed conversion is exact (and one instruction).
    let mant = (int * POW10_INT[m] + digits_value(w, m)) as i64;
    Some((mant as f64 / POW10[m], j + m, sep))
}

/// How many ASCII digits lead the little-endian word `w` (0–8).
#[inline(always)]
fn digit_run(w: u64) -> usize {
    // A byte is a digit iff its high nibble is 3 and adding 6 keeps it 3.
    // A carry out of a byte only starts at a non-digit byte (≥ 0xFA) and
    // only reaches later bytes, so the first non-digit is found exactly.
    const HI: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let t = (w & HI) | ((w.wrapping_add(0x0606_0606_0606_0606) & HI) >> 4);
    let other = t ^ 0x3333_3333_3333_3333;
    (other.trailing_zeros() / 8) as usize
}

/// The value of the `n` (< 8) leading digits of `w`.
#[inline(always)]
fn digits_value(w: u64, n: usize) -> u64 {
    if n == 0 {
        return 0;
    }
    // The n digits to the top of the word (zero bytes become leading
    // zeros), then the classic three multiply steps for eight digits.
    let v = (w << (8 * (8 - n))) & 0x0F0F_0F0F_0F0F_0F0F;
    let v = (v.wrapping_mul(10 << 8 | 1) >> 8) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100 << 16 | 1) >> 16) & 0x0000_FFFF_0000_FFFF;
    v.wrapping_mul(10_000 << 32 | 1) >> 32
}

impl<'a> Reader<'a> {
    pub fn new(b: &'a [u8]) -> Self {
        Reader { b, i: 0 }
    }

    /// Byte offset of the cursor.
    pub fn pos(&self) -> usize {
        self.i
    }

    /// Moves the cursor back to a position it has been at.
    pub fn rewind(&mut self, pos: usize) {
        self.i = pos;
    }

    pub fn len(&self) -> usize {
        self.b.len()
    }

    pub fn is_empty(&self) -> bool {
        self.b.is_empty()
    }

    fn err(&self, what: &'static str) -> Syntax {
        Syntax { at: self.i, what }
    }

    /// A syntax error at the cursor.
    pub fn syntax(&self, what: &'static str) -> Syntax {
        self.err(what)
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.i += 1;
        }
    }

    /// Skips whitespace and tells what comes next.
    #[inline]
    pub fn peek(&mut self) -> Kind {
        self.ws();
        match self.b.get(self.i) {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Invalid,
        }
    }

    /// Whitespace, then the end of the text.
    pub fn end(&mut self) -> Result<(), Syntax> {
        self.ws();
        if self.i == self.b.len() {
            Ok(())
        } else {
            Err(self.err("unexpected text after the value"))
        }
    }

    fn literal(&mut self, word: &'static [u8], what: &'static str) -> Result<(), Syntax> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err(what))
        }
    }

    /// Consumes `null` if it comes next; leaves anything else in place.
    pub fn null(&mut self) -> Result<bool, Syntax> {
        if self.peek() != Kind::Null {
            return Ok(false);
        }
        self.literal(b"null", "expected null").map(|()| true)
    }

    /// Reads `true` or `false`; the caller has seen `Kind::Bool`.
    pub fn boolean(&mut self) -> Result<bool, Syntax> {
        if self.b[self.i] == b't' {
            self.literal(b"true", "expected true").map(|()| true)
        } else {
            self.literal(b"false", "expected false").map(|()| false)
        }
    }

    /// Reads a number; the caller has seen `Kind::Number`. Numbers beyond
    /// `f64` become infinite, which the callers refuse by name.
    #[inline]
    pub fn number(&mut self) -> Result<f64, Syntax> {
        let b = self.b;
        let start = self.i;
        let neg = b.get(start) == Some(&b'-');
        let int_start = start + neg as usize;
        let (mut i, mut mant) = decimal_digits(b, int_start, 0);
        let mut digits = i - int_start;
        if digits == 0 {
            self.i = i;
            return Err(self.err("expected a digit"));
        }
        if digits > 1 && b[int_start] == b'0' {
            self.i = int_start;
            return Err(self.err("a number must not start with 0"));
        }
        let mut exp: i64 = 0;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            (i, mant) = decimal_digits(b, i, mant);
            if i == frac_start {
                self.i = i;
                return Err(self.err("expected a digit after '.'"));
            }
            digits += i - frac_start;
            exp = -((i - frac_start) as i64);
        }
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            let eneg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let exp_start = i;
            let mut e: i64 = 0;
            while let Some(&c) = b.get(i) {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                e = (e * 10 + d as i64).min(1 << 40);
                i += 1;
            }
            if i == exp_start {
                self.i = i;
                return Err(self.err("expected a digit in the exponent"));
            }
            exp += if eneg { -e } else { e };
        }
        self.i = i;
        // Clinger's fast path: an exact mantissa times an exact power of
        // ten, one correctly rounded operation.
        if digits <= 19 && mant <= 1 << 53 && (-22..=22).contains(&exp) {
            let m = mant as f64;
            let v = if exp >= 0 {
                m * POW10[exp as usize]
            } else {
                m / POW10[(-exp) as usize]
            };
            return Ok(if neg { -v } else { v });
        }
        // The grammar was checked above and the slice is ASCII.
        let text = std::str::from_utf8(&b[start..i]).map_err(|_| self.err("expected a number"))?;
        text.parse::<f64>().map_err(|_| self.err("expected a number"))
    }

    /// Reads a string; the caller has seen `Kind::String`. Borrows from the
    /// text unless the string holds escapes.
    pub fn string(&mut self) -> Result<Cow<'a, str>, Syntax> {
        let b = self.b;
        self.i += 1;
        let start = self.i;
        let mut i = start;
        loop {
            match b.get(i) {
                Some(b'"') => {
                    let s = std::str::from_utf8(&b[start..i]).map_err(|_| Syntax {
                        at: start,
                        what: "a string must be UTF-8",
                    })?;
                    self.i = i + 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(&c) if c < 0x20 => {
                    self.i = i;
                    return Err(self.err("a control character must be escaped in a string"));
                }
                Some(_) => i += 1,
                None => {
                    self.i = i;
                    return Err(self.err("unterminated string"));
                }
            }
        }
        let mut out = Vec::with_capacity(i - start + 16);
        out.extend_from_slice(&b[start..i]);
        self.i = i;
        loop {
            match b.get(self.i) {
                Some(b'"') => break,
                Some(b'\\') => {
                    self.i += 1;
                    self.escape(&mut out)?;
                }
                Some(&c) if c < 0x20 => return Err(self.err("a control character must be escaped in a string")),
                Some(&c) => {
                    out.push(c);
                    self.i += 1;
                }
                None => return Err(self.err("unterminated string")),
            }
        }
        self.i += 1;
        String::from_utf8(out).map(Cow::Owned).map_err(|_| Syntax {
            at: start,
            what: "a string must be UTF-8",
        })
    }

    /// One escape after the backslash, appended as UTF-8.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Syntax> {
        let c = *self.b.get(self.i).ok_or_else(|| self.err("unterminated string"))?;
        self.i += 1;
        let byte = match c {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let hi = self.hex4()?;
                let ch = if (0xd800..0xdc00).contains(&hi) {
                    if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                        return Err(self.err("a high surrogate must be followed by a low one"));
                    }
                    self.i += 2;
                    let lo = self.hex4()?;
                    if !(0xdc00..0xe000).contains(&lo) {
                        return Err(self.err("a high surrogate must be followed by a low one"));
                    }
                    char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
                } else {
                    char::from_u32(hi)
                };
                let ch = ch.ok_or_else(|| self.err("a lone surrogate is not a character"))?;
                out.extend_from_slice(ch.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => {
                self.i -= 1;
                return Err(self.err("unknown escape in a string"));
            }
        };
        out.push(byte);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, Syntax> {
        let digits = self
            .b
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("expected four hex digits"))?;
        let mut v = 0;
        for &d in digits {
            let x = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.err("expected four hex digits"))?;
            v = v * 16 + x;
        }
        self.i += 4;
        Ok(v)
    }

    /// Enters an object; the caller has seen `Kind::Object`.
    pub fn begin_object(&mut self) {
        self.i += 1;
    }

    /// The next key of an object, or `None` at its end. `first` is true for
    /// the first call after `begin_object`.
    pub fn next_key(&mut self, first: bool) -> Result<Option<Cow<'a, str>>, Syntax> {
        self.ws();
        match self.b.get(self.i) {
            Some(b'}') => {
                self.i += 1;
                return Ok(None);
            }
            Some(b',') if !first => {
                self.i += 1;
                self.ws();
            }
            _ if first => {}
            _ => return Err(self.err("expected ',' or '}'")),
        }
        if self.b.get(self.i) != Some(&b'"') {
            return Err(self.err("expected a string key"));
        }
        let key = self.string()?;
        self.ws();
        if self.b.get(self.i) != Some(&b':') {
            return Err(self.err("expected ':'"));
        }
        self.i += 1;
        Ok(Some(key))
    }

    /// Enters an array; the caller has seen `Kind::Array`.
    pub fn begin_array(&mut self) {
        self.i += 1;
    }

    /// Whether another element follows (consuming the ',' before it), or
    /// the array ends (consuming the ']').
    #[inline]
    pub fn next_element(&mut self, first: bool) -> Result<bool, Syntax> {
        self.ws();
        match self.b.get(self.i) {
            Some(b']') => {
                self.i += 1;
                Ok(false)
            }
            Some(b',') if !first => {
                self.i += 1;
                Ok(true)
            }
            _ if first => Ok(true),
            _ => Err(self.err("expected ',' or ']'")),
        }
    }

    /// Reads a flat array of numbers into `out`, the array's hot loop. The
    /// caller has seen `Kind::Array`. `max` caps the length; `reserve` is
    /// how many to make room for on the first number.
    #[inline]
    pub fn numbers(&mut self, out: &mut Vec<f64>, max: usize, reserve: usize) -> Result<(), NumbersError> {
        self.i += 1;
        if !self.next_element(true)? {
            return Ok(());
        }
        let b = self.b;
        loop {
            // Most numbers: 1–7 digits, maybe a '.' and 1–7 more, straight
            // followed by ',' or ']', read from one or two eight-byte loads
            // (the separator is the byte after the digits in the load).
            if let Some((x, end, sep)) = unsigned_short(b, self.i) {
                push_capped(out, x, max, reserve)?;
                self.i = end + 1;
                if sep == b']' {
                    return Ok(());
                }
                continue;
            }
            // Other short decimals straight followed by ',' or ']': without
            // the general path's checks (after any whitespace:
            // `JSON.stringify` sends none, Python's `json` a space after
            // each comma).
            self.ws();
            if let Some((x, end)) = self.short_decimal() {
                push_capped(out, x, max, reserve)?;
                self.i = end + 1;
                if self.b[end] == b']' {
                    return Ok(());
                }
                continue;
            }
            match self.peek() {
                Kind::Number => {}
                Kind::Invalid => return Err(self.err("expected a value").into()),
                _ => return Err(NumbersError::NotANumber(out.len())),
            }
            let x = self.number()?;
            push_capped(out, x, max, reserve)?;
            // The common separators without a call: "," or "]" straight
            // after the number.
            match self.b.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(());
                }
                _ => {
                    if !self.next_element(false)? {
                        return Ok(());
                    }
                }
            }
        }
    }

    /// A number of at most 7 integer and 7 fraction digits, no exponent,
    /// directly followed by ',' or ']', and the position of that byte;
    /// `None` for anything else (the general path then reads it, or reports
    /// what is wrong). Exact: the digits fit in 53 bits and one division by
    /// an exact power of ten rounds correctly.
    #[inline(always)]
    fn short_decimal(&self) -> Option<(f64, usize)> {
        let b = self.b;
        let neg = b.get(self.i) == Some(&b'-');
        let start = self.i + neg as usize;
        let (int, int_digits) = digits8(b, start)?;
        if int_digits == 0 || (int_digits > 1 && b[start] == b'0') {
            return None;
        }
        let mut i = start + int_digits;
        let (mut mant, mut frac_digits) = (int, 0);
        if b.get(i) == Some(&b'.') {
            let (frac, n) = digits8(b, i + 1)?;
            if n == 0 {
                return None;
            }
            mant = int * POW10_INT[n] + frac;
            frac_digits = n;
            i += 1 + n;
        }
        if !matches!(b.get(i), Some(b',' | b']')) {
            return None;
        }
        // Below 10^14, so the signed conversion is exact (and one instruction).
        let mut v = mant as i64 as f64;
        if frac_digits > 0 {
            v /= POW10[frac_digits];
        }
        Some((if neg { -v } else { v }, i))
    }

    /// Skips one value of any kind, nested at most [`MAX_DEPTH`] deep.
    pub fn skip(&mut self) -> Result<(), Syntax> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: usize) -> Result<(), Syntax> {
        match self.peek() {
            Kind::Object | Kind::Array if depth >= MAX_DEPTH => Err(self.err("nested too deeply")),
            Kind::Object => {
                self.begin_object();
                let mut first = true;
                while self.next_key(first)?.is_some() {
                    first = false;
                    self.skip_at(depth + 1)?;
                }
                Ok(())
            }
            Kind::Array => {
                self.begin_array();
                let mut first = true;
                while self.next_element(first)? {
                    first = false;
                    self.skip_at(depth + 1)?;
                }
                Ok(())
            }
            Kind::String => self.string().map(drop),
            Kind::Number => self.number().map(drop),
            Kind::Bool => self.boolean().map(drop),
            Kind::Null => self.literal(b"null", "expected null"),
            Kind::Invalid => Err(self.err("expected a value")),
        }
    }
}

/// Appends `x` unless `out` already holds `max`; on the first number makes
/// room for `reserve` (never past `max`), so the array does not grow again.
#[inline(always)]
fn push_capped(out: &mut Vec<f64>, x: f64, max: usize, reserve: usize) -> Result<(), NumbersError> {
    if out.len() == max {
        return Err(NumbersError::TooLong);
    }
    if out.len() == out.capacity() {
        let want = if out.is_empty() { reserve } else { out.len() * 2 }.clamp(1, max);
        out.reserve_exact(want - out.len());
    }
    out.push(x);
    Ok(())
}

/// Why [`Reader::numbers`] stopped.
#[derive(Debug, PartialEq)]
pub enum NumbersError {
    Syntax(Syntax),
    /// The element at this index is not a number.
    NotANumber(usize),
    /// One more number than `max`.
    TooLong,
}

impl From<Syntax> for NumbersError {
    fn from(e: Syntax) -> Self {
        NumbersError::Syntax(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Result<f64, Syntax> {
        let mut r = Reader::new(s.as_bytes());
        assert_eq!(r.peek(), Kind::Number, "{s}");
        let x = r.number()?;
        r.end()?;
        Ok(x)
    }

    #[test]
    fn numbers_match_std_and_follow_the_grammar() {
        for s in [
            "0",
            "-0",
            "7",
            "1234",
            "-15",
            "0.5",
            "1.25",
            "12.125",
            "3.14159",
            "1e3",
            "1E+3",
            "2.5e-3",
            "-1.5e2",
            "9007199254740993",
            "12345678901234567890",
            "0.1",
            "0.30000000000000004",
            "1e22",
            "1e23",
            "4.9e-324",
            "1.7976931348623157e308",
            "123456.789e-5",
        ] {
            assert_eq!(num(s).unwrap().to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        assert!(num("1e999").unwrap().is_infinite());
        for bad in ["-", "01", "1.", ".5", "1e", "1e+", "-a", "1.e3", "00"] {
            let mut r = Reader::new(bad.as_bytes());
            let ok = r.peek() == Kind::Number && r.number().is_ok() && r.end().is_ok();
            assert!(!ok, "{bad}");
        }
    }

    #[test]
    fn eight_byte_digit_runs() {
        for (text, want) in [
            ("1,......", Some((1, 1))),
            ("1234567]", Some((1_234_567, 7))),
            ("0042,...", Some((42, 4))),
            (",1234567", Some((0, 0))),
            ("12345678", None),
            ("123", None),
            ("98/:0000", Some((98, 2))),
        ] {
            assert_eq!(digits8(text.as_bytes(), 0), want, "{text:?}");
        }
        // Bytes that carry when 6 is added stop the run where they stand.
        assert_eq!(digits8(b"9\xff\xfa99999", 0), Some((9, 1)));
        assert_eq!(digits8(b"12\xfa\xff9999", 0), Some((12, 2)));
        // Every length and digit, against the plain reading.
        for n in 1..8 {
            for d in 0..10u8 {
                let mut text = vec![b'0' + d; n];
                text[0] = b'1' + (d % 9);
                text.extend_from_slice(b"]]]]]]]]");
                let plain: u64 = std::str::from_utf8(&text[..n]).unwrap().parse().unwrap();
                assert_eq!(digits8(&text, 0), Some((plain, n)));
            }
        }
    }

    #[test]
    fn strings_borrow_unless_escaped() {
        let mut r = Reader::new(br#""plain" "a\u00e9\n\"b\ud83d\ude00""#);
        assert!(matches!(r.string().unwrap(), Cow::Borrowed("plain")));
        assert_eq!(r.peek(), Kind::String);
        assert_eq!(r.string().unwrap(), "a\u{e9}\n\"b\u{1f600}");
        for bad in [
            &br#""abc"#[..],
            b"\"a\x01\"",
            br#""\x""#,
            br#""\ud800""#,
            br#""\u12""#,
            b"\"\xff\"",
        ] {
            let mut r = Reader::new(bad);
            assert!(r.string().is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn skip_is_strict_and_bounded() {
        for ok in [
            r#"{"a":[1,{"b":null}],"c":"x"}"#,
            "[]",
            "{}",
            " true ",
            "null",
            r#"[[[["x"]]]]"#,
        ] {
            let mut r = Reader::new(ok.as_bytes());
            r.skip().unwrap();
            r.end().unwrap();
        }
        for bad in [
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "[1 2]",
            "{1:2}",
            "tru",
            "nul",
            "[",
            "{\"a\":}",
        ] {
            let mut r = Reader::new(bad.as_bytes());
            assert!(r.skip().and_then(|()| r.end()).is_err(), "{bad}");
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = Reader::new(deep.as_bytes()).skip().unwrap_err();
        assert_eq!(e.what, "nested too deeply");
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        Reader::new(fine.as_bytes()).skip().unwrap();
    }

    #[test]
    fn number_arrays_stop_at_the_cap_and_name_the_index() {
        let mut out = Vec::new();
        let mut r = Reader::new(b"[1, 2 ,3]");
        r.numbers(&mut out, 3, 8).unwrap();
        assert_eq!(out, [1.0, 2.0, 3.0]);
        let mut out = Vec::new();
        assert_eq!(
            Reader::new(b"[1,2,3,4]").numbers(&mut out, 3, 8),
            Err(NumbersError::TooLong)
        );
        let mut out = Vec::new();
        assert_eq!(
            Reader::new(b"[1,2,\"3\"]").numbers(&mut out, 9, 8),
            Err(NumbersError::NotANumber(2))
        );
        let mut out = Vec::new();
        assert!(matches!(
            Reader::new(b"[1,2,]").numbers(&mut out, 9, 8),
            Err(NumbersError::Syntax(_))
        ));
        let mut out = Vec::new();
        Reader::new(b"[ ]").numbers(&mut out, 9, 8).unwrap();
        assert!(out.is_empty() && out.capacity() == 0);
    }

    proptest::proptest! {
        /// Arrays of number-like tokens (leading zeros, 1–10 digits on
        /// either side of a '.', signs, spaces), so that every branch of the
        /// eight-byte paths and of the general one meets its edges: an
        /// array is read iff serde_json reads it, and every value is the
        /// one `str::parse` gives, to the bit.
        #[test]
        fn number_arrays_read_like_serde_json_and_std(
            tokens in proptest::collection::vec(
                ("-?", "[0-9]{1,10}", proptest::option::of("[0-9]{0,10}"), "[ ]{0,1}"),
                0..12,
            ),
            tail in "[ \\]x]{0,2}",
        ) {
            let text: Vec<String> = tokens
                .iter()
                .map(|(sign, int, frac, ws)| match frac {
                    Some(f) => format!("{ws}{sign}{int}.{f}"),
                    None => format!("{ws}{sign}{int}"),
                })
                .collect();
            let json = format!("[{}]{tail}", text.join(","));
            let mut out = Vec::new();
            let mut r = Reader::new(json.as_bytes());
            let ours = r.numbers(&mut out, 64, 64).map(|()| r.pos());
            let theirs = serde_json::Deserializer::from_str(&json).into_iter::<Vec<f64>>().next().unwrap();
            match (ours, theirs) {
                (Ok(end), Ok(want)) => {
                    assert_eq!(&json[..end], json.split_inclusive(']').next().unwrap(), "{json}");
                    assert_eq!(out.len(), want.len(), "{json}");
                    for (got, t) in out.iter().zip(&text) {
                        assert_eq!(got.to_bits(), t.trim().parse::<f64>().unwrap().to_bits(), "{json}");
                    }
                }
                (Err(_), Err(_)) => {}
                (ours, theirs) => panic!("{json}: ours {ours:?}, serde_json {theirs:?}"),
            }
        }

        /// Long arrays: runs of short numbers broken by ones the
        /// eight-byte path leaves to the slower paths (negative, exponent,
        /// a space before, long), read whole or stopped at the cap — every
        /// value as `str::parse` gives it, `TooLong` exactly when the array
        /// holds more than `max`, and room made once when `reserve` covers
        /// it.
        #[test]
        fn long_arrays_mix_the_paths_and_stop_at_the_cap(
            kinds in proptest::collection::vec(0u8..20, 0..300),
            values in proptest::collection::vec(0u32..10_000_000, 300),
            max in 0usize..320,
        ) {
            let text: Vec<String> = kinds
                .iter()
                .zip(&values)
                .map(|(k, v)| match k {
                    0 => format!("-{v}"),
                    1 => format!("{v}e1"),
                    2 => format!(" {v}"),
                    3 => format!("{v}.{:07}", v % 9_999_999),
                    4 => format!("{v}{v}"),
                    _ => v.to_string(),
                })
                .collect();
            let json = format!("[{}]", text.join(","));
            let mut out = Vec::new();
            let got = Reader::new(json.as_bytes()).numbers(&mut out, max, text.len().min(max));
            if text.len() > max {
                assert_eq!(got, Err(NumbersError::TooLong), "{json}");
                assert_eq!(out.len(), max, "{json}");
            } else {
                assert_eq!(got, Ok(()), "{json}");
                assert_eq!(out.len(), text.len(), "{json}");
                assert!(text.is_empty() || out.capacity() == text.len(), "{json}");
            }
            for (x, t) in out.iter().zip(&text) {
                assert_eq!(x.to_bits(), t.trim().parse::<f64>().unwrap().to_bits(), "{json}");
            }
        }
    }
}
