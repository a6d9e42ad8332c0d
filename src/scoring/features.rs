//! Feature extraction: one pass per array over validated [`Signals`] into a
//! fixed-size [`Features`] value (a measured pointer movement also gets a
//! second, short look at its own rows). No allocation, no failure: every
//! ratio has a guarded denominator and every coordinate is clamped, so any
//! valid input (including absurd but finite numbers) yields finite features.
//!
//! The kernel is on the request path, so each pointer step's length and
//! turn are computed once, with `sqrt` and [`fast_atan2`] rather than libm's
//! `hypot` and `atan2`; `scoring/tests/reference.rs` keeps the plain version
//! as the oracle the tests hold this one to.
//!
//! Each feature has a physical meaning, so that it generalises beyond the
//! recordings it was tuned on. Sampling can be sparse (remote desktop at
//! ~100 ms), so nothing here assumes 60 Hz.

use crate::signals::{Env, Signals, C_STRIDE, F_STRIDE, K_STRIDE, M_STRIDE, S_STRIDE, T_STRIDE};

/// A gap longer than this between two pointer samples ends a movement: the
/// hand stopped (ms).
pub const PAUSE_MS: f64 = 300.0;
/// A step this slow in arriving (ms), and [`REST_RATIO`] times slower than
/// the step before, means the pointer rested: a new movement starts.
pub const REST_MS: f64 = 80.0;
pub const REST_RATIO: f64 = 4.0;
/// A step faster than this (px/ms) is a jump rather than a movement; arms
/// top out near 10 px/ms on a flick.
pub const JUMP_SPEED: f64 = 25.0;
/// A jump must also cover this many px (a fast but short step is a flick).
pub const JUMP_MIN_PX: f64 = 150.0;
/// A sample this long (ms) after the one before, at least [`TELEPORT_PX`]
/// from it and resting after, was put there rather than moved there: an
/// agent's think time between actions. Longer than a pause, because a
/// sparse trace (a slow remote desktop, a page whose main thread is busy)
/// samples a moving hand every 200–400 ms.
pub const PLACE_PAUSE_MS: f64 = 1_000.0;
/// A placement is acted on when a press follows it within this long (ms)
/// and [`PLACE_ACT_PX`]: an agent puts the pointer where it clicks. A
/// sparse trace's first sample after a pause lands mid-reach instead.
pub const PLACE_ACT_MS: f64 = 150.0;
/// How near (px, on each axis) the press of an acted-on placement is.
pub const PLACE_ACT_PX: f64 = 3.0;
/// How far (px) from the sample before an acted-on placement must be; an
/// idle one needs [`TELEPORT_PX`]. An agent clicking the next field of a
/// form moves 40–120 px; no recorded person (Balabit's remote desktop
/// included) rested, covered 30–80 px between two samples and pressed
/// where the second landed (model card, "A computer-use agent at the
/// desktop").
pub const PLACE_ACT_MIN_PX: f64 = 30.0;
/// A tweened arrival: a movement of at least [`TWEEN_MIN_STEPS`] timed
/// steps and [`TWEEN_MIN_PX`] that began after [`PLACE_PAUSE_MS`] still,
/// kept to one speed or to one step length (coefficient of variation at
/// most [`TWEEN_CV`]) on a straight line (chord ≥ [`TWEEN_STRAIGHT`] of
/// the path), and pressed on where it ended (within [`PLACE_ACT_MS`] and
/// [`PLACE_ACT_PX`]): a pointer driven to a coordinate by a linear tween
/// (pyautogui's `moveTo` with a duration, nut.js's `straightTo`) after
/// think time. Equal steps put there at a timer's jittery intervals (a
/// sleep that wakes a frame late) keep one step length but not one speed;
/// a hand's reach accelerates and brakes, in both (its CVs are rarely
/// under 0.3).
pub const TWEEN_MIN_STEPS: u32 = 5;
pub const TWEEN_MIN_PX: f64 = 40.0;
pub const TWEEN_CV: f64 = 0.15;
pub const TWEEN_STRAIGHT: f64 = 0.98;
/// A click this far (px) from the last pointer sample did not arrive by
/// moving the pointer there.
pub const TELEPORT_PX: f64 = 80.0;
/// The approach to a click: the pointer samples this long before it (ms).
pub const APPROACH_MS: f64 = 300.0;
/// Mean sampling interval (ms) below which tremor is visible; sparser
/// traces average it out, so its absence proves nothing.
pub const DENSE_SAMPLING_MS: f64 = 40.0;
/// Scroll steps shorter than this (px) are not a script's step: a fling's
/// momentum ends in steps of a pixel or two a frame, all alike and a frame
/// apart (measured on people's phones: model card, "Phones").
pub const SCROLL_STEP_MIN_PX: f64 = 3.0;
/// Key presses further apart than this are separate bursts (ms).
pub const TYPING_GAP_MS: f64 = 1500.0;
/// A change of direction sharper than this (radians) between two steps of
/// at least [`TURN_MIN_PX`] starts a new movement: a reach ends, another begins.
pub const SHARP_TURN: f64 = 1.75;
/// Steps shorter than this are too quantised to have a reliable direction.
pub const TURN_MIN_PX: f64 = 3.0;
/// A press held at least this long (ms) took two separate input events: a
/// click simulated in one task (assistive technology, `element.click()`)
/// is held 0 ms.
pub const PRESS_MIN_MS: f64 = 10.0;
/// A pointer press less than this long (ms) after the release of the one
/// before, at least [`RUSH_MIN_PX`] from it, with text entered in between
/// (a printable key or an input with no key), is rushed: a field clicked,
/// filled and left for another faster than a hand reaches a key and then the
/// next target (a keystroke and a Fitts reach, each 100 ms or more). A
/// framework's own `click` and `fill` take 50–160 ms; the fastest person
/// seen took 624 ms (model card, "Rushed clicks").
pub const RUSH_MS: f64 = 200.0;
/// How far apart (px) two presses must be to be on different targets.
pub const RUSH_MIN_PX: f64 = 20.0;
/// Click flags (signals v1 bits 0–2, bits 3 and 4 our extensions).
const CLICK_TRUSTED: u32 = 1;
const CLICK_CENTRED: u32 = 4;
const CLICK_ZERO_PRESSURE: u32 = 8;
/// A finger's or a pen's press (`pointerType` touch or pen): the mouse
/// pointer's trace says nothing about how it got there.
const CLICK_NOT_MOUSE: u32 = 16;
/// Coordinates are clamped to this magnitude so squares cannot overflow.
const COORD_MAX: f64 = 1.0e6;

