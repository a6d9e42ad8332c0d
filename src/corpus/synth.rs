//! Synthetic bot families, deterministic from a seed. Each generator writes
//! raw events for one ~10 s window and cuts it like the snippet would (60 Hz
//! frames, latest position wins), so what reaches the kernel is what a page
//! would have seen. No coalesced counts (`n.mc = 0`) and no untrusted events:
//! these are CDP/OS-level injections, which the page sees as trusted.

use std::f64::consts::PI;

use super::{cut, Class, Event, Window, FLAG_CENTRED, FLAG_TRUSTED, WINDOW_MS};
use crate::signals::{Env, Signals};

/// Viewport the generators aim in.
const VIEW: (f64, f64) = (1280.0, 689.0);
/// Generators stop starting actions after this time in the window.
const STOP_MS: f64 = 9_000.0;

/// The generated families.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Straight lines at constant speed, 16 ms samples, instant centred clicks.
    Straight,
    /// Playwright `mouse.move(x, y, {steps: N})`, N evenly spaced points
    /// emitted 16 ms apart, then `click()` (≈1 ms hold, element centre).
    PlaywrightSteps16,
    /// The same with the points emitted back to back (0 ms apart): after 60 Hz
    /// framing the page sees about one point per move.
    PlaywrightSteps0,
    /// "Humanised" cubic Bezier paths with ease-in-out speed, jittered sample
    /// times, occasional overshoot, off-centre clicks held 60–150 ms.
    Bezier,
    /// Computer-use agent: long pauses, teleports to targets with no path,
    /// clicks held 50–100 ms, fast typing bursts (xdotool-like 12 ms).
    ComputerUse,
    /// Click into a field, then `type(text, {delay})`: constant delay.
    TypingConstant,
    /// WindMouse (B. Land's algorithm, common in game and desktop bots and
    /// pyautogui humanisers): a point pulled to the target by gravity and
    /// pushed by a random wind, speed clipped, 3–12 ms per step; off-centre
    /// clicks held 60–150 ms.
    WindMouse,
    /// A physiology-inspired humaniser: minimum-jerk reaches along a gently
    /// curved path, Fitts-law durations with spread, an undershooting primary
    /// reach followed by one or two corrective sub-movements, Gaussian
    /// position noise; off-centre clicks held 60–150 ms.
    MinJerk,
    /// A human window replayed with a time shift and small noise
    /// (see [`replay`]; [`generate`] cannot make it without a source).
    Replay,
    /// The "human curve" of the pyclick package (pyautogui's best-known
    /// humaniser, from its published description): a Bezier curve through
    /// two random knots within 100 px of the path's box, sampled at one
    /// point per pixel of the longer side, half of the points nudged in y
    /// by N(1, 1) px, then 100 of them picked along an ease-out-quad
    /// tween and visited at a constant interval (its `move(duration)`),
    /// then `pyautogui.click()` (press and release back to back).
    PyClick,
    /// Our own ease-out humaniser (trained on; not pyclick's algorithm):
    /// a quadratic curve bowed sideways by up to a quarter of the
    /// distance, timed by an ease-out tween (quadratic, cubic or sine:
    /// fastest at the start, no acceleration phase), Fitts-like durations
    /// with spread, 8–20 ms steps, Gaussian noise of 0.2–0.8 px;
    /// off-centre clicks held 60–150 ms.
    EaseOut,
}

impl Family {
    pub const ALL: [Family; 11] = [
        Family::Straight,
        Family::PlaywrightSteps16,
        Family::PlaywrightSteps0,
        Family::Bezier,
        Family::ComputerUse,
        Family::TypingConstant,
        Family::Replay,
        // Added after the others so that their seeds (by position) are unchanged.
        Family::WindMouse,
        Family::MinJerk,
        Family::PyClick,
        Family::EaseOut,
    ];

    /// Families the model is never trained on, only evaluated against:
    /// replays (people's own movements, caught by the store) and three
    /// humanisers kept out on purpose, so that their figures say how the
    /// model does on generators it has not seen.
    pub const HELD_OUT: [Family; 4] = [Family::Replay, Family::WindMouse, Family::MinJerk, Family::PyClick];

