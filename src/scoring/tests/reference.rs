//! The feature extraction as it was before the kernel was made fast: two
//! walks over the pointer trace, libm `hypot` and `atan2` at every step,
//! each feature computed the obvious way. Kept as the oracle of
//! `fast_features_match_the_reference`: the fast walk must give the same
//! features within rounding and the `fast_atan2` error.

use crate::scoring::features::*;
use crate::signals::{Signals, C_STRIDE, F_STRIDE, K_STRIDE, M_STRIDE, S_STRIDE, T_STRIDE};

const COORD_MAX: f64 = 1.0e6;
const CLICK_TRUSTED: u32 = 1;
const CLICK_CENTRED: u32 = 4;
const CLICK_ZERO_PRESSURE: u32 = 8;
const CLICK_NOT_MOUSE: u32 = 16;

/// The features of one window, computed the reference way.
pub fn extract(s: &Signals) -> Features {
    let mut f = Features::default();
    pointer(&s.m, s.dur, &mut f);
    shape(&s.m, &s.c, &mut f);
    clicks(&s.c, &s.m, &s.k, &mut f);
    keys(&s.k, &mut f);
    scrolls(&s.s, &mut f);
    touches(&s.t, &mut f);
    f.focus_changes = (s.f.len() / F_STRIDE) as f32;

    let n = &s.n;
    let rows = (s.m.len() / M_STRIDE + s.c.len() / C_STRIDE + s.k.len() / K_STRIDE + s.s.len() / S_STRIDE)
        + s.t.len() / T_STRIDE;
    let counted = n.m as u64 + n.c as u64 + n.k as u64 + n.s as u64 + n.t as u64;
    let events = counted.max(rows as u64).max(1) as f64;
    let untrusted_clicks =
        s.c.chunks_exact(C_STRIDE)
            .filter(|c| flags(c[4]) & CLICK_TRUSTED == 0)
            .count() as u64;
    // Untrusted keyboard and input events beside a person's own input (no
    // untrusted pointer event; a trusted move, press or finger-held key)
    // are an assist, not injected input.
    let keyboard = n.uk.min(n.u) as u64;
    let pointer = (n.u as u64 - keyboard).max(untrusted_clicks);
    let trusted_clicks = (s.c.len() / C_STRIDE) as u64 - untrusted_clicks;
    let person = pointer == 0 && (!s.m.is_empty() || trusted_clicks > 0 || f.finger_keys > 0.0);
    let assisted = if person { keyboard } else { 0 };
    f.assisted_events = assisted as f32;
    f.untrusted_share = ((pointer + keyboard - assisted) as f64 / events).min(1.0) as f32;
    // Only Chromium reports coalesced events; elsewhere `mc` is always 0.
    let knows_coalescing = s.env.chrome_obj == Some(true) && n.m >= 30;
    f.coalesced_share = if knows_coalescing {
        (n.mc as f64 / n.m as f64).min(1.0) as f32
    } else {
        -1.0
    };
    // Zero pressure means injected input only where the platform path is
    // known to give 0.5 for every real mouse press: Chromium without touch
    // points. Android's TalkBack, old Safari and Firefox's macOS tap-to-click
    // press at 0 too (docs/model-card.md).
    if s.env.chrome_obj != Some(true) || s.env.touch_points != Some(0) {
        f.zero_pressure_clicks = 0.0;
    }
    f.soft_keys = if s.env.touch_points.unwrap_or(0) > 0 { 1.0 } else { 0.0 };
    f.webdriver = flag(s.env.webdriver);
    f.cdp = flag(s.env.cdp);
    f.headless_ua = flag(s.env.headless_ua);
    f.impossible_window = if impossible_window(&s.env) { 1.0 } else { 0.0 };
    f.ua_spoofed = if ua_spoofed(&s.env) { 1.0 } else { 0.0 };
    f
}

fn flag(b: Option<bool>) -> f32 {
    if b == Some(true) {
        1.0
    } else {
        0.0
    }
}

/// The integer bits of a `flags` column; garbage maps to 0 (untrusted).
fn flags(x: f64) -> u32 {
    x.clamp(0.0, 255.0) as u32
}

fn clamp_xy(x: f64) -> f64 {
    x.clamp(-COORD_MAX, COORD_MAX)
}