/// The fixed-length description of one window. Counts are stored as `f32`
/// so the model reads one kind of number; a statistic whose input is absent
/// is 0 and its count says so.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Features {
    // --- pointer ---
    /// Pointer samples in the window.
    pub moves: f32,
    /// Movements (runs between pauses) long enough to judge their shape.
    pub segments: f32,
    /// Chord / path length over those movements: 1 is a ruler-straight line,
    /// human reaches curve (weighted by path length).
    pub straightness: f32,
    /// Speed intervals measured (steps with Δt > 0 and movement).
    pub speed_samples: f32,
    /// Mean pointer speed, px/ms.
    pub speed_mean: f32,
    /// Speed coefficient of variation within each movement (pooled): a hand
    /// accelerates and brakes, a tween glides at one speed.
    pub speed_cv: f32,
    /// Speed samples in movements of at least three (those `speed_cv` is
    /// read from): 0 means it was not measured, not that speed was even.
    pub cv_samples: f32,
    /// Share of consecutive speed changes that flip sign (accelerate, then
    /// brake): muscle corrections.
    pub accel_flips: f32,
    /// Mean absolute change of direction between steps, radians.
    pub turn_mean: f32,
    /// Share of steps of 1–3 px: tremor and fine corrections near a target.
    pub micro_share: f32,
    /// Mean sampling interval while moving, ms (60 Hz ≈ 17, RDP ≈ 100).
    pub interval_mean: f32,
    /// Coefficient of variation of the sampling interval: event timing jitter.
    pub interval_cv: f32,
    /// Steps faster than any arm ([`JUMP_SPEED`]): the pointer was placed.
    pub jumps: f32,
    /// Share of the window spent in pauses between movements.
    pub pause_share: f32,
    /// Share of sampling intervals exactly equal (±0.5 ms) to the one
    /// before: a timer, not a hand, is emitting the moves.
    pub dt_repeat_share: f32,
    // --- shape of each sub-movement (see [`shape`]), means over movements ---
    /// Movements long enough for their shape to be measured.
    pub shaped: f32,
    /// Where the speed peaks, as a share of the movement's duration. Human
    /// reaches are log-normal (fast rise, longer decay: ≈ 0.3–0.45); an
    /// ease-in-out tween peaks at 0.5.
    pub peak_pos: f32,
    /// Share of movements whose fastest step is the first or the last: no
    /// acceleration or no braking phase.
    pub edge_peak_share: f32,
    /// Largest perpendicular distance from the chord, per chord length.
    pub deviation: f32,
    /// Times the path crosses its chord (beyond 1.5 px): a hand wobbles,
    /// a Bezier bends one way (or at most twice).
    pub chord_crossings: f32,
    /// Share of turns in the movement's dominant direction: 1 is a curve
    /// that bends one way throughout.
    pub bend_consistency: f32,
    /// Mean change of the turn angle from step to step (rad): tremor and
    /// corrections make it rough, a spline makes it smooth.
    pub turn_jerk: f32,
    /// Total variation of speed over twice the peak speed: ≈ 1 for one
    /// smooth reach, more with corrective sub-movements, ≈ 0 for a glide.
    pub speed_roughness: f32,
    /// Local speed maxima per second of movement (sub-movements; a hand
    /// makes a few per second, a tween one per movement).
    pub speed_peaks: f32,
    /// Mean distance of each movement's peak position from 0.5: every
    /// reach of an eased tween peaks mid-way, a hand's vary.
    pub peak_offcentre: f32,
    /// Isolated placements: a sample more than [`PLACE_PAUSE_MS`] after the
    /// previous one and resting after, and either acted on (a press within
    /// [`PLACE_ACT_MS`] and [`PLACE_ACT_PX`]; ≥ [`PLACE_ACT_MIN_PX`] from the
    /// previous sample) or ≥ [`TELEPORT_PX`] from it in a densely sampled
    /// trace (mean interval under [`DENSE_SAMPLING_MS`], where a moving hand
    /// would have been seen on its way); a pointer put somewhere without a
    /// path.
    pub placements: f32,
    /// Tweened arrivals (see [`TWEEN_CV`]): the pointer glided to a point
    /// after think time and pressed there. With placements, the agent
    /// head's `action_bursts`; not an input of the trained model.
    pub tweened: f32,
    /// ln(duration / Fitts time) per movement, Fitts time = 50 + 120·log2(1
    /// + chord / 20) ms: human movement time grows with the log of distance.
    pub fitts_log_ratio: f32,
    /// Mean absolute value of the same.
    pub fitts_log_abs: f32,
    /// Share of clicks (with ≥ 3 samples in the 300 ms before) whose
    /// approach was not monotone: overshoot and correction; -1 when no
    /// click had such an approach.
    pub click_corrections: f32,
    // --- clicks ---
    /// Clicks made with a pointer (keyboard activations and
    /// [`Features::activations`] excluded).
    pub clicks: f32,
    /// Controls activated without the pointer: a press at the target's
    /// centre, released in the same instant (0 ms), with no pointer sample
    /// in the [`APPROACH_MS`] before it. What an assistive technology's
    /// default action (a screen reader's Enter in browse mode, VoiceOver's
    /// VO-Space, voice control) makes in a browser; a framework's click
    /// moves the pointer there first. Not judged as clicks.
    pub activations: f32,
    /// Clicks landing far from the last pointer sample ([`TELEPORT_PX`]).
    pub teleports: f32,
    /// Rushed clicks (see [`RUSH_MS`]): another target pressed right after
    /// a field was clicked and filled.
    pub rushed_clicks: f32,
    /// Share of clicks held < 10 ms: no finger presses that fast.
    pub instant_click_share: f32,
    /// Share of clicks within 1 px of the target's centre: a hand scatters.
    pub centered_click_share: f32,
    /// Mean click hold, ms.
    pub click_hold_mean: f32,
    /// Trusted mouse presses with zero pressure (flags bit 3), held at least
    /// [`PRESS_MIN_MS`] and off the target's centre (an assistive
    /// technology's simulated click is neither), in Chromium on a device
    /// without touch points; elsewhere 0. No real mouse, touchpad or
    /// OS-injected input gives 0 there; the DevTools protocol's
    /// `Input.dispatchMouseEvent` without `force` (Puppeteer, ChromeDriver)
    /// does. See docs/model-card.md.
    pub zero_pressure_clicks: f32,
    // --- keys ---
    /// Key presses with a hold (pastes excluded).
    pub keys: f32,
    /// Printable key presses.
    pub printable_keys: f32,
    /// Pastes (an input change with no key).
    pub pastes: f32,
    /// Mean key hold, ms.
    pub key_hold_mean: f32,
    /// Key hold coefficient of variation: fingers are not metronomes.
    pub key_hold_cv: f32,
    /// Flight intervals measured (key-to-key within a burst).
    pub flights: f32,
    /// Mean key-to-key interval within bursts, ms.
    pub key_flight_mean: f32,
    /// Flight coefficient of variation: human rhythm varies with the letters.
    pub key_flight_cv: f32,
    /// Share of keys held < 5 ms: a synthesized press has no hold.
    pub zero_hold_share: f32,
    /// Keys held at least [`PRESS_MIN_MS`]: a press and a release in two
    /// separate input events, as a finger on a hardware key makes them.
    pub finger_keys: f32,
    /// 1 when the device has touch points (`env.touch_points` > 0): its keys
    /// may come from an on-screen keyboard, whose input method fires each
    /// key's keydown and keyup together (Android's keyCode 229), so key
    /// holds say nothing about fingers there.
    pub soft_keys: f32,
    // --- scroll, touch, focus ---
    /// Scroll events.
    pub scrolls: f32,
    /// Share of scrolls from wheel, touch or keyboard (a device moved them).
    pub device_scroll_share: f32,
    /// Share of scrolls with the same |dy| as the first one: script steps
    /// (wheels notch too, so only meaningful together with the source).
    /// Steps under [`SCROLL_STEP_MIN_PX`] are not counted: the decaying
    /// tail of a finger's fling moves the page a pixel or two a frame.
    pub same_dy_share: f32,
    /// Coefficient of variation of scroll intervals within bursts; 1
    /// (irregular) when fewer than two intervals were measured, where
    /// there is no regularity to read.
    pub scroll_interval_cv: f32,
    /// Touch samples.
    pub touches: f32,
    /// Touch moves (phase 1): a finger dragging, not just taps.
    pub touch_moves: f32,
    /// Focus or visibility changes.
    pub focus_changes: f32,
    // --- totals and environment ---
    /// Untrusted events (`isTrusted === false`) per event seen: injected
    /// input. Untrusted keyboard and input events count only when nothing
    /// of a person's own input came with them (see `assisted_events`).
    pub untrusted_share: f32,
    /// Untrusted keyboard and input events (`n.uk`) beside a person's own
    /// input — trusted pointer moves or presses and no untrusted pointer
    /// event, or keys held like a finger's: a password manager's autofill
    /// announcing the values it set. Not evidence either way.
    pub assisted_events: f32,
    /// Pointer moves carrying coalesced events per move, or -1 when unknown
    /// (too few moves, or a browser without `getCoalescedEvents`).
    pub coalesced_share: f32,
    /// `navigator.webdriver` was true.
    pub webdriver: f32,
    /// A DevTools Protocol client was attached.
    pub cdp: f32,
    /// The user agent says HeadlessChrome.
    pub headless_ua: f32,
    /// The window cannot be on the screen it reports (see [`impossible_window`]).
    pub impossible_window: f32,
    /// The snippet saw the user agent rewritten by its driver (`env.ua_spoofed`),
    /// on a device without touch points.
    pub ua_spoofed: f32,
}