    /// Whether `huma-train` fits on this family.
    pub fn trained(self) -> bool {
        !Family::HELD_OUT.contains(&self)
    }

    /// The family called `name` (see [`Family::name`]).
    pub fn named(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Straight => "straight",
            Family::PlaywrightSteps16 => "playwright_steps_16ms",
            Family::PlaywrightSteps0 => "playwright_steps_0ms",
            Family::Bezier => "bezier_humanised",
            Family::ComputerUse => "computer_use",
            Family::TypingConstant => "typing_constant",
            Family::WindMouse => "windmouse",
            Family::MinJerk => "min_jerk",
            Family::Replay => "replay",
            Family::PyClick => "pyclick",
            Family::EaseOut => "ease_out",
        }
    }
}

/// Which `env` a synthetic window carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnvKind {
    /// Automation as shipped: `navigator.webdriver` true.
    Bot,
    /// Stealth: webdriver false, `window.chrome` present, 5 plugins.
    Clean,
}

impl EnvKind {
    pub const ALL: [EnvKind; 2] = [EnvKind::Bot, EnvKind::Clean];

    pub fn name(self) -> &'static str {
        match self {
            EnvKind::Bot => "bot_env",
            EnvKind::Clean => "clean_env",
        }
    }

    pub fn env(self) -> Env {
        let mut e = clean_env();
        if self == EnvKind::Bot {
            e.webdriver = Some(true);
        }
        e
    }
}

/// What an ordinary desktop Chrome shows (also used for humans "with env").
pub fn clean_env() -> Env {
    Env {
        host: None,
        webdriver: Some(false),
        cdp: Some(false),
        headless_ua: Some(false),
        chrome_obj: Some(true),
        plugins: Some(5),
        languages: Some(2),
        touch_points: Some(0),
        screen: Some([1920.0, 1080.0]),
        outer: Some([1280.0, 800.0]),
        inner: Some([VIEW.0, VIEW.1]),
        dpr: Some(1.0),
        ua_spoofed: Some(false),
    }
}

struct Gen {
    rng: fastrand::Rng,
    t: f64,
    at: (f64, f64),
    ev: Vec<Event>,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = fastrand::Rng::with_seed(seed);
        let at = (rng.f64() * VIEW.0, rng.f64() * VIEW.1);
        let t = 50.0 + rng.f64() * 400.0;
        Gen {
            rng,
            t,
            at,
            ev: Vec::new(),
        }
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.rng.f64()
    }

    fn target(&mut self) -> (f64, f64) {
        (self.range(40.0, VIEW.0 - 40.0), self.range(40.0, VIEW.1 - 40.0))
    }

    fn mv(&mut self, x: f64, y: f64) {
        self.ev.push(Event::Move { t: self.t, x, y });
        self.at = (x, y);
    }

    fn click(&mut self, hold: f64, centred: bool) {
        let flags = FLAG_TRUSTED + if centred { FLAG_CENTRED } else { 0.0 };
        let (x, y) = self.at;
        self.ev.push(Event::Click {
            t: self.t,
            x,
            y,
            hold,
            flags,
        });
        self.t += hold;
    }

    fn key(&mut self, hold: f64, class: f64) {
        self.ev.push(Event::Key { t: self.t, hold, class });
    }

    fn window(self, env: &Env) -> Signals {
        let ev: Vec<Event> = self.ev.into_iter().filter(|e| e.t() < WINDOW_MS).collect();
        let mut s = cut(&ev, Some(0.0), env).into_iter().next().unwrap_or_default();
        s.dur = WINDOW_MS;
        s.env = env.clone();
        s
    }
}

fn straight(g: &mut Gen) {
    let speed = g.range(0.4, 2.0); // px per ms
    while g.t < STOP_MS {
        let from = g.at;
        let to = g.target();
        let dist = (to.0 - from.0).hypot(to.1 - from.1);
        let steps = (dist / (speed * 16.0)).ceil().max(1.0) as usize;
        for i in 1..=steps {
            let p = i as f64 / steps as f64;
            g.t += 16.0;
            g.mv(from.0 + (to.0 - from.0) * p, from.1 + (to.1 - from.1) * p);
        }
        g.click(0.0, true);
        g.t += g.range(200.0, 800.0);
    }
}