/// Running mean and variance without storing samples.
#[derive(Default, Clone, Copy)]
struct Stats {
    n: f64,
    sum: f64,
    sumsq: f64,
}

impl Stats {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sumsq += x * x;
    }
    fn mean(&self) -> f64 {
        if self.n > 0.0 {
            self.sum / self.n
        } else {
            0.0
        }
    }
    /// Coefficient of variation; 0 when undefined.
    fn cv(&self) -> f64 {
        let m = self.mean();
        if self.n < 2.0 || m <= 1e-9 {
            return 0.0;
        }
        let var = (self.sumsq / self.n - m * m).max(0.0);
        (var.sqrt() / m).min(100.0)
    }
}

fn ratio(a: f64, b: f64) -> f32 {
    if b > 0.0 {
        (a / b) as f32
    } else {
        0.0
    }
}

/// One pass over the pointer trace, split into movements at pauses and jumps.
fn pointer(m: &[f64], dur: f64, f: &mut Features) {
    let rows = m.len() / M_STRIDE;
    f.moves = rows as f32;
    if rows < 2 {
        return;
    }
    let (mut speed, mut interval, mut seg_speed) = (Stats::default(), Stats::default(), Stats::default());
    let (mut cv_sum, mut cv_weight) = (0.0, 0.0);
    let (mut chord_sum, mut path_sum, mut segments) = (0.0, 0.0, 0u32);
    let (mut steps, mut micro, mut jumps, mut pause) = (0u32, 0u32, 0u32, 0.0);
    let (mut flips, mut flip_base, mut turn_sum, mut turns) = (0u32, 0u32, 0.0, 0u32);
    // Current movement: start point, path, samples, last step.
    let row = |i: usize| (m[i * 3], clamp_xy(m[i * 3 + 1]), clamp_xy(m[i * 3 + 2]));
    let (_, mut sx, mut sy) = row(0);
    let (mut seg_path, mut seg_points) = (0.0, 1u32);
    let (mut last_v, mut last_dv, mut last_dx, mut last_dy) = (-1.0, 0.0, 0.0f64, 0.0f64);
    let mut close = |seg_path: f64, seg_points: u32, seg_speed: &mut Stats, ex: f64, ey: f64, sx: f64, sy: f64| {
        if seg_speed.n >= 3.0 {
            cv_sum += seg_speed.cv() * seg_speed.n;
            cv_weight += seg_speed.n;
        }
        *seg_speed = Stats::default();
        if seg_points >= 3 && seg_path >= 30.0 {
            chord_sum += (ex - sx).hypot(ey - sy).min(seg_path);
            path_sum += seg_path;
            segments += 1;
        }
    };
    let mut last_dt = f64::INFINITY;
    let (mut prev_dt, mut repeats, mut repeats_base) = (0.0f64, 0u32, 0u32);
    for i in 1..rows {
        let (t0, x0, y0) = row(i - 1);
        let (t1, x1, y1) = row(i);
        let (dt, dx, dy) = (t1 - t0, x1 - x0, y1 - y0);
        let d = dx.hypot(dy);
        let is_jump = d >= JUMP_MIN_PX && d / dt.max(8.0) > JUMP_SPEED;
        let turn = if d >= TURN_MIN_PX && last_dx.hypot(last_dy) >= TURN_MIN_PX {
            (last_dx * dy - last_dy * dx).atan2(last_dx * dx + last_dy * dy).abs()
        } else {
            0.0
        };
        if turn > SHARP_TURN {
            // The new movement starts where the old one ended, with this step.
            close(seg_path, seg_points, &mut seg_speed, x0, y0, sx, sy);
            (sx, sy, seg_path, seg_points) = (x0, y0, 0.0, 1);
            (last_v, last_dv, last_dx, last_dy) = (-1.0, 0.0, 0.0, 0.0);
        }
        let rested = dt > REST_MS && dt > REST_RATIO * last_dt;
        last_dt = if dt > 0.0 { dt } else { last_dt };
        if rested && dt <= PAUSE_MS {
            // Not a pause, but the step after a rest says nothing about speed
            // within a movement: start a new one at the resting point.
            close(seg_path, seg_points, &mut seg_speed, x0, y0, sx, sy);
            (sx, sy, seg_path, seg_points) = (x0, y0, 0.0, 1);
            (last_v, last_dv, last_dx, last_dy) = (-1.0, 0.0, 0.0, 0.0);
        }
        if dt > PAUSE_MS || is_jump {
            close(seg_path, seg_points, &mut seg_speed, x0, y0, sx, sy);
            (sx, sy, seg_path, seg_points) = (x1, y1, 0.0, 1);
            (last_v, last_dv, last_dx, last_dy) = (-1.0, 0.0, 0.0, 0.0);
            pause += if dt > PAUSE_MS { dt } else { 0.0 };
            prev_dt = 0.0;
            jumps += is_jump as u32;
            continue;
        }
        seg_path += d;
        seg_points += 1;
        if d == 0.0 {
            continue;
        }
        steps += 1;
        micro += (1.0..=3.0).contains(&d) as u32;
        if dt > 0.0 {
            if prev_dt > 0.0 {
                repeats_base += 1;
                repeats += ((dt - prev_dt).abs() < 0.5) as u32;
            }
            prev_dt = dt;
            interval.push(dt);
            let v = d / dt;
            speed.push(v);
            seg_speed.push(v);
            if last_v >= 0.0 {
                let dv = v - last_v;
                if last_dv != 0.0 && dv != 0.0 {
                    flip_base += 1;
                    flips += ((dv > 0.0) != (last_dv > 0.0)) as u32;
                }
                last_dv = dv;
            }
            last_v = v;
        }
        if d >= 1.0 {
            if last_dx != 0.0 || last_dy != 0.0 {
                let cross = last_dx * dy - last_dy * dx;
                let dot = last_dx * dx + last_dy * dy;
                turn_sum += cross.atan2(dot).abs();
                turns += 1;
            }
            (last_dx, last_dy) = (dx, dy);
        }
    }
    let (_, ex, ey) = row(rows - 1);
    close(seg_path, seg_points, &mut seg_speed, ex, ey, sx, sy);

    f.segments = segments as f32;
    f.straightness = ratio(chord_sum, path_sum);
    f.speed_samples = speed.n as f32;
    f.speed_mean = speed.mean() as f32;
    f.speed_cv = ratio(cv_sum, cv_weight);
    f.cv_samples = cv_weight as f32;
    f.accel_flips = ratio(flips as f64, flip_base as f64);
    f.turn_mean = ratio(turn_sum, turns as f64);
    f.micro_share = ratio(micro as f64, steps as f64);
    f.interval_mean = interval.mean() as f32;
    f.interval_cv = interval.cv() as f32;
    f.jumps = jumps as f32;
    f.pause_share = ratio(pause, dur.max(1.0)).min(1.0);
    f.dt_repeat_share = ratio(repeats as f64, repeats_base as f64);
}