impl Features {
    /// Whether the pointer was sampled densely while moving (mean interval
    /// under [`DENSE_SAMPLING_MS`]): a moving hand is seen on its way, and
    /// tremor, peak timing and sub-movements can be read.
    pub fn densely_sampled(&self) -> bool {
        self.interval_mean > 0.0 && self.interval_mean < DENSE_SAMPLING_MS as f32
    }
}

/// Extracts the features of one window. Never allocates, never fails.
pub fn extract(s: &Signals) -> Features {
    let mut f = Features::default();
    pointer(&s.m, &s.c, s.dur, &mut f);
    let untrusted_clicks = clicks(&s.c, &s.m, &s.k, &mut f);
    keys(&s.k, &mut f);
    scrolls(&s.s, &mut f);
    touches(&s.t, &mut f);
    f.focus_changes = (s.f.len() / F_STRIDE) as f32;

    let n = &s.n;
    let rows = (s.m.len() / M_STRIDE + s.c.len() / C_STRIDE + s.k.len() / K_STRIDE + s.s.len() / S_STRIDE)
        + s.t.len() / T_STRIDE;
    let counted = n.m as u64 + n.c as u64 + n.k as u64 + n.s as u64 + n.t as u64;
    let events = counted.max(rows as u64).max(1) as f64;
    let keyboard = n.uk.min(n.u) as u64;
    let pointer = (n.u as u64 - keyboard).max(untrusted_clicks as u64);
    let trusted_clicks = (s.c.len() / C_STRIDE) as u64 - untrusted_clicks as u64;
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
    f.soft_keys = if s.env.touch_points.is_some_and(|p| p > 0) {
        1.0
    } else {
        0.0
    };
    f.webdriver = flag(s.env.webdriver);
    f.cdp = flag(s.env.cdp);
    f.headless_ua = flag(s.env.headless_ua);
    f.impossible_window = if impossible_window(&s.env) { 1.0 } else { 0.0 };
    f.ua_spoofed = if ua_spoofed(&s.env) { 1.0 } else { 0.0 };
    f
}

/// Whether the snippet's `env.ua_spoofed` is read: only without touch
/// points, because Android WebView gives client hints only to apps that
/// keep its default user agent, so an in-app browser with its own (most of
/// them) shows the same empty lists as a rewritten one.
pub fn ua_spoofed(env: &Env) -> bool {
    env.touch_points == Some(0) && env.ua_spoofed == Some(true)
}