fn playwright(g: &mut Gen, spacing: f64) {
    while g.t < STOP_MS {
        let from = g.at;
        let to = g.target();
        let steps = g.rng.usize(5..=25);
        for i in 1..=steps {
            let p = i as f64 / steps as f64;
            g.t += spacing;
            g.mv(from.0 + (to.0 - from.0) * p, from.1 + (to.1 - from.1) * p);
        }
        g.t += 1.0;
        let hold = g.range(0.0, 2.0).round();
        g.click(hold, true);
        g.t += g.range(100.0, 1500.0);
    }
}

fn bezier(g: &mut Gen) {
    while g.t < STOP_MS {
        let from = g.at;
        let centre = g.target();
        // Aim off centre, as a humaniser does; the click lands where the path ends.
        let to = (centre.0 + g.range(-10.0, 10.0), centre.1 + g.range(-6.0, 6.0));
        let overshoot = g.rng.f64() < 0.3;
        let aim = if overshoot {
            let k = g.range(1.03, 1.12);
            (from.0 + (to.0 - from.0) * k, from.1 + (to.1 - from.1) * k)
        } else {
            to
        };
        curve(g, from, aim);
        if overshoot {
            g.t += g.range(40.0, 120.0);
            let here = g.at;
            curve(g, here, to);
        }
        settle_and_click(g);
    }
}

/// One cubic Bezier with random control points, eased in and out, sampled
/// every 16 ms ± 5 ms.
fn curve(g: &mut Gen, from: (f64, f64), to: (f64, f64)) {
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let dist = dx.hypot(dy).max(1.0);
    let (nx, ny) = (-dy / dist, dx / dist);
    let (b1, b2) = (g.range(-0.4, 0.4) * dist, g.range(-0.4, 0.4) * dist);
    let p1 = (from.0 + dx * 0.3 + nx * b1, from.1 + dy * 0.3 + ny * b1);
    let p2 = (from.0 + dx * 0.7 + nx * b2, from.1 + dy * 0.7 + ny * b2);
    let dur = (200.0 + 130.0 * (1.0 + dist / 30.0).log2()) * g.range(0.7, 1.4);
    let start = g.t;
    let mut u = 0.0;
    while u < dur {
        u = (u + 16.0 + g.range(-5.0, 5.0)).min(dur);
        let s = 0.5 - 0.5 * (PI * u / dur).cos();
        let (x, y) = cubic([from, p1, p2, to], s);
        g.t = start + u;
        g.mv(x, y);
    }
}

/// The cubic Bezier through control points `p` at parameter `s`.
fn cubic(p: [(f64, f64); 4], s: f64) -> (f64, f64) {
    let a = 1.0 - s;
    let w = [a * a * a, 3.0 * a * a * s, 3.0 * a * s * s, s * s * s];
    (
        w[0] * p[0].0 + w[1] * p[1].0 + w[2] * p[2].0 + w[3] * p[3].0,
        w[0] * p[0].1 + w[1] * p[1].1 + w[2] * p[2].1 + w[3] * p[3].1,
    )
}

/// A humaniser's click after a reach: a short settle, then (usually) a
/// press held 60–150 ms where the pointer is, off the target's centre.
fn settle_and_click(g: &mut Gen) {
    g.t += g.range(30.0, 200.0);
    if g.rng.f64() < 0.7 {
        let hold = g.range(60.0, 150.0);
        g.click(hold, false);
    }
    g.t += g.range(250.0, 1200.0);
}

