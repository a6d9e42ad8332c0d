//! The only module that knows JSON: request envelopes are decoded here into
//! typed requests (borrowing from the body where it can), signals are
//! decoded in `wire::signals`, and every response body is encoded here.
//!
//! Decoding reads each known field as a raw slice first and types it second,
//! so a wrong type is reported with the field's name, as the contract asks.

use std::borrow::Cow;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::signals::Signals;
use reader::{Kind, Reader, Syntax};
use signals::SignalsError;

pub mod reader;
pub mod signals;

/// Longest userId the contract allows, in bytes.
pub const MAX_USER_ID: usize = 256;
/// Longest `action`, in bytes.
pub const MAX_ACTION: usize = 64;

pub struct VerifyRequest<'a> {
    pub user_id: Cow<'a, str>,
    pub signals: Option<Signals>,
    pub action: Option<Cow<'a, str>>,
    pub explain: bool,
}

pub struct SessionRequest<'a> {
    pub user_id: Cow<'a, str>,
    pub session_token: Cow<'a, str>,
    pub signals: Option<Signals>,
}

pub struct TokenVerifyRequest<'a> {
    pub token: Cow<'a, str>,
    pub user_id: Option<Cow<'a, str>>,
    pub action: Option<Cow<'a, str>>,
    pub consume: bool,
}

pub struct CreateKeyRequest<'a> {
    pub plan: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub kind: Option<Cow<'a, str>>,
    pub origins: Vec<String>,
    pub monthly_limit: Option<u64>,
    pub burst_per_minute: Option<u32>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    pub account: Option<Cow<'a, str>>,
}

pub struct ChallengeCreateRequest<'a> {
    pub user_id: Cow<'a, str>,
}

pub struct ChallengeVerifyRequest<'a> {
    pub challenge_id: Cow<'a, str>,
    pub answer: Cow<'a, str>,
    pub signals: Option<Signals>,
}

pub struct CreateWebhookRequest<'a> {
    pub url: Cow<'a, str>,
    pub events: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct CreateKeyRaw<'a> {
    #[serde(borrow)]
    plan: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    origins: Option<&'a RawValue>,
    #[serde(borrow)]
    monthly_limit: Option<&'a RawValue>,
    #[serde(borrow)]
    burst_per_minute: Option<&'a RawValue>,
    #[serde(borrow)]
    expires_at: Option<&'a RawValue>,
    #[serde(borrow)]
    account: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CreateWebhookRaw<'a> {
    #[serde(borrow)]
    url: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Option<&'a RawValue>,
}

pub fn parse_verify(body: &[u8]) -> Result<VerifyRequest<'_>, ApiError> {
    let (mut user_id, mut session, mut alias, mut action, mut explain) = (None, None, None, None, None);
    fields(
        body,
        ["userId", "sessionData", "signals", "action", "explain"],
        |i, r| {
            match i {
                0 => user_id = scalar(r)?,
                1 => session = signals_value(r)?,
                // `signals` is the seed's name in verifyWithSignals; `sessionData` wins.
                2 => alias = signals_value(r)?,
                3 => action = scalar(r)?,
                _ => explain = scalar(r)?,
            }
            Ok(())
        },
    )?;
    let user_id = user_id_of(user_id, "userId")?;
    let signals = signals_of(session.or(alias))?;
    let action = str_of(action, "action")?;
    if let Some(a) = &action {
        if a.is_empty()
            || a.len() > MAX_ACTION
            || !a
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/' || b == b'-')
        {
            return Err(ApiError::InvalidRequest(
                "action must be 1 to 64 characters of [A-Za-z0-9_/-], e.g. \"signup\".".into(),
            ));
        }
    }
    let explain = bool_of(explain, "explain")?.unwrap_or(false);
    Ok(VerifyRequest {
        user_id,
        signals,
        action,
        explain,
    })
}

pub fn parse_session(body: &[u8]) -> Result<SessionRequest<'_>, ApiError> {
    let (mut user_id, mut token, mut session) = (None, None, None);
    fields(body, ["userId", "sessionToken", "sessionData"], |i, r| {
        match i {
            0 => user_id = scalar(r)?,
            1 => token = scalar(r)?,
            _ => session = signals_value(r)?,
        }
        Ok(())
    })?;
    Ok(SessionRequest {
        user_id: user_id_of(user_id, "userId")?,
        session_token: req_str_of(token, "sessionToken")?,
        signals: signals_of(session)?,
    })
}