/// How far (CSS px) a window may pass its screen before it counts: a
/// maximised window on Windows reports its invisible 8 px resize borders
/// (16 px per dimension), and Brave's farbling adds up to 8 px. Also the
/// least height between `outer` and `inner` read as a toolbar (Chromium's
/// is 85 px; Brave's farbled `outer` is within 8 px of `inner`).
pub const WINDOW_SLACK_PX: f64 = 48.0;

/// Headless Chromium's default screen (`--window-size` changes the window,
/// not this).
pub const HEADLESS_SCREEN: [f64; 2] = [800.0, 600.0];

/// A desktop window that cannot be on the screen it reports: headless
/// Chromium's default 800 × 600 screen under a window larger in both
/// dimensions, or a viewport exactly the size of the screen inside a window
/// with a toolbar (Playwright sets `screen` to the viewport). A window on a
/// real display is within its screen, full screen has no toolbar, and a
/// window across two side-by-side monitors is larger in one dimension only.
/// Windows does let a window dragged from a large monitor stay larger than
/// a small one in both dimensions, so "larger than its screen" alone is not
/// read: only with the headless screen, which no display of 2026 has.
/// Dimensions are compared smaller with smaller, so iOS Safari's portrait
/// `screen` in landscape passes; privacy modes that report the window as
/// the screen (Firefox's resistFingerprinting, Brave) report `outer` as the
/// viewport too. Only with `touch_points` 0 (no phones, tablets or Android
/// WebView's physical-pixel quirk) and all three sizes present.
pub fn impossible_window(env: &Env) -> bool {
    let (Some(screen), Some(outer), Some(inner)) = (env.screen, env.outer, env.inner) else {
        return false;
    };
    if env.touch_points != Some(0) || [screen, outer, inner].iter().flatten().any(|&v| v < 1.0) {
        return false;
    }
    let sorted = |p: [f64; 2]| if p[0] <= p[1] { p } else { [p[1], p[0]] };
    let (s, o) = (sorted(screen), sorted(outer));
    let headless_screen = screen == HEADLESS_SCREEN;
    let larger = o[0] > s[0] + WINDOW_SLACK_PX && o[1] > s[1] + WINDOW_SLACK_PX;
    let screen_sized = (inner[0] - screen[0]).abs() < 1.0 && (inner[1] - screen[1]).abs() < 1.0;
    let toolbar = outer[1] - inner[1] > WINDOW_SLACK_PX;
    (headless_screen && larger) || (screen_sized && toolbar)
}