fn windmouse(g: &mut Gen) {
    // One parameter set per window, as one bot configuration would use.
    let gravity = g.range(5.0, 12.0);
    let wind0 = g.range(2.0, 5.0);
    let max_step0 = g.range(10.0, 20.0);
    let damp_dist = g.range(8.0, 15.0);
    let (wait_lo, wait_hi) = (g.range(3.0, 6.0), g.range(7.0, 12.0));
    while g.t < STOP_MS {
        let target = g.target();
        let to = (target.0 + g.range(-10.0, 10.0), target.1 + g.range(-6.0, 6.0));
        let (mut x, mut y) = g.at;
        let (mut vx, mut vy, mut wx, mut wy) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
        let (mut wind, mut max_step) = (wind0, max_step0);
        let (s3, s5) = (3f64.sqrt(), 5f64.sqrt());
        let mut guard = 0;
        loop {
            let dist = (to.0 - x).hypot(to.1 - y);
            if dist < 1.0 || guard > 2_000 {
                break;
            }
            guard += 1;
            wind = wind.min(dist);
            if dist >= damp_dist {
                wx = wx / s3 + g.range(-1.0, 1.0) * wind / s5;
                wy = wy / s3 + g.range(-1.0, 1.0) * wind / s5;
            } else {
                wx /= s3;
                wy /= s3;
                max_step = if max_step < 3.0 {
                    g.range(3.0, 6.0)
                } else {
                    max_step / s5
                };
            }
            vx += wx + gravity * (to.0 - x) / dist;
            vy += wy + gravity * (to.1 - y) / dist;
            let v = vx.hypot(vy);
            if v > max_step {
                let clip = max_step / 2.0 + g.range(0.0, max_step / 2.0);
                (vx, vy) = (vx / v * clip, vy / v * clip);
            }
            (x, y) = (x + vx, y + vy);
            g.t += g.range(wait_lo, wait_hi);
            g.mv(x.round(), y.round());
        }
        g.mv(to.0.round(), to.1.round());
        settle_and_click(g);
    }
}

/// A standard normal draw (Box–Muller).
fn normal(g: &mut Gen) -> f64 {
    let u = g.rng.f64().max(1e-12);
    (-2.0 * u.ln()).sqrt() * (2.0 * PI * g.rng.f64()).cos()
}

fn min_jerk(g: &mut Gen) {
    let noise = g.range(0.3, 1.2);
    while g.t < STOP_MS {
        let target = g.target();
        let to = (target.0 + g.range(-10.0, 10.0), target.1 + g.range(-6.0, 6.0));
        // Primary reach to 85–97 % of the distance, slightly off the line,
        // then one or two corrections onto the target.
        let from = g.at;
        let k = g.range(0.85, 0.97);
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let d = dx.hypot(dy).max(1.0);
        let side = g.range(-0.06, 0.06) * d;
        let first = (from.0 + dx * k - dy / d * side, from.1 + dy * k + dx / d * side);
        reach(g, first, 0.08, noise);
        for _ in 0..g.rng.usize(1..=2) {
            g.t += g.range(20.0, 90.0);
            reach(g, to, 0.03, noise);
        }
        settle_and_click(g);
    }
}

/// One minimum-jerk reach to `to` (position s = 10u³ − 15u⁴ + 6u⁵), its
/// midpoint bowed sideways by up to `bow` of the distance, duration from
/// Fitts' law with ±30 % spread, sampled every 7–9 ms with Gaussian noise.
fn reach(g: &mut Gen, to: (f64, f64), bow: f64, noise: f64) {
    let from = g.at;
    let (dx, dy) = (to.0 - from.0, to.1 - from.1);
    let d = dx.hypot(dy);
    if d < 1.0 {
        return;
    }
    let b = g.range(-bow, bow) * d;
    let (nx, ny) = (-dy / d, dx / d);
    let dur = (100.0 + 150.0 * (1.0 + d / 15.0).log2()) * g.range(0.7, 1.3);
    let start = g.t;
    let mut u = 0.0;
    while u < dur {
        u = (u + g.range(7.0, 9.0)).min(dur);
        let r = u / dur;
        let s = r * r * r * (10.0 - 15.0 * r + 6.0 * r * r);
        let bend = 4.0 * s * (1.0 - s) * b;
        let x = from.0 + dx * s + nx * bend + noise * normal(g);
        let y = from.1 + dy * s + ny * bend + noise * normal(g);
        g.t = start + u;
        g.mv(x, y);
    }
    g.mv(to.0, to.1);
}