pub fn parse_token_verify(body: &[u8]) -> Result<TokenVerifyRequest<'_>, ApiError> {
    let (mut token, mut user_id, mut action, mut consume) = (None, None, None, None);
    fields(body, ["token", "userId", "action", "consume"], |i, r| {
        match i {
            0 => token = scalar(r)?,
            1 => user_id = scalar(r)?,
            2 => action = scalar(r)?,
            _ => consume = scalar(r)?,
        }
        Ok(())
    })?;
    Ok(TokenVerifyRequest {
        token: req_str_of(token, "token")?,
        user_id: str_of(user_id, "userId")?,
        action: str_of(action, "action")?,
        consume: bool_of(consume, "consume")?.unwrap_or(false),
    })
}

pub fn parse_create_key(body: &[u8]) -> Result<CreateKeyRequest<'_>, ApiError> {
    let raw: CreateKeyRaw = envelope(body)?;
    let expires_at = match opt_str(raw.expires_at, "expires_at")? {
        None => None,
        Some(s) => Some(
            OffsetDateTime::parse(&s, &Rfc3339)
                .map_err(|_| {
                    ApiError::InvalidRequest(format!(
                        "expires_at must be an RFC 3339 time like \"2026-12-31T00:00:00Z\"; got \"{s}\"."
                    ))
                })?
                .unix_timestamp(),
        ),
    };
    Ok(CreateKeyRequest {
        plan: req_str(raw.plan, "plan")?,
        name: opt_str(raw.name, "name")?.unwrap_or(Cow::Borrowed("")),
        kind: opt_str(raw.kind, "kind")?,
        origins: opt_typed::<Vec<String>>(raw.origins, "origins", "an array of strings")?.unwrap_or_default(),
        monthly_limit: opt_typed(raw.monthly_limit, "monthly_limit", "a non-negative whole number")?,
        burst_per_minute: opt_typed(raw.burst_per_minute, "burst_per_minute", "a non-negative whole number")?,
        expires_at,
        account: opt_str(raw.account, "account")?,
    })
}

pub fn parse_challenge_create(body: &[u8]) -> Result<ChallengeCreateRequest<'_>, ApiError> {
    let mut user_id = None;
    fields(body, ["userId"], |_, r| {
        user_id = scalar(r)?;
        Ok(())
    })?;
    Ok(ChallengeCreateRequest {
        user_id: user_id_of(user_id, "userId")?,
    })
}

pub fn parse_challenge_verify(body: &[u8]) -> Result<ChallengeVerifyRequest<'_>, ApiError> {
    let (mut id, mut answer, mut session) = (None, None, None);
    fields(body, ["challenge_id", "answer", "sessionData"], |i, r| {
        match i {
            0 => id = scalar(r)?,
            1 => answer = scalar(r)?,
            _ => session = signals_value(r)?,
        }
        Ok(())
    })?;
    Ok(ChallengeVerifyRequest {
        challenge_id: req_str_of(id, "challenge_id")?,
        answer: req_str_of(answer, "answer")?,
        signals: signals_of(session)?,
    })
}

pub fn parse_create_webhook(body: &[u8]) -> Result<CreateWebhookRequest<'_>, ApiError> {
    let raw: CreateWebhookRaw = envelope(body)?;
    Ok(CreateWebhookRequest {
        url: req_str(raw.url, "url")?,
        events: opt_typed::<Vec<String>>(raw.events, "events", "an array of event names")?,
    })
}

/// The checks every envelope starts with: a body, and an object.
fn object_body(body: &[u8]) -> Result<(), ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_none() {
        return Err(ApiError::InvalidRequest(
            "The request body is empty; send a JSON object.".into(),
        ));
    }
    if first != Some(&b'{') {
        return Err(ApiError::InvalidRequest(
            "The request body must be a JSON object.".into(),
        ));
    }
    Ok(())
}

/// Decodes an envelope with serde (the operator's requests, off the hot path).
fn envelope<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    object_body(body)?;
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidRequest(format!("The request body is not valid JSON ({e}).")))
}

fn not_json(e: Syntax) -> ApiError {
    ApiError::InvalidRequest(format!("The request body is not valid JSON ({}).", e.describe()))
}