/// Clicks against the pointer trace: both are time-ordered, so one merge
/// finds the last pointer sample before each click.
fn clicks(c: &[f64], m: &[f64], k: &[f64], f: &mut Features) {
    let (mut n, mut teleports, mut instant, mut centered) = (0u32, 0u32, 0u32, 0u32);
    let mut rushed = 0u32;
    // The press before: time, hold, position.
    let mut before: Option<(f64, f64, f64, f64)> = None;
    let (mut approaches, mut corrections, mut zero_pressure, mut activations) = (0u32, 0u32, 0u32, 0u32);
    let mut hold = Stats::default();
    let mut j = 0;
    let rows = m.len() / M_STRIDE;
    for click in c.chunks_exact(C_STRIDE) {
        let (t, x, y, h, bits) = (
            click[0],
            clamp_xy(click[1]),
            clamp_xy(click[2]),
            click[3],
            flags(click[4]),
        );
        // Enter or Space on a button fires a click at (0, 0) with no press:
        // a keyboard user, not an instant click.
        if x == 0.0 && y == 0.0 && h <= 0.0 {
            continue;
        }
        while j < rows && m[j * 3] <= t {
            j += 1;
        }
        // No pointer sample in the 300 ms before, centred, released at
        // once: a control activated without the pointer.
        let approached = j > 0 && m[(j - 1) * 3] >= t - APPROACH_MS;
        if !approached && h == 0.0 && bits & CLICK_CENTRED != 0 {
            activations += 1;
            continue;
        }
        n += 1;
        if let Some((t0, h0, x0, y0)) = before {
            let text = k
                .chunks_exact(3)
                .any(|key| key[0] > t0 && key[0] < t && (key[2].round() == 0.0 || key[2].round() == 4.0));
            rushed += (text && t - (t0 + h0.max(0.0)) < RUSH_MS && (x - x0).hypot(y - y0) >= RUSH_MIN_PX) as u32;
        }
        before = Some((t, h, x, y));
        if j > 0 && bits & CLICK_NOT_MOUSE == 0 {
            let (px, py) = (clamp_xy(m[(j - 1) * 3 + 1]), clamp_xy(m[(j - 1) * 3 + 2]));
            teleports += ((px - x).hypot(py - y) > TELEPORT_PX) as u32;
            // The approach: samples of the last 300 ms before the click. A
            // step that moves away from where the click lands is an overshoot
            // being corrected (or a hand drifting); a script only closes in.
            let mut k = j;
            while k > 0 && m[(k - 1) * 3] >= t - APPROACH_MS {
                k -= 1;
            }
            let samples = (j - k) as u32;
            let mut away = false;
            let mut last = f64::INFINITY;
            for q in k..j {
                let dist = (clamp_xy(m[q * 3 + 1]) - x).hypot(clamp_xy(m[q * 3 + 2]) - y);
                away |= dist > last + 2.0;
                last = dist;
            }
            if samples >= 3 {
                approaches += 1;
                corrections += away as u32;
            }
        }
        instant += (h < 10.0) as u32;
        centered += (bits & CLICK_CENTRED != 0) as u32;
        let pressed = bits & (CLICK_TRUSTED | CLICK_CENTRED | CLICK_ZERO_PRESSURE);
        zero_pressure += (pressed == CLICK_TRUSTED | CLICK_ZERO_PRESSURE && h >= PRESS_MIN_MS) as u32;
        hold.push(h.clamp(0.0, 2000.0));
    }
    f.clicks = n as f32;
    f.activations = activations as f32;
    f.teleports = teleports as f32;
    f.rushed_clicks = rushed as f32;
    f.instant_click_share = ratio(instant as f64, n as f64);
    f.centered_click_share = ratio(centered as f64, n as f64);
    f.click_hold_mean = hold.mean() as f32;
    f.zero_pressure_clicks = zero_pressure as f32;
    f.click_corrections = if approaches > 0 {
        ratio(corrections as f64, approaches as f64)
    } else {
        -1.0
    };
}