fn pyclick(g: &mut Gen) {
    // One `move(duration)` per window, as one script would call it; the
    // 100 points are spread over it (pyautogui's pause after each move),
    // plus a millisecond or two of pyautogui's own work per point.
    let interval = g.range(0.5, 2.0) * 1000.0 / 100.0;
    while g.t < STOP_MS {
        let target = g.target();
        let to = (
            (target.0 + g.range(-10.0, 10.0)).round(),
            (target.1 + g.range(-6.0, 6.0)).round(),
        );
        let from = g.at;
        let knot = |g: &mut Gen| {
            (
                g.range(from.0.min(to.0) - 100.0, from.0.max(to.0) + 100.0).round(),
                g.range(from.1.min(to.1) - 100.0, from.1.max(to.1) + 100.0).round(),
            )
        };
        let (k1, k2) = (knot(g), knot(g));
        let n = ((to.0 - from.0).abs().max((to.1 - from.1).abs()).max(2.0)) as usize;
        // The curve at n parameter steps, interior points nudged in y.
        let curve: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let (x, y) = cubic([from, k1, k2, to], i as f64 / (n - 1) as f64);
                let nudge = if i > 0 && i + 1 < n && g.rng.f64() < 0.5 {
                    1.0 + normal(g)
                } else {
                    0.0
                };
                (x, y + nudge)
            })
            .collect();
        for i in 0..100 {
            let u = i as f64 / 99.0;
            let eased = u * (2.0 - u);
            let (x, y) = curve[((eased * (n - 1) as f64) as usize).min(n - 1)];
            g.mv(x.round(), y.round());
            g.t += interval + g.range(0.5, 2.0);
        }
        let hold = g.range(0.0, 3.0).round();
        g.click(hold, false);
        g.t += g.range(300.0, 2000.0);
    }
}

fn ease_out(g: &mut Gen) {
    // One tween per window, as one bot configuration would use.
    let kind = g.rng.usize(0..3);
    let ease = move |u: f64| match kind {
        0 => u * (2.0 - u),
        1 => 1.0 - (1.0 - u).powi(3),
        _ => (u * PI / 2.0).sin(),
    };
    let (step_lo, step_hi) = (g.range(8.0, 12.0), g.range(12.0, 20.0));
    let noise = g.range(0.2, 0.8);
    while g.t < STOP_MS {
        let target = g.target();
        let to = (target.0 + g.range(-10.0, 10.0), target.1 + g.range(-6.0, 6.0));
        let from = g.at;
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        let d = dx.hypot(dy).max(1.0);
        let bow = g.range(-0.25, 0.25) * d;
        let ctrl = (from.0 + dx / 2.0 - dy / d * bow, from.1 + dy / 2.0 + dx / d * bow);
        let dur = (200.0 + 180.0 * (1.0 + d / 20.0).log2()) * g.range(0.7, 1.3);
        let start = g.t;
        let mut u = 0.0;
        while u < dur {
            u = (u + g.range(step_lo, step_hi)).min(dur);
            let s = ease(u / dur);
            let a = 1.0 - s;
            let x = a * a * from.0 + 2.0 * a * s * ctrl.0 + s * s * to.0 + noise * normal(g);
            let y = a * a * from.1 + 2.0 * a * s * ctrl.1 + s * s * to.1 + noise * normal(g);
            g.t = start + u;
            g.mv(x.round(), y.round());
        }
        settle_and_click(g);
    }
}

fn computer_use(g: &mut Gen) {
    g.t += g.range(500.0, 2500.0);
    while g.t < STOP_MS {
        let to = g.target();
        let (x, y) = (
            to.0.round() + g.range(-3.0, 3.0).round(),
            to.1.round() + g.range(-3.0, 3.0).round(),
        );
        g.mv(x, y);
        g.t += g.range(20.0, 80.0);
        let hold = g.range(50.0, 100.0);
        let centred = (x - to.0.round()).abs() <= 1.0 && (y - to.1.round()).abs() <= 1.0;
        g.click(hold, centred);
        if g.rng.f64() < 0.4 {
            g.t += g.range(50.0, 300.0);
            for _ in 0..g.rng.usize(8..=30) {
                g.t += 12.0 + g.range(0.0, 2.0).round();
                let hold = g.range(3.0, 8.0).round();
                g.key(hold, 0.0);
            }
        }
        g.t += g.range(1500.0, 4000.0);
    }
}