/// Reads an envelope in one pass (the hot path: `sessionData` is decoded
/// where it lies instead of being delimited first). `read` gets the index
/// in `names` of each known key with the reader at its value and must
/// consume the value; unknown keys are skipped, a known key given twice is
/// refused. The whole body must be JSON before any field is judged.
fn fields<'a, const N: usize>(
    body: &'a [u8],
    names: [&str; N],
    mut read: impl FnMut(usize, &mut Reader<'a>) -> Result<(), Syntax>,
) -> Result<(), ApiError> {
    object_body(body)?;
    let mut r = Reader::new(body);
    r.peek();
    r.begin_object();
    let mut seen = [false; N];
    let mut first = true;
    while let Some(key) = r.next_key(first).map_err(not_json)? {
        first = false;
        match names.iter().position(|n| *n == key) {
            Some(i) if std::mem::replace(&mut seen[i], true) => {
                return Err(ApiError::InvalidRequest(format!(
                    "{} appears more than once in the request body; send it once.",
                    names[i]
                )))
            }
            Some(i) => read(i, &mut r).map_err(not_json)?,
            None => r.skip().map_err(not_json)?,
        }
    }
    r.end().map_err(not_json)
}

/// A field's value read for later judging: the envelope reports syntax
/// first and field errors in a fixed order after the whole pass.
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    /// Valid JSON of some other type.
    Other,
}

/// `null` is absent, as serde has it for optional fields.
fn scalar<'a>(r: &mut Reader<'a>) -> Result<Option<Scalar<'a>>, Syntax> {
    Ok(Some(match r.peek() {
        Kind::Null => {
            r.null()?;
            return Ok(None);
        }
        Kind::String => Scalar::Str(r.string()?),
        Kind::Bool => Scalar::Bool(r.boolean()?),
        _ => {
            r.skip()?;
            Scalar::Other
        }
    }))
}

/// `sessionData`: decoded in place; a field error is kept (the value is
/// then skipped whole) so that the rest of the body is still checked.
fn signals_value(r: &mut Reader) -> Result<Option<Result<Signals, SignalsError>>, Syntax> {
    if r.null()? {
        return Ok(None);
    }
    let start = r.pos();
    match signals::decode_at(r) {
        Ok(s) => Ok(Some(Ok(s))),
        Err(signals::Fail::Syntax(e)) => Err(e),
        Err(signals::Fail::Field(e)) => {
            r.rewind(start);
            r.skip()?;
            Ok(Some(Err(e)))
        }
    }
}

fn signals_of(v: Option<Result<Signals, SignalsError>>) -> Result<Option<Signals>, ApiError> {
    v.transpose().map_err(|e| ApiError::InvalidSignals(e.message))
}

fn user_id_of<'a>(v: Option<Scalar<'a>>, field: &str) -> Result<Cow<'a, str>, ApiError> {
    let s = req_str_of(v, field)?;
    if s.is_empty() || s.len() > MAX_USER_ID {
        return Err(ApiError::InvalidRequest(format!(
            "{field} must be a non-empty string of at most {MAX_USER_ID} bytes."
        )));
    }
    Ok(s)
}

fn req_str_of<'a>(v: Option<Scalar<'a>>, field: &str) -> Result<Cow<'a, str>, ApiError> {
    str_of(v, field)?.ok_or_else(|| ApiError::InvalidRequest(format!("{field} is required.")))
}

fn str_of<'a>(v: Option<Scalar<'a>>, field: &str) -> Result<Option<Cow<'a, str>>, ApiError> {
    match v {
        None => Ok(None),
        Some(Scalar::Str(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::InvalidRequest(format!("{field} must be a string."))),
    }
}

fn bool_of(v: Option<Scalar>, field: &str) -> Result<Option<bool>, ApiError> {
    match v {
        None => Ok(None),
        Some(Scalar::Bool(b)) => Ok(Some(b)),
        Some(_) => Err(ApiError::InvalidRequest(format!("{field} must be true or false."))),
    }
}

fn req_str<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Cow<'a, str>, ApiError> {
    opt_str(raw, field)?.ok_or_else(|| ApiError::InvalidRequest(format!("{field} is required.")))
}

fn opt_str<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Option<Cow<'a, str>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    // Strings without escapes borrow from the body; the rest are unescaped.
    if let Ok(s) = serde_json::from_str::<&'a str>(raw.get()) {
        return Ok(Some(Cow::Borrowed(s)));
    }
    serde_json::from_str::<String>(raw.get())
        .map(|s| Some(Cow::Owned(s)))
        .map_err(|_| ApiError::InvalidRequest(format!("{field} must be a string.")))
}

fn opt_typed<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    field: &str,
    what: &str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    serde_json::from_str(raw.get())
        .map(Some)
        .map_err(|_| ApiError::InvalidRequest(format!("{field} must be {what}.")))
}

// ---------------------------------------------------------------- responses

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    error: &'a str,
}