fn keys(k: &[f64], f: &mut Features) {
    let (mut hold, mut flight) = (Stats::default(), Stats::default());
    let (mut printable, mut pastes, mut zero, mut fingers) = (0u32, 0u32, 0u32, 0u32);
    let mut last_t = f64::NEG_INFINITY;
    for key in k.chunks_exact(K_STRIDE) {
        let (t, h, class) = (key[0], key[1], key[2].round());
        if class == 4.0 {
            pastes += 1;
            continue;
        }
        printable += (class == 0.0) as u32;
        zero += (h < 5.0) as u32;
        fingers += (h >= PRESS_MIN_MS) as u32;
        hold.push(h.clamp(0.0, 2000.0));
        let gap = t - last_t;
        if gap <= TYPING_GAP_MS {
            flight.push(gap);
        }
        last_t = t;
    }
    f.keys = hold.n as f32;
    f.printable_keys = printable as f32;
    f.pastes = pastes as f32;
    f.key_hold_mean = hold.mean() as f32;
    f.key_hold_cv = hold.cv() as f32;
    f.flights = flight.n as f32;
    f.key_flight_mean = flight.mean() as f32;
    f.key_flight_cv = flight.cv() as f32;
    f.zero_hold_share = ratio(zero as f64, hold.n);
    f.finger_keys = fingers as f32;
}

fn scrolls(s: &[f64], f: &mut Features) {
    let rows = s.len() / S_STRIDE;
    f.scrolls = rows as f32;
    if rows == 0 {
        return;
    }
    let first_dy = s[1].abs();
    let (mut device, mut same) = (0u32, 0u32);
    let mut gaps = Stats::default();
    for (i, row) in s.chunks_exact(S_STRIDE).enumerate() {
        device += (row[2].round() != 3.0) as u32;
        same += (row[1].abs() == first_dy) as u32;
        if i > 0 {
            let gap = row[0] - s[(i - 1) * S_STRIDE];
            if gap <= 1000.0 {
                gaps.push(gap);
            }
        }
    }
    f.device_scroll_share = ratio(device as f64, rows as f64);
    // A fling's tail of 1–2 px steps is no script's step.
    f.same_dy_share = if first_dy >= SCROLL_STEP_MIN_PX {
        ratio(same as f64, rows as f64)
    } else {
        0.0
    };
    // One interval has no regularity to read.
    f.scroll_interval_cv = if gaps.n >= 2.0 { gaps.cv() as f32 } else { 1.0 };
}