/// `atan2(y, x)` within 1.2e-5 rad of the exact value (checked over a dense
/// sweep in the tests). libm's `atan2` costs tens of nanoseconds a call, and
/// the walk needs one a pointer sample; the turn measures need nowhere near
/// its precision. Abramowitz & Stegun 4.4.49, a polynomial in the smaller
/// over the larger magnitude, folded into the right octant. `(0, 0)` gives 0.
pub fn fast_atan2(y: f64, x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    // Plain comparisons rather than `min`/`max`, whose NaN handling costs
    // several instructions each: nothing here is NaN.
    let steep = ay > ax;
    let (lo, hi) = if steep { (ax, ay) } else { (ay, ax) };
    let a = lo / if hi > f64::MIN_POSITIVE { hi } else { f64::MIN_POSITIVE };
    let s = a * a;
    let r = a * (0.999_866 + s * (-0.330_299_5 + s * (0.180_141 + s * (-0.085_133 + s * 0.020_835_1))));
    let r = if steep { FRAC_PI_2 - r } else { r };
    let r = if x < 0.0 { PI - r } else { r };
    r.copysign(y)
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

/// `x.round() == c` for a whole `c >= 0` (`round` halves away from zero),
/// without `round`: that is a libm call on baseline x86-64.
fn rounds_to(x: f64, c: f64) -> bool {
    if c == 0.0 {
        x > -0.5 && x < 0.5
    } else {
        x >= c - 0.5 && x < c + 0.5
    }
}

fn clamp_xy(x: f64) -> f64 {
    x.clamp(-COORD_MAX, COORD_MAX)
}

/// Pointer sample `i`: time and clamped coordinates.
fn sample(m: &[f64], i: usize) -> (f64, f64, f64) {
    let r = &m[i * M_STRIDE..i * M_STRIDE + 3];
    (r[0], clamp_xy(r[1]), clamp_xy(r[2]))
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

/// Movements shorter than this (px of path) have no measurable shape.
const SHAPE_MIN_PX: f64 = 30.0;
/// Perpendicular distances below this (px) are pixel quantisation.
const CROSS_MIN_PX: f64 = 1.5;
/// Typical distance of a human movement's speed peak from mid-way (share
/// of its duration), the prior that [`Features::peak_offcentre`] starts from.
const PEAK_OFFCENTRE_PRIOR: f64 = 0.25;
/// Turns smaller than this (rad) have no reliable sign.
pub const BEND_MIN: f64 = 0.05;
/// Path length (px) over which one bend direction is read.
const BEND_STEP_PX: f64 = 8.0;
/// cos and sin of [`BEND_MIN`]: whether a bend exceeds it is read from its
/// cross and dot products rotated by it, with no angle computed.
pub(crate) const BEND_COS: f64 = 0.998_750_260_394_966_3;
pub(crate) const BEND_SIN: f64 = 0.049_979_169_270_678_33;

/// Whole-trace sums of the pointer walk, turned into features at the end.
#[derive(Default)]
struct PointerSums {
    speed: Stats,
    interval: Stats,
    /// Within-movement speed CV, weighted by the movement's speed samples.
    cv_sum: f64,
    cv_weight: f64,
    chord_sum: f64,
    path_sum: f64,
    segments: u32,
    steps: u32,
    micro: u32,
    jumps: u32,
    pause: f64,
    flips: u32,
    flip_base: u32,
    turn_sum: f64,
    turns: u32,
    repeats: u32,
    repeats_base: u32,
    /// Placement candidates pressed on at once, and the others.
    placed_acted: u32,
    placed_idle: u32,
    /// Movements closed as tweened arrivals.
    tweened: u32,
}

/// Sums over measured movements (see [`Movement`]), turned into means at the end.
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
    fitts_log_abs: f64,
}

/// The movement being walked: rows `start..` of the trace up to the
/// current one, accumulated step by step and measured when it ends.
struct Movement {
    start: usize,
    t0: f64,
    x0: f64,
    y0: f64,
    path: f64,
    /// Speeds of the steps that moved (for the pooled speed CV).
    speed: Stats,
    /// Steps with Δt > 0, the fastest of them (speed, mid-time, index).
    timed: u32,
    vmax: f64,
    t_peak: f64,
    k_peak: u32,
    /// The last two speeds (-1 before there are any), their total
    /// variation and the local maxima among them.
    v1: f64,
    v2: f64,
    tv: f64,
    peaks: u32,
    /// Path since the last bend reading, and the chord it was read on.
    acc_dx: f64,
    acc_dy: f64,
    bend_dx: f64,
    bend_dy: f64,
    pos: u32,
    neg: u32,
    /// The last step of at least [`TURN_MIN_PX`], the turn onto it (NaN
    /// before there is one) and the summed change of that turn.
    last_dx: f64,
    last_dy: f64,
    last_turn: f64,
    jerk: f64,
    jerk_n: u32,
    /// Began after at least [`PLACE_PAUSE_MS`] without a sample.
    after_rest: bool,
}

impl Movement {
    fn at(start: usize, t0: f64, x0: f64, y0: f64) -> Movement {
        Movement {
            start,
            t0,
            x0,
            y0,
            path: 0.0,
            speed: Stats::default(),
            timed: 0,
            vmax: 0.0,
            // Only read once a step has been fastest (`vmax > 0`).
            t_peak: 0.0,
            k_peak: 0,
            v1: -1.0,
            v2: -1.0,
            tv: 0.0,
            peaks: 0,
            acc_dx: 0.0,
            acc_dy: 0.0,
            bend_dx: 0.0,
            bend_dy: 0.0,
            pos: 0,
            neg: 0,
            last_dx: 0.0,
            last_dy: 0.0,
            last_turn: f64::NAN,
            jerk: 0.0,
            jerk_n: 0,
            after_rest: false,
        }
    }

    /// A step with Δt > 0 at speed `v`, ending at `t1`.
    fn timed_step(&mut self, v: f64, t0: f64, t1: f64) {
        if v > self.vmax {
            (self.vmax, self.t_peak, self.k_peak) = (v, 0.5 * (t0 + t1), self.timed);
        }
        if self.v1 >= 0.0 {
            self.tv += (v - self.v1).abs();
            // A local maximum at the previous step, 5 % above both sides.
            self.peaks += (self.v2 >= 0.0 && self.v1 > 1.05 * self.v2 && self.v1 > 1.05 * v) as u32;
        }
        (self.v2, self.v1) = (self.v1, v);
        self.timed += 1;
    }

    /// Bends are read on chords of at least [`BEND_STEP_PX`] of path, so
    /// pixel rounding cannot flip their sign and the sampling rate does not
    /// matter (a resampling by arc length).
    fn bend_step(&mut self, dx: f64, dy: f64) {
        (self.acc_dx, self.acc_dy) = (self.acc_dx + dx, self.acc_dy + dy);
        let (ax, ay) = (self.acc_dx, self.acc_dy);
        if ax * ax + ay * ay >= BEND_STEP_PX * BEND_STEP_PX {
            let (bx, by) = (self.bend_dx, self.bend_dy);
            if bx != 0.0 || by != 0.0 {
                // The turn θ = atan2(cross, dot) has the sign of `cross`
                // (±0 included); θ > B ⇔ sin(θ - B) > 0 on [0, π], and
                // θ < -B ⇔ sin(θ + B) < 0 on [-π, 0].
                let (cross, dot) = (bx * ay - by * ax, bx * ax + by * ay);
                let left = cross.is_sign_positive();
                self.pos += (left && cross * BEND_COS - dot * BEND_SIN > 0.0) as u32;
                self.neg += (!left && cross * BEND_COS + dot * BEND_SIN < 0.0) as u32;
            }
            (self.bend_dx, self.bend_dy, self.acc_dx, self.acc_dy) = (ax, ay, 0.0, 0.0);
        }
    }

    /// A step of at least [`TURN_MIN_PX`]; `turn` is the turn onto it from
    /// the last step of at least 1 px of the walk, `(lx, ly)`, which is often
    /// this movement's last step of at least [`TURN_MIN_PX`] too.
    fn turn_step(&mut self, dx: f64, dy: f64, lx: f64, ly: f64, turn: f64) {
        let (px, py) = (self.last_dx, self.last_dy);
        if px != 0.0 || py != 0.0 {
            let turn = if (px, py) == (lx, ly) {
                turn
            } else {
                fast_atan2(px * dy - py * dx, px * dx + py * dy)
            };
            if self.last_turn.is_finite() {
                self.jerk += (turn - self.last_turn).abs();
                self.jerk_n += 1;
            }
            self.last_turn = turn;
        }
        (self.last_dx, self.last_dy) = (dx, dy);
    }

    /// Ends the movement at row `end`, sample `(t1, x1, y1)`, adding what it
    /// measured to both sums.
    #[allow(clippy::too_many_arguments)]
    fn close(&self, m: &[f64], end: usize, t1: f64, x1: f64, y1: f64, p: &mut PointerSums, s: &mut ShapeSums) {
        let (a, b) = (self.start, end);
        // Fewer than three samples: no speed CV, no segment, no shape.
        if b < a + 2 {
            return;
        }
        if self.speed.n >= 3.0 {
            p.cv_sum += self.speed.cv() * self.speed.n;
            p.cv_weight += self.speed.n;
        }
        let (cx, cy) = (x1 - self.x0, y1 - self.y0);
        let chord = (cx * cx + cy * cy).sqrt();
        let path = self.path;
        if b >= a + 2 && path >= 30.0 {
            p.chord_sum += chord.min(path);
            p.path_sum += path;
            p.segments += 1;
        }
        let dur = t1 - self.t0;
        if b < a + 3 || path < SHAPE_MIN_PX || dur <= 0.0 || self.timed < 3 || self.vmax <= 0.0 {
            return;
        }
        s.n += 1.0;
        let peak_pos = ((self.t_peak - self.t0) / dur).clamp(0.0, 1.0);
        s.peak_pos += peak_pos;
        s.peak_off += (peak_pos - 0.5).abs();
        s.edge += (self.k_peak == 0 || self.k_peak + 1 == self.timed) as u8 as f64;
        if chord >= 10.0 {
            let (dev_max, crossings) = self.chord_sides(m, b, cx, cy, chord);
            s.deviation += (dev_max / chord).min(2.0);
            s.crossings += crossings.min(20) as f64;
        }
        if self.pos + self.neg >= 3 {
            s.bend += self.pos.max(self.neg) as f64 / (self.pos + self.neg) as f64;
            s.bend_n += 1.0;
        }
        s.turn_jerk += self.jerk;
        s.turn_jerk_n += self.jerk_n as f64;
        s.roughness += (self.tv / (2.0 * self.vmax)).min(20.0);
        s.peaks += (self.peaks as f64 * 1000.0 / dur).min(30.0);
        let fitts = 50.0 + 120.0 * (1.0 + chord / 20.0).log2();
        let lr = (dur / fitts).ln().clamp(-5.0, 5.0);
        s.fitts += lr;
        s.fitts_log_abs += lr.abs();
    }

    /// Whether this movement, ending at sample `(t1, x1, y1)`, glided there
    /// like a tween after think time and the mouse pressed there (see
    /// [`TWEEN_CV`]); `next` is the caller's click cursor for [`press_at`].
    #[inline(always)]
    fn tweened_arrival(&self, m: &[f64], end: usize, c: &[f64], next: &mut usize) -> bool {
        // Nearly every movement fails the first test: the rest is a call
        // of its own, so the walk pays one compare per movement.
        self.after_rest && self.glided_and_pressed(m, end, c, next)
    }

    /// The rest of [`Self::tweened_arrival`], for the movement ending at
    /// row `end`. The step lengths are read here, in a second short pass
    /// over the movement's rows, so that the walk does not keep them for
    /// every movement.
    #[inline(never)]
    fn glided_and_pressed(&self, m: &[f64], end: usize, c: &[f64], next: &mut usize) -> bool {
        let (t1, x1, y1) = sample(m, end);
        let (cx, cy) = (x1 - self.x0, y1 - self.y0);
        let chord = (cx * cx + cy * cy).sqrt();
        if self.speed.n < TWEEN_MIN_STEPS as f64 || chord < TWEEN_MIN_PX || chord < TWEEN_STRAIGHT * self.path {
            return false;
        }
        let mut steps = Stats::default();
        let (_, mut x0, mut y0) = sample(m, self.start);
        for i in self.start + 1..=end {
            let (_, x, y) = sample(m, i);
            let (dx, dy) = (x - x0, y - y0);
            let d = (dx * dx + dy * dy).sqrt();
            // As the speeds: a sample that did not move is no step.
            if d > 0.0 {
                steps.push(d);
            }
            (x0, y0) = (x, y);
        }
        self.speed.cv().min(steps.cv()) <= TWEEN_CV && press_at(c, next, t1, x1, y1) == Press::Mouse
    }

    /// The largest distance of rows `start+1..=end` from the chord `(cx,
    /// cy)` (of length `chord`) and the times the path crosses it. The
    /// chord is only known once the movement has ended, hence this second,
    /// short pass over a measured movement's own rows; it compares
    /// unnormalised cross products, so it does not divide per row.
    fn chord_sides(&self, m: &[f64], end: usize, cx: f64, cy: f64, chord: f64) -> (f64, u32) {
        let cross_min = CROSS_MIN_PX * chord;
        let (mut max, mut side, mut crossings) = (0.0f64, 0.0f64, 0u32);
        for r in m[(self.start + 1) * M_STRIDE..(end + 1) * M_STRIDE].chunks_exact(M_STRIDE) {
            let cross = cx * (clamp_xy(r[2]) - self.y0) - cy * (clamp_xy(r[1]) - self.x0);
            let size = cross.abs();
            max = if size > max { size } else { max };
            if size >= cross_min {
                let now = if cross > 0.0 { 1.0 } else { -1.0 };
                crossings += (side != 0.0 && now != side) as u32;
                side = now;
            }
        }
        (max / chord, crossings)
    }
}

/// One walk over the pointer trace, split into movements at pauses, rests,
/// jumps and sharp turns. Each step's Δt, Δx, Δy, length and turn are
/// computed once and feed both the whole-trace statistics and the shape of
/// the movement it belongs to. Every shape measure is a ratio of times or
/// of lengths, so it means the same at 16 ms and at 100 ms sampling
/// (sparser traces just measure it more coarsely).
fn pointer(m: &[f64], c: &[f64], dur: f64, f: &mut Features) {
    let rows = m.len() / M_STRIDE;
    f.moves = rows as f32;
    let mut p = PointerSums::default();
    let mut s = ShapeSums::default();
    if rows >= 2 {
        walk(m, c, &mut p, &mut s);
        f.segments = p.segments as f32;
        f.straightness = ratio(p.chord_sum, p.path_sum);
        f.speed_samples = p.speed.n as f32;
        f.speed_mean = p.speed.mean() as f32;
        f.speed_cv = ratio(p.cv_sum, p.cv_weight);
        f.cv_samples = p.cv_weight as f32;
        f.accel_flips = ratio(p.flips as f64, p.flip_base as f64);
        f.turn_mean = ratio(p.turn_sum, p.turns as f64);
        f.micro_share = ratio(p.micro as f64, p.steps as f64);
        f.interval_mean = p.interval.mean() as f32;
        f.interval_cv = p.interval.cv() as f32;
        f.jumps = p.jumps as f32;
        f.pause_share = ratio(p.pause, dur.max(1.0)).min(1.0);
        f.dt_repeat_share = ratio(p.repeats as f64, p.repeats_base as f64);
    }
    let n = s.n;
    f.shaped = n as f32;
    f.peak_pos = ratio(s.peak_pos, n);
    f.edge_peak_share = ratio(s.edge, n);
    f.deviation = ratio(s.deviation, n);
    f.chord_crossings = ratio(s.crossings, n);
    f.bend_consistency = ratio(s.bend, s.bend_n);
    f.turn_jerk = ratio(s.turn_jerk, s.turn_jerk_n);
    f.speed_roughness = ratio(s.roughness, n);
    f.speed_peaks = ratio(s.peaks, n);
    // Shrunk toward a typical human value by two pseudo-movements: one
    // movement that happens to peak mid-way says little, ten say a lot.
    f.peak_offcentre = ((s.peak_off + 2.0 * PEAK_OFFCENTRE_PRIOR) / (n + 2.0)) as f32;
    let dense = f.densely_sampled();
    f.placements = (p.placed_acted + if dense { p.placed_idle } else { 0 }) as f32;
    f.tweened = p.tweened as f32;
    f.fitts_log_ratio = ratio(s.fitts, n);
    f.fitts_log_abs = ratio(s.fitts_log_abs, n);
}

/// The walk of [`pointer`] over a trace of at least two samples (`c`: the
/// clicks, for placements acted on).
fn walk(m: &[f64], c: &[f64], p: &mut PointerSums, s: &mut ShapeSums) {
    let rows = m.len() / M_STRIDE;
    // The first click not before the current sample (clicks are in time
    // order, so this only moves forward).
    let mut next_click = 0usize;
    // The same, for the ends of tweened movements (asked at other times).
    let mut tween_click = 0usize;
    let (mut t0, mut x0, mut y0) = sample(m, 0);
    let mut mv = Movement::at(0, t0, x0, y0);
    // The first movement rested for as long as the window had no sample
    // (since the page loaded, for a verify window).
    mv.after_rest = t0 > PLACE_PAUSE_MS;
    // The last step of at least 1 px in this movement (0 when none) and its
    // length; the last speed and change of speed (-1 and 0 when none).
    let (mut lx, mut ly, mut ld) = (0.0f64, 0.0f64, 0.0f64);
    let (mut last_v, mut last_dv) = (-1.0f64, 0.0f64);
    // The last positive Δt (for rests), and the last sampling interval of a
    // moving step since the last pause (for repeats; 0 when none).
    let (mut last_dt, mut prev_dt) = (f64::INFINITY, 0.0f64);
    for i in 1..rows {
        let (t1, x1, y1) = sample(m, i);
        let (dt, dx, dy) = (t1 - t0, x1 - x0, y1 - y0);
        // Coordinates are clamped, so the squares cannot overflow.
        let d = (dx * dx + dy * dy).sqrt();
        let is_jump = d >= JUMP_MIN_PX && d > JUMP_SPEED * dt.max(8.0);
        let pause = dt > PAUSE_MS;
        let turn = if d >= 1.0 && ld > 0.0 {
            fast_atan2(lx * dy - ly * dx, lx * dx + ly * dy)
        } else {
            0.0
        };
        let sharp = d >= TURN_MIN_PX && ld >= TURN_MIN_PX && turn.abs() > SHARP_TURN;
        let rested = dt > REST_MS && dt > REST_RATIO * last_dt;
        last_dt = if dt > 0.0 { dt } else { last_dt };
        if dt > PLACE_PAUSE_MS && d >= PLACE_ACT_MIN_PX {
            let rests_after = i + 1 == rows || m[(i + 1) * M_STRIDE] - t1 > PAUSE_MS;
            // A pen that left the tablet and came down elsewhere puts the
            // pointer there and presses at once: that is how a pen works,
            // neither kind of placement.
            let press = press_at(c, &mut next_click, t1, x1, y1);
            p.placed_acted += (rests_after && press == Press::Mouse) as u32;
            p.placed_idle += (rests_after && press == Press::None && d >= TELEPORT_PX) as u32;
        }
        if pause || is_jump || rested || sharp {
            mv.close(m, i - 1, t0, x0, y0, p, s);
            p.tweened += mv.tweened_arrival(m, i - 1, c, &mut tween_click) as u32;
            (lx, ly, ld, last_v, last_dv) = (0.0, 0.0, 0.0, -1.0, 0.0);
            if pause || is_jump {
                // The next movement starts at the new point, without this step.
                p.pause += if pause { dt } else { 0.0 };
                p.jumps += is_jump as u32;
                prev_dt = 0.0;
                mv = Movement::at(i, t1, x1, y1);
                mv.after_rest = dt > PLACE_PAUSE_MS;
                (t0, x0, y0) = (t1, x1, y1);
                continue;
            }
            // After a rest or a sharp turn it starts where the old one ended,
            // with this step.
            mv = Movement::at(i - 1, t0, x0, y0);
        }
        mv.path += d;
        if dt > 0.0 {
            let v = d / dt;
            mv.timed_step(v, t0, t1);
            if d > 0.0 {
                if prev_dt > 0.0 {
                    p.repeats_base += 1;
                    p.repeats += ((dt - prev_dt).abs() < 0.5) as u32;
                }
                prev_dt = dt;
                p.interval.push(dt);
                p.speed.push(v);
                mv.speed.push(v);
                if last_v >= 0.0 {
                    let dv = v - last_v;
                    if last_dv != 0.0 && dv != 0.0 {
                        p.flip_base += 1;
                        p.flips += ((dv > 0.0) != (last_dv > 0.0)) as u32;
                    }
                    last_dv = dv;
                }
                last_v = v;
            }
        }
        if d > 0.0 {
            p.steps += 1;
            p.micro += (1.0..=3.0).contains(&d) as u32;
        }
        mv.bend_step(dx, dy);
        if d >= 1.0 {
            if ld > 0.0 {
                p.turn_sum += turn.abs();
                p.turns += 1;
            }
            if d >= TURN_MIN_PX {
                mv.turn_step(dx, dy, lx, ly, turn);
            }
            (lx, ly, ld) = (dx, dy, d);
        }
        (t0, x0, y0) = (t1, x1, y1);
    }
    mv.close(m, rows - 1, t0, x0, y0, p, s);
    p.tweened += mv.tweened_arrival(m, rows - 1, c, &mut tween_click) as u32;
}

/// What pressed where the pointer came to: nothing, the mouse, or a pen
/// or finger (click flag bit 4).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Press {
    None,
    Mouse,
    NotMouse,
}