pub fn error_body(code: &str, message: &str) -> Bytes {
    encode(&ErrorBody { code, error: message })
}

#[derive(Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub weight: f64,
}

#[derive(Serialize)]
pub struct Agent {
    pub is_agent: bool,
    pub agent_confidence: f64,
    pub signals: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct VerifyResponse<'a> {
    pub human: bool,
    pub confidence: f64,
    pub score: u8,
    pub token: &'a str,
    pub pii_stored: bool,
    pub notes: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<Reason>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
}

#[derive(Serialize)]
pub struct SessionResponse {
    pub score: u8,
    pub confidence: f64,
    pub baseline: u8,
    pub delta: i32,
    pub anomaly: bool,
    pub action: &'static str,
    pub notes: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct TokenVerifyResponse<'a> {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Serialize)]
pub struct CreatedKey<'a> {
    pub id: &'a str,
    pub key: &'a str,
    pub kind: &'static str,
    pub plan: &'static str,
    pub name: &'a str,
    pub account: &'a str,
    pub origins: &'a [String],
    pub created_at: String,
    pub expires_at: Option<String>,
}

#[derive(Serialize)]
pub struct ListedKey<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub plan: &'static str,
    pub name: &'a str,
    pub account: &'a str,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
    pub usage_this_month: u64,
}

#[derive(Serialize)]
pub struct KeyList<'a> {
    pub keys: Vec<ListedKey<'a>>,
}

#[derive(Serialize)]
pub struct ListedWebhook<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    pub active: bool,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct WebhookList<'a> {
    pub webhooks: Vec<ListedWebhook<'a>>,
}

#[derive(Serialize)]
pub struct CreatedWebhook<'a> {
    pub id: &'a str,
    pub secret: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    pub active: bool,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct ClickTarget<'a> {
    pub id: &'a str,
    pub x: u8,
    pub y: u8,
    pub label: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum ChallengePayload<'a> {
    ClickTargets {
        instruction: &'a str,
        targets: Vec<ClickTarget<'a>>,
    },
    Pattern {
        instruction: &'a str,
        grid: u8,
        sequence_hint: &'a [u8],
    },
}

#[derive(Serialize)]
pub struct ChallengeCreated<'a> {
    pub challenge_id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub payload: ChallengePayload<'a>,
    pub expires_in_seconds: u64,
}

#[derive(Serialize)]
pub struct ChallengeAnswer<'a> {
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u8>,
}

/// The body of a webhook delivery, fields in the contract's order.
#[derive(Serialize)]
pub struct WebhookEvent<'a> {
    pub id: &'a str,
    pub event: &'a str,
    pub user_id: &'a str,
    pub human: bool,
    pub confidence: f64,
    pub score: u8,
    pub token: &'a str,
    pub timestamp: String,
}

/// Encodes a response body. Serialising our own plain structs cannot fail.
pub fn encode<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("response types always serialise"))
}

/// RFC 3339 in UTC, as every timestamp in the API.
pub fn rfc3339(unix_secs: i64) -> String {
    rfc3339_ms(unix_secs.saturating_mul(1000))
}

pub fn rfc3339_ms(unix_ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// RFC 3339 in UTC with exactly three fraction digits,
/// `2026-05-25T21:00:00.000Z`, as in webhook bodies.
pub fn rfc3339_millis(unix_ms: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into())
}