fn touches(t: &[f64], f: &mut Features) {
    f.touches = (t.len() / T_STRIDE) as f32;
    f.touch_moves = t.chunks_exact(T_STRIDE).filter(|r| r[3].round() == 1.0).count() as f32;
}

/// Movements shorter than this (px of path) have no measurable shape.
const SHAPE_MIN_PX: f64 = 30.0;
/// Perpendicular distances below this (px) are pixel quantisation.
const CROSS_MIN_PX: f64 = 1.5;
/// Typical distance of a human movement's speed peak from mid-way (share
/// of its duration), the prior that [`Features::peak_offcentre`] starts from.
const PEAK_OFFCENTRE_PRIOR: f64 = 0.25;
/// Turns smaller than this (rad) have no reliable sign.
const BEND_MIN: f64 = 0.05;
/// Path length (px) over which one bend direction is read.
const BEND_STEP_PX: f64 = 8.0;

/// Sums over measured movements, turned into means at the end.
#[derive(Default)]
struct ShapeSums {
    n: f64,
    peak_pos: f64,
    edge: f64,
    deviation: f64,
    crossings: f64,
    bend: f64,
    bend_n: f64,
    turn_jerk: f64,
    turn_jerk_n: f64,
    roughness: f64,
    peaks: f64,
    peak_off: f64,
    fitts: f64,
    fitts_abs: f64,
}

/// A second pass over the pointer trace: the same movement boundaries as
/// [`pointer`] (pauses, rests, jumps, sharp turns), each movement measured
/// as an index range of the trace, so nothing is copied. Every measure is a
/// ratio of times or of lengths, so it means the same at 16 ms and at
/// 100 ms sampling (sparser traces just measure it more coarsely).
fn shape(m: &[f64], c: &[f64], f: &mut Features) {
    let rows = m.len() / M_STRIDE;
    let mut sums = ShapeSums::default();
    let (mut acted, mut idle, mut tweens) = (0u32, 0u32, 0u32);
    if rows >= 2 {
        let row = |i: usize| (m[i * 3], clamp_xy(m[i * 3 + 1]), clamp_xy(m[i * 3 + 2]));
        let (mut start, mut last_dt) = (0usize, f64::INFINITY);
        let (mut last_dx, mut last_dy) = (0.0f64, 0.0f64);
        for i in 1..rows {
            let (t0, x0, y0) = row(i - 1);
            let (t1, x1, y1) = row(i);
            let (dt, dx, dy) = (t1 - t0, x1 - x0, y1 - y0);
            let d = dx.hypot(dy);
            let is_jump = d >= JUMP_MIN_PX && d / dt.max(8.0) > JUMP_SPEED;
            let sharp = d >= TURN_MIN_PX
                && last_dx.hypot(last_dy) >= TURN_MIN_PX
                && (last_dx * dy - last_dy * dx).atan2(last_dx * dx + last_dy * dy).abs() > SHARP_TURN;
            let rested = dt > REST_MS && dt > REST_RATIO * last_dt;
            last_dt = if dt > 0.0 { dt } else { last_dt };
            let rests_after = i + 1 == rows || m[(i + 1) * 3] - t1 > PAUSE_MS;
            if dt > PLACE_PAUSE_MS && rests_after {
                // Pressed on: the first click at or after the sample is
                // soon after it and on it.
                let press = c.chunks_exact(C_STRIDE).find(|r| r[0] >= t1).filter(|r| {
                    r[0] - t1 <= PLACE_ACT_MS && (r[1] - x1).abs() <= PLACE_ACT_PX && (r[2] - y1).abs() <= PLACE_ACT_PX
                });
                // A pen's or a finger's press there: neither kind.
                let by_pen = press.is_some_and(|r| flags(r[4]) & CLICK_NOT_MOUSE != 0);
                if press.is_some() && !by_pen && d >= PLACE_ACT_MIN_PX {
                    acted += 1;
                } else if press.is_none() && d >= TELEPORT_PX {
                    idle += 1;
                }
            }
            if dt > PAUSE_MS || is_jump || rested || sharp {
                movement(m, start, i - 1, &mut sums);
                tweens += tweened(m, c, start, i - 1) as u32;
                // After a pause or a jump the movement starts at the new
                // point; after a rest or a turn, at the old one.
                start = if dt > PAUSE_MS || is_jump { i } else { i - 1 };
                (last_dx, last_dy) = (0.0, 0.0);
                if start == i {
                    continue;
                }
            }
            if d >= 1.0 {
                (last_dx, last_dy) = (dx, dy);
            }
        }
        movement(m, start, rows - 1, &mut sums);
        tweens += tweened(m, c, start, rows - 1) as u32;
    }
    let n = sums.n;
    f.shaped = n as f32;
    f.peak_pos = ratio(sums.peak_pos, n);
    f.edge_peak_share = ratio(sums.edge, n);
    f.deviation = ratio(sums.deviation, n);
    f.chord_crossings = ratio(sums.crossings, n);
    f.bend_consistency = ratio(sums.bend, sums.bend_n);
    f.turn_jerk = ratio(sums.turn_jerk, sums.turn_jerk_n);
    f.speed_roughness = ratio(sums.roughness, n);
    f.speed_peaks = ratio(sums.peaks, n);
    // Shrunk toward a typical human value by two pseudo-movements: one
    // movement that happens to peak mid-way says little, ten say a lot.
    f.peak_offcentre = ((sums.peak_off + 2.0 * PEAK_OFFCENTRE_PRIOR) / (n + 2.0)) as f32;
    f.placements = (acted + if f.densely_sampled() { idle } else { 0 }) as f32;
    f.tweened = tweens as f32;
    f.fitts_log_ratio = ratio(sums.fitts, n);
    f.fitts_log_abs = ratio(sums.fitts_abs, n);
}