fn typing_constant(g: &mut Gen) {
    let delay = [30.0, 50.0, 100.0, 150.0][g.rng.usize(0..4)];
    let to = g.target();
    g.mv(to.0, to.1);
    g.t += 1.0;
    g.click(1.0, true);
    g.t += g.range(50.0, 300.0);
    let n = g.rng.usize(20..=60);
    for i in 0..n {
        if g.t >= STOP_MS {
            break;
        }
        let class = if i + 1 == n { 3.0 } else { 0.0 };
        let hold = delay + g.range(0.0, 2.0).round();
        g.key(hold, class);
        g.t += hold + g.range(0.0, 3.0).round();
    }
}

/// One window of `family` (not [`Family::Replay`], which needs a source:
/// it falls back to [`Family::Bezier`] output replayed).
pub fn generate(family: Family, seed: u64, env: &Env) -> Signals {
    let mut g = Gen::new(seed);
    match family {
        Family::Straight => straight(&mut g),
        Family::PlaywrightSteps16 => playwright(&mut g, 16.0),
        Family::PlaywrightSteps0 => playwright(&mut g, 0.0),
        Family::Bezier => bezier(&mut g),
        Family::ComputerUse => computer_use(&mut g),
        Family::TypingConstant => typing_constant(&mut g),
        Family::WindMouse => windmouse(&mut g),
        Family::MinJerk => min_jerk(&mut g),
        Family::PyClick => pyclick(&mut g),
        Family::EaseOut => ease_out(&mut g),
        Family::Replay => {
            let base = generate(Family::Bezier, seed ^ 0x5eed, env);
            return replay(&base, seed, env);
        }
    }
    g.window(env)
}

/// Replays a recorded window: every time shifted by one offset (0–500 ms),
/// ±2 ms time jitter (order kept), ±1 px position noise, ±3 ms hold noise.
pub fn replay(base: &Signals, seed: u64, env: &Env) -> Signals {
    let mut rng = fastrand::Rng::with_seed(seed);
    let shift = (rng.f64() * 500.0).round();
    let mut s = base.clone();
    let mut jitter = |xs: &mut Vec<f64>, stride: usize, pos: bool, hold: Option<usize>| {
        let mut prev = 0.0f64;
        for row in xs.chunks_mut(stride) {
            let t = (row[0] + shift + rng.i32(-2..=2) as f64).max(prev);
            row[0] = t;
            prev = t;
            if pos {
                row[1] += rng.i32(-1..=1) as f64;
                row[2] += rng.i32(-1..=1) as f64;
            }
            if let Some(h) = hold {
                row[h] = (row[h] + rng.i32(-3..=3) as f64).max(0.0);
            }
        }
    };
    jitter(&mut s.m, 3, true, None);
    jitter(&mut s.c, 5, true, Some(3));
    jitter(&mut s.k, 3, false, Some(1));
    jitter(&mut s.s, 3, false, None);
    jitter(&mut s.t, 4, true, None);
    jitter(&mut s.f, 2, false, None);
    s.dur = base.dur + shift;
    s.n.mc = 0;
    s.env = env.clone();
    s
}

/// `per_family` windows of every family for every [`EnvKind`]. Replays draw
/// their sources from `humans` in turn (skipped when it is empty); each
/// generated window is its own person.
pub fn windows(per_family: usize, seed: u64, humans: &[&Signals]) -> Vec<Window> {
    let mut out = Vec::new();
    for kind in EnvKind::ALL {
        let env = kind.env();
        for (fi, family) in Family::ALL.into_iter().enumerate() {
            for i in 0..per_family {
                let s = seed
                    .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                    .wrapping_add((fi as u64) << 32 | i as u64);
                let (signals, person) = if family == Family::Replay {
                    if humans.is_empty() {
                        break;
                    }
                    let h = (i * 7919) % humans.len();
                    (replay(humans[h], s, &env), format!("replay-of-{h}"))
                } else {
                    (generate(family, s, &env), format!("{}-{i}", family.name()))
                };
                out.push(Window {
                    dataset: "synth",
                    family: format!("{}/{}", family.name(), kind.name()),
                    person,
                    class: Class::Bot,
                    signals,
                });
            }
        }
    }
    out
}