/// The confidence as answered: rounded to two decimals.
pub fn round2(x: f32) -> f64 {
    ((x as f64) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify_err(body: &str) -> ApiError {
        match parse_verify(body.as_bytes()) {
            Ok(_) => panic!("accepted {body}"),
            Err(e) => e,
        }
    }

    #[test]
    fn envelope_errors_name_the_field() {
        for (body, needle) in [
            ("", "empty"),
            ("[]", "JSON object"),
            ("{", "not valid JSON"),
            ("{}", "userId is required"),
            (r#"{"userId": 5}"#, "userId must be a string"),
            (r#"{"userId": ""}"#, "userId must be a non-empty"),
            (r#"{"userId": "u", "action": "a b"}"#, "action must be"),
            (r#"{"userId": "u", "explain": "yes"}"#, "explain must be"),
        ] {
            let e = verify_err(body);
            assert_eq!(e.code(), "INVALID_REQUEST", "{body}");
            assert!(e.message().contains(needle), "{body}: {}", e.message());
        }
        let long = format!(r#"{{"userId": "{}"}}"#, "x".repeat(257));
        assert_eq!(verify_err(&long).code(), "INVALID_REQUEST");
        let max = format!(r#"{{"userId": "{}"}}"#, "x".repeat(256));
        assert!(parse_verify(max.as_bytes()).is_ok());
    }

    #[test]
    fn one_pass_keeps_the_order_of_errors() {
        // The body is JSON before any field is judged: broken text inside
        // sessionData is the body's fault.
        let e = verify_err(r#"{"userId": "u", "sessionData": {"v": 1, "dur": [1,}}"#);
        assert_eq!(e.code(), "INVALID_REQUEST", "{}", e.message());
        assert!(e.message().contains("not valid JSON"), "{}", e.message());
        // A broken window and a broken userId: the userId is named first,
        // as when the envelope was decoded before the window.
        let e = verify_err(r#"{"sessionData": {"v": 2, "dur": 1}, "userId": 5}"#);
        assert_eq!(e.code(), "INVALID_REQUEST");
        assert!(e.message().contains("userId must be a string"), "{}", e.message());
        // ... and text after a refused window is still checked.
        let e = verify_err(r#"{"userId": "u", "sessionData": {"v": 2, "dur": 1}, "x": [1,]}"#);
        assert_eq!(e.code(), "INVALID_REQUEST", "{}", e.message());
        let e = verify_err(r#"{"userId": "u", "sessionData": {"v": 2, "dur": 1}}"#);
        assert_eq!(e.code(), "INVALID_SIGNALS");
        assert!(e.message().starts_with("sessionData.v must be 1"), "{}", e.message());
        for body in [
            r#"{"userId": "u"} x"#,
            r#"{"userId": "u",}"#,
            r#"{"userId" "u"}"#,
            r#"{"userId": "u", "a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["#,
        ] {
            let e = verify_err(body);
            assert_eq!(e.code(), "INVALID_REQUEST", "{body}");
            assert!(e.message().contains("not valid JSON"), "{body}: {}", e.message());
        }
        let e = verify_err(r#"{"userId": "u", "userId": "v"}"#);
        assert!(e.message().contains("userId appears more than once"), "{}", e.message());
    }

    #[test]
    fn sessiondata_wins_over_signals_and_null_is_absent() {
        let body = br#"{"userId":"u","signals":{"v":1,"dur":1,"m":[0,1,1]},"sessionData":{"v":1,"dur":2}}"#;
        assert_eq!(parse_verify(body).unwrap().signals.unwrap().dur, 2.0);
        let body = br#"{"userId":"u","sessionData":null,"signals":{"v":1,"dur":3}}"#;
        assert_eq!(parse_verify(body).unwrap().signals.unwrap().dur, 3.0);
        let body = br#"{"userId":"u","action":null,"explain":null,"sessionData":null}"#;
        let r = parse_verify(body).unwrap();
        assert!(r.signals.is_none() && r.action.is_none() && !r.explain);
        let body = br#"{"userId":"u","sessionToken":"t","sessionData":{"v":1,"dur":1,"m":[0,5,6]}}"#;
        assert_eq!(parse_session(body).unwrap().signals.unwrap().m, [0.0, 5.0, 6.0]);
        let body = br#"{"challenge_id":"c","answer":"a","sessionData":{"v":1,"dur":1}}"#;
        assert!(parse_challenge_verify(body).unwrap().signals.is_some());
        let body = br#"{"token":"t","consume":true}"#;
        assert!(parse_token_verify(body).unwrap().consume);
        let e = parse_token_verify(br#"{"token":"t","consume":"yes"}"#).err().unwrap();
        assert!(e.message().contains("consume must be true or false"), "{}", e.message());
    }

    #[test]
    fn unknown_fields_are_ignored_and_strings_borrow() {
        let body = br#"{"userId": "user_1", "extra": {"deep": [1, 2]}, "action": "login"}"#;
        let r = parse_verify(body).unwrap();
        assert!(matches!(r.user_id, Cow::Borrowed("user_1")));
        assert_eq!(r.action.as_deref(), Some("login"));
        assert!(r.signals.is_none());
        let escaped = br#"{"userId": "a\u00e9b"}"#;
        assert_eq!(parse_verify(escaped).unwrap().user_id, "a\u{e9}b");
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(1_716_840_000_123), "2024-05-27T20:00:00.123Z");
        assert_eq!(rfc3339_millis(1_716_840_000_000), "2024-05-27T20:00:00.000Z");
        assert_eq!(rfc3339_millis(1_716_840_000_100), "2024-05-27T20:00:00.100Z");
    }
}