/// Whether rows `a..=b` began after more than `PLACE_PAUSE_MS` without a
/// sample (since the window began, for the first), glided at one speed or
/// in equal steps on a straight line, and were pressed on
/// where they ended.
fn tweened(m: &[f64], c: &[f64], a: usize, b: usize) -> bool {
    let row = |i: usize| (m[i * 3], clamp_xy(m[i * 3 + 1]), clamp_xy(m[i * 3 + 2]));
    let since = if a == 0 { 0.0 } else { m[(a - 1) * 3] };
    if m[a * 3] - since <= PLACE_PAUSE_MS {
        return false;
    }
    let (mut speed, mut steps, mut path) = (Stats::default(), Stats::default(), 0.0);
    for i in a + 1..=b {
        let ((t0, x0, y0), (t1, x1, y1)) = (row(i - 1), row(i));
        let d = (x1 - x0).hypot(y1 - y0);
        path += d;
        if t1 > t0 && d > 0.0 {
            speed.push(d / (t1 - t0));
        }
        if d > 0.0 {
            steps.push(d);
        }
    }
    let ((_, xa, ya), (tb, xb, yb)) = (row(a), row(b));
    let chord = (xb - xa).hypot(yb - ya);
    let pressed = c.chunks_exact(C_STRIDE).find(|r| r[0] >= tb).is_some_and(|r| {
        r[0] - tb <= PLACE_ACT_MS
            && (r[1] - xb).abs() <= PLACE_ACT_PX
            && (r[2] - yb).abs() <= PLACE_ACT_PX
            && flags(r[4]) & CLICK_NOT_MOUSE == 0
    });
    speed.n >= TWEEN_MIN_STEPS as f64
        && chord >= TWEEN_MIN_PX
        && chord >= TWEEN_STRAIGHT * path
        && speed.cv().min(steps.cv()) <= TWEEN_CV
        && pressed
}