/// Whether the first click at or after `t` (looked for from `*next` on,
/// which only moves forward: ask in time order) pressed within
/// [`PLACE_ACT_MS`] of `t` and [`PLACE_ACT_PX`] of `(x, y)` on each axis,
/// and with what.
fn press_at(c: &[f64], next: &mut usize, t: f64, x: f64, y: f64) -> Press {
    while *next * C_STRIDE < c.len() && c[*next * C_STRIDE] < t {
        *next += 1;
    }
    match c.get(*next * C_STRIDE..(*next + 1) * C_STRIDE) {
        Some(r) if r[0] - t <= PLACE_ACT_MS && (r[1] - x).abs() <= PLACE_ACT_PX && (r[2] - y).abs() <= PLACE_ACT_PX => {
            if flags(r[4]) & CLICK_NOT_MOUSE == 0 {
                Press::Mouse
            } else {
                Press::NotMouse
            }
        }
        _ => Press::None,
    }
}

/// Clicks against the pointer trace: both are time-ordered, so one merge
/// finds the last pointer sample before each click, and another the first
/// sample of its approach; a press soon after the one before and elsewhere
/// looks up the text entered between them. Returns the clicks not marked
/// trusted.
fn clicks(c: &[f64], m: &[f64], typed: &[f64], f: &mut Features) -> u32 {
    let (mut n, mut teleports, mut instant, mut centered, mut untrusted) = (0u32, 0u32, 0u32, 0u32, 0u32);
    // The press before (time, release, position); no press yet reads as
    // one long ago.
    let mut rushed = 0u32;
    let (mut prev_t, mut prev_up, mut prev_x, mut prev_y) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0.0);
    let (mut approaches, mut corrections, mut zero_pressure, mut activations) = (0u32, 0u32, 0u32, 0u32);
    let mut hold = Stats::default();
    let (mut j, mut k) = (0, 0);
    let rows = m.len() / M_STRIDE;
    for click in c.chunks_exact(C_STRIDE) {
        let (t, x, y, h, bits) = (
            click[0],
            clamp_xy(click[1]),
            clamp_xy(click[2]),
            click[3],
            flags(click[4]),
        );
        untrusted += (bits & CLICK_TRUSTED == 0) as u32;
        // Enter or Space on a button fires a click at (0, 0) with no press:
        // a keyboard user, not an instant click.
        if x == 0.0 && y == 0.0 && h <= 0.0 {
            continue;
        }
        while j < rows && m[j * M_STRIDE] <= t {
            j += 1;
        }
        while k < rows && m[k * M_STRIDE] < t - APPROACH_MS {
            k += 1;
        }
        // Samples k..j are the approach; none at all, a centred press and
        // an instant release: a control activated without the pointer.
        if k >= j && h == 0.0 && bits & CLICK_CENTRED != 0 {
            activations += 1;
            continue;
        }
        n += 1;
        // Rare in a person's window (a double click is on one spot), so the
        // keys are searched only then, not merged for every click.
        let (rx, ry) = (x - prev_x, y - prev_y);
        if t - prev_up < RUSH_MS && rx * rx + ry * ry >= RUSH_MIN_PX * RUSH_MIN_PX {
            rushed += text_between(typed, prev_t, t) as u32;
        }
        (prev_t, prev_up, prev_x, prev_y) = (t, t + h.max(0.0), x, y);
        // A tap or a pen's touch did not travel along the mouse trace: no
        // teleport, no approach to read.
        if j > 0 && bits & CLICK_NOT_MOUSE == 0 {
            let (_, px, py) = sample(m, j - 1);
            let (ex, ey) = (px - x, py - y);
            teleports += (ex * ex + ey * ey > TELEPORT_PX * TELEPORT_PX) as u32;
            // The approach: samples of the last 300 ms before the click. A
            // step that moves away from where the click lands is an overshoot
            // being corrected (or a hand drifting); a script only closes in.
            let from = k.min(j);
            let mut away = false;
            let mut last = f64::INFINITY;
            for r in m[from * M_STRIDE..j * M_STRIDE].chunks_exact(M_STRIDE) {
                let (ex, ey) = (clamp_xy(r[1]) - x, clamp_xy(r[2]) - y);
                let dist = (ex * ex + ey * ey).sqrt();
                away |= dist > last + 2.0;
                last = dist;
            }
            if j - from >= 3 {
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
    untrusted
}

/// Whether text was entered (a printable key, or an input with no key)
/// after `from` and before `to` (ms); keys are in time order.
fn text_between(k: &[f64], from: f64, to: f64) -> bool {
    let (mut lo, mut hi) = (0, k.len() / K_STRIDE);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if k[mid * K_STRIDE] <= from {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    k[lo * K_STRIDE..]
        .chunks_exact(K_STRIDE)
        .take_while(|r| r[0] < to)
        .any(|r| rounds_to(r[2], 0.0) || rounds_to(r[2], 4.0))
}

fn keys(k: &[f64], f: &mut Features) {
    let (mut hold, mut flight) = (Stats::default(), Stats::default());
    let (mut printable, mut pastes, mut zero, mut fingers) = (0u32, 0u32, 0u32, 0u32);
    let mut last_t = f64::NEG_INFINITY;
    for key in k.chunks_exact(K_STRIDE) {
        let (t, h, class) = (key[0], key[1], key[2]);
        if rounds_to(class, 4.0) {
            pastes += 1;
            continue;
        }
        printable += rounds_to(class, 0.0) as u32;
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
    // NaN before the first row, so that row has no gap.
    let mut last_t = f64::NAN;
    for row in s.chunks_exact(S_STRIDE) {
        device += !rounds_to(row[2], 3.0) as u32;
        same += (row[1].abs() == first_dy) as u32;
        let gap = row[0] - last_t;
        if gap <= 1000.0 {
            gaps.push(gap);
        }
        last_t = row[0];
    }
    f.device_scroll_share = ratio(device as f64, rows as f64);
    f.same_dy_share = if first_dy >= SCROLL_STEP_MIN_PX {
        ratio(same as f64, rows as f64)
    } else {
        0.0
    };
    f.scroll_interval_cv = if gaps.n >= 2.0 { gaps.cv() as f32 } else { 1.0 };
}

fn touches(t: &[f64], f: &mut Features) {
    f.touches = (t.len() / T_STRIDE) as f32;
    f.touch_moves = t.chunks_exact(T_STRIDE).filter(|r| rounds_to(r[3], 1.0)).count() as f32;
}