/// Measures rows `a..=b` of the trace as one movement, if it is long enough.
fn movement(m: &[f64], a: usize, b: usize, s: &mut ShapeSums) {
    if b < a + 3 {
        return;
    }
    let row = |i: usize| (m[i * 3], clamp_xy(m[i * 3 + 1]), clamp_xy(m[i * 3 + 2]));
    let (ta, xa, ya) = row(a);
    let (tb, xb, yb) = row(b);
    let dur = tb - ta;
    let (cx, cy) = (xb - xa, yb - ya);
    let chord = cx.hypot(cy);
    let mut path = 0.0;
    let (mut vmax, mut t_peak, mut k_peak, mut k) = (0.0f64, ta, 0usize, 0usize);
    let (mut v1, mut v2, mut tv, mut peaks) = (-1.0f64, -1.0f64, 0.0f64, 0u32);
    let (mut dev_max, mut side, mut crossings) = (0.0f64, 0i8, 0u32);
    let (mut pos, mut neg, mut last_turn, mut jerk, mut jerk_n) = (0u32, 0u32, f64::NAN, 0.0, 0u32);
    let (mut last_dx, mut last_dy) = (0.0f64, 0.0f64);
    let (mut acc_dx, mut acc_dy, mut bend_dx, mut bend_dy) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for i in a + 1..=b {
        let (t0, x0, y0) = row(i - 1);
        let (t1, x1, y1) = row(i);
        let (dt, dx, dy) = (t1 - t0, x1 - x0, y1 - y0);
        let d = dx.hypot(dy);
        path += d;
        if dt > 0.0 {
            let v = d / dt;
            if v > vmax {
                (vmax, t_peak, k_peak) = (v, 0.5 * (t0 + t1), k);
            }
            if v1 >= 0.0 {
                tv += (v - v1).abs();
                // A local maximum at the previous step, 5 % above both sides.
                peaks += (v2 >= 0.0 && v1 > 1.05 * v2 && v1 > 1.05 * v) as u32;
            }
            (v2, v1) = (v1, v);
            k += 1;
        }
        if chord >= 10.0 {
            let dev = (cx * (y1 - ya) - cy * (x1 - xa)) / chord;
            dev_max = dev_max.max(dev.abs());
            if dev.abs() >= CROSS_MIN_PX {
                let now = if dev > 0.0 { 1 } else { -1 };
                crossings += (side != 0 && now != side) as u32;
                side = now;
            }
        }
        // Bends are read on chords of at least BEND_STEP_PX of path, so
        // pixel rounding cannot flip their sign and the sampling rate does
        // not matter (a resampling by arc length).
        (acc_dx, acc_dy) = (acc_dx + dx, acc_dy + dy);
        if acc_dx.hypot(acc_dy) >= BEND_STEP_PX {
            if bend_dx != 0.0 || bend_dy != 0.0 {
                let turn = (bend_dx * acc_dy - bend_dy * acc_dx).atan2(bend_dx * acc_dx + bend_dy * acc_dy);
                pos += (turn > BEND_MIN) as u32;
                neg += (turn < -BEND_MIN) as u32;
            }
            (bend_dx, bend_dy, acc_dx, acc_dy) = (acc_dx, acc_dy, 0.0, 0.0);
        }
        if d >= TURN_MIN_PX {
            if last_dx != 0.0 || last_dy != 0.0 {
                let turn = (last_dx * dy - last_dy * dx).atan2(last_dx * dx + last_dy * dy);
                if last_turn.is_finite() {
                    jerk += (turn - last_turn).abs();
                    jerk_n += 1;
                }
                last_turn = turn;
            }
            (last_dx, last_dy) = (dx, dy);
        }
    }
    if path < SHAPE_MIN_PX || dur <= 0.0 || k < 3 || vmax <= 0.0 {
        return;
    }
    s.n += 1.0;
    let peak_pos = ((t_peak - ta) / dur).clamp(0.0, 1.0);
    s.peak_pos += peak_pos;
    s.peak_off += (peak_pos - 0.5).abs();
    s.edge += (k_peak == 0 || k_peak + 1 == k) as u8 as f64;
    s.deviation += if chord >= 10.0 { (dev_max / chord).min(2.0) } else { 0.0 };
    s.crossings += crossings.min(20) as f64;
    if pos + neg >= 3 {
        s.bend += pos.max(neg) as f64 / (pos + neg) as f64;
        s.bend_n += 1.0;
    }
    s.turn_jerk += jerk;
    s.turn_jerk_n += jerk_n as f64;
    s.roughness += (tv / (2.0 * vmax)).min(20.0);
    s.peaks += (peaks as f64 * 1000.0 / dur).min(30.0);
    let fitts = 50.0 + 120.0 * (1.0 + chord / 20.0).log2();
    let lr = (dur / fitts).ln().clamp(-5.0, 5.0);
    s.fitts += lr;
    s.fitts_abs += lr.abs();
}
