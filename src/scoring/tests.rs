//! Kernel tests: synthetic people and scripts with known answers, the
//! properties every verdict must have, and real people from the Balabit
//! recordings (false-positive rate on sparse remote-desktop traces).

use std::f64::consts::PI;

use proptest::prelude::*;

use super::*;
use crate::signals::{Counts, Env, C_STRIDE};

/// Appends a human reach from (x0, y0) to (x1, y1): curved path, bell-shaped
/// (minimum-jerk) speed, sample jitter and 1 px tremor.
fn reach(rng: &mut fastrand::Rng, m: &mut Vec<f64>, t: &mut f64, from: (f64, f64), to: (f64, f64)) {
    let dist = (to.0 - from.0).hypot(to.1 - from.1);
    // Fitts-like duration with log-normal spread.
    let dur = (250.0 + 120.0 * (1.0 + dist / 20.0).log2()) * (0.3 * (rng.f64() - 0.5)).exp();
    let bend = (rng.f64() - 0.5) * 0.5 * dist;
    let (nx, ny) = (-(to.1 - from.1) / dist.max(1.0), (to.0 - from.0) / dist.max(1.0));
    let mut u = 0.0;
    while u < dur {
        u += 16.7 + (rng.f64() - 0.5) * 4.0;
        let s = (u / dur).min(1.0);
        let p = 10.0 * s.powi(3) - 15.0 * s.powi(4) + 6.0 * s.powi(5);
        let off = bend * (PI * p).sin();
        let x = from.0 + (to.0 - from.0) * p + nx * off + rng.i32(-1..=1) as f64;
        let y = from.1 + (to.1 - from.1) * p + ny * off + rng.i32(-1..=1) as f64;
        if m.len() >= 3 && m[m.len() - 2] == x.round() && m[m.len() - 1] == y.round() {
            continue;
        }
        m.extend([(*t + u).round(), x.round(), y.round()]);
    }
    *t += dur;
}

fn human_mouse(seed: u64) -> Signals {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut m, mut c) = (Vec::new(), Vec::new());
    let mut t = 100.0;
    let mut at = (400.0, 300.0);
    while t < 8000.0 && m.len() < 3 * 900 {
        let to = (rng.f64() * 1200.0 + 40.0, rng.f64() * 700.0 + 40.0);
        reach(&mut rng, &mut m, &mut t, at, to);
        at = to;
        if rng.bool() {
            let hold = 60.0 + rng.f64() * 80.0;
            c.extend([t + 30.0, at.0.round() + 1.0, at.1.round(), hold.round(), 1.0]);
            t += hold;
        }
        t += 200.0 + rng.f64() * 600.0;
    }
    let n = Counts {
        m: (m.len() / 3) as u32,
        mc: (m.len() / 6) as u32,
        c: (c.len() / 5) as u32,
        ..Counts::default()
    };
    let env = Env {
        chrome_obj: Some(true),
        webdriver: Some(false),
        ..Env::default()
    };
    Signals {
        dur: t + 100.0,
        m,
        c,
        n,
        env,
        ..Signals::default()
    }
}

/// A script: straight lines at constant speed, instant clicks dead centre.
fn bot_mouse() -> Signals {
    let (mut m, mut c) = (Vec::new(), Vec::new());
    let mut t = 0.0;
    let targets = [
        (100.0, 100.0),
        (700.0, 400.0),
        (300.0, 650.0),
        (900.0, 200.0),
        (500.0, 500.0),
    ];
    let mut at = (0.0, 0.0);
    for to in targets {
        let steps = 30;
        for i in 1..=steps {
            let p = i as f64 / steps as f64;
            t += 16.0;
            m.extend([
                t,
                (at.0 + (to.0 - at.0) * p).round(),
                (at.1 + (to.1 - at.1) * p).round(),
            ]);
        }
        c.extend([t, to.0, to.1, 0.0, 1.0 + 4.0]);
        at = to;
        t += 100.0;
    }
    let n = Counts {
        m: (m.len() / 3) as u32,
        c: 5,
        ..Counts::default()
    };
    Signals {
        dur: t,
        m,
        c,
        n,
        ..Signals::default()
    }
}

fn typing(seed: u64, uniform: bool) -> Signals {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut k = Vec::new();
    let mut t = 200.0;
    for i in 0..40 {
        let (flight, hold) = if uniform {
            (50.0, 20.0)
        } else {
            // Log-normal flight around 200 ms, hold around 100 ms (Dhakal et al.).
            let mut z = || (rng.f64() + rng.f64() + rng.f64() - 1.5) * 1.2;
            (200.0 * (0.5 * z()).exp(), 95.0 * (0.25 * z()).exp())
        };
        t += flight.round();
        let class = if i % 9 == 8 { 2.0 } else { 0.0 };
        k.extend([t, hold.round(), class]);
    }
    let n = Counts {
        k: 40,
        ..Counts::default()
    };
    Signals {
        dur: t + 300.0,
        k,
        n,
        ..Signals::default()
    }
}

fn has(v: &Verdict, l: Label) -> bool {
    v.notes.contains(l)
}

/// A window of `dur` ms with these pointer moves, clicks and keys, its
/// totals counted from the arrays.
fn window_of(dur: f64, m: Vec<f64>, c: Vec<f64>, k: Vec<f64>) -> Signals {
    let mut s = Signals {
        dur,
        m,
        c,
        k,
        ..Signals::default()
    };
    crate::corpus::recount(&mut s);
    s
}

/// A window of `n` printable keys alone from `start` (ms): each `flight`
/// after the last (times rounded to the ms, as the snippet sends them),
/// held `hold`; it lasts until 500 ms after the last key.
fn keys_only(
    seed: u64,
    start: f64,
    n: usize,
    flight: fn(&mut fastrand::Rng) -> f64,
    hold: fn(&mut fastrand::Rng) -> f64,
) -> Signals {
    let mut rng = fastrand::Rng::with_seed(seed);
    let (mut k, mut t) = (Vec::new(), start);
    for _ in 0..n {
        t += flight(&mut rng);
        k.extend([t.round(), hold(&mut rng), 0.0]);
    }
    window_of(t + 500.0, Vec::new(), Vec::new(), k)
}

/// The same people seen through a slow link or a busy page: only every
/// 12th or 18th pointer sample, 200–300 ms apart. An unmeasured speed CV is
/// not an even speed, and a sparse hand is not a pointer put down (see
/// "Degraded traces" in the model card).
#[test]
fn sparse_human_mouse_scores_human() {
    for (seed, k) in (0..20).flat_map(|seed| [(seed, 12), (seed, 18)]) {
        let mut s = human_mouse(seed);
        let rows: Vec<f64> = s.m.chunks_exact(3).step_by(k).flatten().copied().collect();
        s.m = rows;
        s.n.m = (s.m.len() / 3) as u32;
        s.validate().unwrap();
        let f = features::extract(&s);
        let v = score(&s);
        assert!(v.confidence >= 0.5, "seed {seed}, every {k}th: {v:?}\n{f:?}");
        assert!(!v.agent.is_agent);
    }
}

/// A window whose movements are all shorter than three samples has no
/// speed CV: the input is not read, whatever its value.
/// A placement is a pointer put where an agent then acts: a sample far
/// from the last after a long pause counts when a press follows on it at
/// once, or when the trace samples a moving hand densely; in a sparse
/// trace without that press it is a hand first seen mid-reach.
#[test]
fn placements_are_pressed_on_or_seen_in_dense_traces() {
    // Samples every `step` ms along a short drift, a 2 s pause, then one
    // sample 300 px away and a rest.
    let trace = |step: f64| {
        let mut m = Vec::new();
        let mut t = 0.0;
        for i in 0..20 {
            m.extend([t, 100.0 + 3.0 * i as f64, 100.0]);
            t += step;
        }
        t += 2000.0;
        m.extend([t, 460.0, 300.0]);
        (m, t)
    };
    let placements = |step: f64, press: Option<(f64, f64)>| {
        let (m, t) = trace(step);
        let c = match press {
            Some((dt, dx)) => vec![t + dt, 460.0 + dx, 300.0, 90.0, 1.0],
            None => vec![],
        };
        let s = Signals {
            dur: t + 3000.0,
            m,
            c,
            ..Signals::default()
        };
        features::extract(&s).placements
    };
    // Sparse (a sample every 250 ms, as a slow remote desktop gives).
    assert_eq!(placements(250.0, None), 0.0);
    assert_eq!(placements(250.0, Some((40.0, 1.0))), 1.0);
    // Pressed too late or elsewhere: not acted on.
    assert_eq!(placements(250.0, Some((400.0, 0.0))), 0.0);
    assert_eq!(placements(250.0, Some((40.0, 12.0))), 0.0);
    // Dense (60 Hz): a moving hand would have been seen on its way.
    assert_eq!(placements(16.0, None), 1.0);
}

#[test]
fn unmeasured_speed_cv_is_not_read() {
    let mut s = human_mouse(3);
    let rows: Vec<f64> = s.m.chunks_exact(3).step_by(20).flatten().copied().collect();
    s.m = rows;
    let f = features::extract(&s);
    assert_eq!(f.cv_samples, 0.0, "{f:?}");
    let (x, g) = model::inputs(&f);
    assert_eq!((x[1], g[1]), (0.0, 0.0), "speed_cv is input 1 and not gated in");
}

#[test]
fn human_mouse_scores_human() {
    for seed in 0..20 {
        let s = human_mouse(seed);
        s.validate().unwrap();
        let v = score(&s);
        assert!(v.confidence >= 0.5, "seed {seed}: {v:?}\n{:?}", features::extract(&s));
        assert!(has(&v, Label::OrganicMouse), "{v:?}");
        assert!(!v.agent.is_agent);
        assert!(v.active);
    }
}

#[test]
fn straight_constant_lines_with_instant_centred_clicks_score_bot() {
    let s = bot_mouse();
    s.validate().unwrap();
    let v = score(&s);
    assert!(v.confidence < 0.5, "{v:?}");
    for l in [
        Label::LinearMouse,
        Label::ConstantVelocity,
        Label::InstantClicks,
        Label::CenteredClicks,
    ] {
        assert!(has(&v, l), "{l:?} missing: {:?}", v.notes.iter().collect::<Vec<_>>());
    }
    assert!(v.reason_count > 0 && v.reasons()[0].weight < 0.0);
}

#[test]
fn webdriver_is_an_agent_and_a_bot() {
    let mut s = human_mouse(1);
    s.env.webdriver = Some(true);
    let v = score(&s);
    assert!(v.agent.is_agent && v.agent.signals.contains(Label::Webdriver), "{v:?}");
    assert!(v.confidence < 0.5);
}

/// `env` with these sizes (screen, outer, inner) and touch points.
fn sized(screen: [f64; 2], outer: [f64; 2], inner: [f64; 2], touch: u32) -> Env {
    Env {
        screen: Some(screen),
        outer: Some(outer),
        inner: Some(inner),
        touch_points: Some(touch),
        ..Env::default()
    }
}

#[test]
fn windows_no_display_can_hold_are_headless() {
    // As the three frameworks' headless Chromium 156 reported them
    // (bots/corpus): a default 800 × 600 screen under a 1280 × 800 window,
    // and Playwright's screen set to the viewport inside a window with a
    // toolbar.
    let bots = [
        ([800.0, 600.0], [1280.0, 800.0], [1280.0, 800.0]),
        ([800.0, 600.0], [1280.0, 800.0], [1280.0, 657.0]),
        ([1280.0, 800.0], [1288.0, 931.0], [1280.0, 800.0]),
        ([1280.0, 720.0], [1288.0, 805.0], [1280.0, 720.0]),
    ];
    // Each case's reading, and the verdict on a person's movements in it.
    let judge = |(screen, outer, inner): ([f64; 2], [f64; 2], [f64; 2])| {
        let mut s = human_mouse(3);
        s.env = sized(screen, outer, inner, 0);
        s.env.chrome_obj = Some(true);
        (features::impossible_window(&s.env), score(&s))
    };
    for case in bots {
        let (flagged, v) = judge(case);
        assert!(flagged, "{case:?}");
        assert!(v.confidence < 0.5 && v.agent.is_agent, "{v:?}");
        assert!(
            has(&v, Label::Headless) && v.agent.signals.contains(Label::Headless),
            "{v:?}"
        );
        // Phones and tablets are not judged by their sizes.
        let (screen, outer, inner) = case;
        assert!(!features::impossible_window(&sized(screen, outer, inner, 5)));
    }
    // What people's browsers report.
    let people = [
        // An ordinary window; full screen; a maximised window on Windows,
        // with its 8 px invisible borders, with and without a taskbar.
        ([1920.0, 1080.0], [1280.0, 800.0], [1280.0, 689.0]),
        ([1920.0, 1080.0], [1920.0, 1080.0], [1920.0, 1080.0]),
        ([1920.0, 1080.0], [1936.0, 1056.0], [1920.0, 969.0]),
        ([1920.0, 1080.0], [1936.0, 1096.0], [1920.0, 1009.0]),
        // iOS Safari in landscape: `screen` stays portrait.
        ([390.0, 844.0], [844.0, 390.0], [844.0, 340.0]),
        // A window stretched across two side-by-side monitors; one dragged
        // from a large monitor onto a laptop's, larger than it both ways
        // (Windows allows it).
        ([1920.0, 1080.0], [3400.0, 1000.0], [3400.0, 915.0]),
        ([1366.0, 768.0], [1800.0, 1000.0], [1784.0, 913.0]),
        // Firefox resistFingerprinting and Brave: the window reported as
        // the screen (Brave adds up to 8 px to each), and Brave's bucketed
        // screen on a 1280 × 1024 display.
        ([1280.0, 913.0], [1280.0, 913.0], [1280.0, 913.0]),
        ([1283.0, 918.0], [1285.0, 914.0], [1280.0, 913.0]),
        ([1440.0, 900.0], [1285.0, 1005.0], [1280.0, 1000.0]),
        // Zoomed out to 67 %: the viewport in CSS px is the screen's size,
        // the window (device-independent px) is not.
        ([1920.0, 1080.0], [1290.0, 805.0], [1920.0, 1080.0]),
    ];
    for case in people {
        let (flagged, v) = judge(case);
        assert!(!flagged, "{case:?}");
        assert!(
            v.confidence >= 0.5 && !v.agent.is_agent && !has(&v, Label::Headless),
            "{v:?}"
        );
    }
    // Sizes missing or zero say nothing.
    let mut partial = sized([800.0, 600.0], [1280.0, 800.0], [1280.0, 800.0], 0);
    partial.inner = None;
    assert!(!features::impossible_window(&partial));
    assert!(!features::impossible_window(&sized(
        [0.0, 0.0],
        [1280.0, 800.0],
        [1280.0, 800.0],
        0
    )));
}

/// A rewritten user agent is a signal, not a verdict: apps that embed a
/// browser and set their own user agent show the same client hints. Alone
/// it names itself among the agent signals and changes nothing else; with
/// a window no display holds it is an agent.
#[test]
fn a_rewritten_user_agent_is_a_signal_not_a_verdict() {
    let mut s = human_mouse(4);
    s.env.touch_points = Some(0);
    let before = score(&s).confidence;
    s.env.ua_spoofed = Some(true);
    let v = score(&s);
    assert!(
        v.confidence == before && v.confidence >= 0.5 && !v.agent.is_agent,
        "{v:?}"
    );
    assert!(v.agent.signals.contains(Label::SpoofedUserAgent), "{v:?}");
    // A reader with no pointer evidence at all is not tipped by it either.
    let reader = Signals {
        dur: 8000.0,
        env: s.env.clone(),
        ..Signals::default()
    };
    assert!(score(&reader).confidence >= 0.5 && !score(&reader).agent.is_agent);
    // With Playwright's screen-sized viewport in a window with a toolbar.
    s.env.screen = Some([1280.0, 800.0]);
    s.env.inner = Some([1280.0, 800.0]);
    s.env.outer = Some([1288.0, 931.0]);
    let v = score(&s);
    assert!(v.confidence < 0.5 && v.agent.is_agent, "{v:?}");
    // An in-app browser (Android WebView with the app's own user agent)
    // has no client hints either: on a touch device it is not read.
    s.env = Env {
        touch_points: Some(5),
        ua_spoofed: Some(true),
        ..Env::default()
    };
    let v = score(&s);
    assert!(!v.agent.signals.contains(Label::SpoofedUserAgent), "{v:?}");
}

#[test]
fn soft_agent_signals_alone_do_not_decide() {
    let mut s = Signals {
        dur: 5000.0,
        k: vec![1000.0, 0.0, 4.0],
        ..Signals::default()
    };
    assert!(!score(&s).agent.is_agent);
    assert!(score(&s).agent.signals.contains(Label::PasteWithoutKeys));
    s.c = vec![2000.0, 10.0, 10.0, 90.0, 5.0];
    assert!(!score(&s).agent.is_agent);
    assert!(score(&s).confidence >= 0.5, "{:?}", score(&s));
}

/// A computer-use agent's rhythm: think for seconds, put the pointer on
/// the target and press at once (`action_bursts`), type at machine pace.
/// The placements alone are a signal, not a verdict; with machine-even
/// typing they are an agent.
#[test]
fn pressed_placements_are_action_bursts_and_need_company() {
    let mut m = Vec::new();
    let mut c = Vec::new();
    let mut t = 500.0;
    for (x, y) in [(200.0, 150.0), (640.0, 420.0), (300.0, 600.0)] {
        m.extend([t, x, y]);
        c.extend([t + 40.0, x + 1.0, y, 80.0, 1.0]);
        t += 2500.0;
    }
    let n = Counts {
        m: 3,
        c: 3,
        ..Counts::default()
    };
    let placed = Signals {
        dur: t,
        m: m.clone(),
        c: c.clone(),
        n,
        ..Signals::default()
    };
    assert_eq!(
        features::extract(&placed).placements,
        2.0,
        "the first sample follows nothing"
    );
    let v = score(&placed);
    assert!(
        v.agent.signals.contains(Label::ActionBursts) && !v.agent.is_agent,
        "{v:?}"
    );
    // The same with machine-even typing after the last press.
    let mut typed = typing(5, true);
    for row in typed.k.chunks_exact_mut(3) {
        row[0] += t;
    }
    typed.dur += t;
    typed.m = m;
    typed.c = c;
    typed.n.m = 3;
    typed.n.c = 3;
    let v = score(&typed);
    assert!(
        v.agent.is_agent && v.agent.signals.contains(Label::ActionBursts),
        "{v:?}"
    );
    assert!(
        !score(&typing(5, true)).agent.is_agent,
        "uniform typing alone is not an agent"
    );
}

/// An agent driving the desktop as Anthropic's reference computer-use tool
/// does (`xdotool mousemove --sync x y click 1`, `xdotool type --delay 12`)
/// on a compact form: fields 70–90 px apart, presses released at once,
/// keys 12 ms apart with the X server's jitter (not machine-even). Its
/// placements and its typing together make it an agent; the same typing
/// without placements is a password manager's auto-type, not an agent.
#[test]
fn a_desktop_agent_on_a_compact_form_is_an_agent() {
    let mut rng = fastrand::Rng::with_seed(12);
    let (mut m, mut c, mut k) = (Vec::new(), Vec::new(), Vec::new());
    let mut t = 2000.0;
    for (x, y, chars) in [(640.0, 390.0, 15), (610.0, 472.0, 9), (655.0, 527.0, 0)] {
        m.extend([t, x, y]);
        c.extend([t + 20.0, x, y, 1.0, 1.0]);
        t += 300.0;
        for _ in 0..chars {
            t += 12.0 + rng.u32(0..=8) as f64;
            k.extend([t, rng.u32(1..=6) as f64, 0.0]);
        }
        t += 2500.0;
    }
    let n = Counts {
        m: 3,
        c: 3,
        k: 24,
        ..Counts::default()
    };
    let agent = Signals {
        dur: t,
        m,
        c,
        k: k.clone(),
        n,
        ..Signals::default()
    };
    let f = features::extract(&agent);
    assert_eq!(
        f.placements, 2.0,
        "71 px and 87 px, pressed on; the first follows nothing"
    );
    assert!(f.key_flight_cv > 0.15, "not machine-even: {}", f.key_flight_cv);
    let v = score(&agent);
    assert!(
        v.agent.is_agent && v.agent.signals.contains(Label::ActionBursts),
        "{v:?}"
    );
    let typed_alone = Signals {
        dur: t,
        k,
        n: Counts {
            k: 24,
            ..Counts::default()
        },
        ..Signals::default()
    };
    assert!(!score(&typed_alone).agent.is_agent, "{:?}", score(&typed_alone));
}

/// The same agent with pyautogui's defaults: `moveTo(x, y, duration)`
/// glides along a straight line at one speed, a step every 50 ms, and
/// `click()` presses where it stopped; `write()` types with no interval.
/// Each glide after think time is a tweened arrival, and with the typing
/// it is an agent. A person's reaches with the same rhythm (a bell-shaped
/// speed) are not tweens, and neither is a glide that nothing presses on,
/// nor one that did not start from rest.
#[test]
fn a_desktop_agent_gliding_by_linear_tweens_is_an_agent() {
    let mut rng = fastrand::Rng::with_seed(13);
    // `bell`: the same straight line and sampling, at a hand's speed
    // profile (minimum jerk) instead of one speed.
    let glide = |m: &mut Vec<f64>, t: &mut f64, from: (f64, f64), to: (f64, f64), steps: u32, bell: bool| {
        for i in 1..=steps {
            let s = i as f64 / steps as f64;
            let u = if bell {
                10.0 * s.powi(3) - 15.0 * s.powi(4) + 6.0 * s.powi(5)
            } else {
                s
            };
            *t += 50.0;
            m.extend([
                *t,
                (from.0 + (to.0 - from.0) * u).round(),
                (from.1 + (to.1 - from.1) * u).round(),
            ]);
        }
    };
    let targets = [(640.0, 390.0, 15), (612.0, 474.0, 9), (655.0, 525.0, 0)];
    let (mut m, mut c, mut k) = (vec![100.0, 960.0, 540.0], Vec::new(), Vec::new());
    let mut t = 100.0;
    let mut at = (960.0, 540.0);
    for (x, y, chars) in targets {
        t += 2000.0 + rng.f64() * 2000.0;
        glide(&mut m, &mut t, at, (x, y), 6 + rng.u32(0..=10), false);
        c.extend([t + 50.0, x, y, 1.0, 1.0]);
        at = (x, y);
        t += 300.0;
        for _ in 0..chars {
            t += 1.0 + rng.u32(0..=3) as f64;
            k.extend([t, 1.0, 0.0]);
        }
    }
    let signals = |m, c, k| window_of(t + 1000.0, m, c, k);
    let agent = signals(m.clone(), c.clone(), k.clone());
    let f = features::extract(&agent);
    assert_eq!((f.tweened, f.placements), (3.0, 0.0), "three glides, no placement");
    let v = score(&agent);
    assert!(
        v.agent.is_agent && v.agent.signals.contains(Label::ActionBursts),
        "{v:?}"
    );
    // In a browser the first glide is often the page's first pointer
    // sample (a pointer that did not move over the page before it): it
    // began after the window had no sample for over a second, a rest like
    // any other. A window that opens mid-movement (a session window) saw
    // no such rest, and its first movement is no arrival.
    let first_glide_first = signals(m[3..].to_vec(), c.clone(), k.clone());
    assert_eq!(features::extract(&first_glide_first).tweened, 3.0);
    let opened_late = m[3] - 20.0;
    let early = |rows: &[f64], stride: usize| -> Vec<f64> {
        let mut rows = rows.to_vec();
        rows.iter_mut().step_by(stride).for_each(|t| *t -= opened_late);
        rows
    };
    let mid_movement = window_of(
        t + 1000.0 - opened_late,
        early(&m[3..], 3),
        early(&c, C_STRIDE),
        early(&k, 3),
    );
    assert_eq!(features::extract(&mid_movement).tweened, 2.0);
    // The same glides with samples a frame late or early (a 50 ms sleep
    // whose events land on 60 Hz frames): equal steps, uneven speed.
    let mut framed = m.clone();
    for (i, row) in framed.chunks_exact_mut(3).enumerate().skip(1) {
        row[0] += [0.0, 17.0, -16.0][i % 3];
    }
    let f = features::extract(&signals(framed, c.clone(), k.clone()));
    assert!(f.speed_cv > 0.15, "not one speed: {}", f.speed_cv);
    assert_eq!(f.tweened, 3.0);

    // Nothing pressed where the glides stopped: no arrival.
    let mut missed = c.clone();
    for row in missed.chunks_exact_mut(C_STRIDE) {
        row[1] += 20.0;
    }
    assert_eq!(features::extract(&signals(m.clone(), missed, k.clone())).tweened, 0.0);
    // Under a second still before each glide (a pause, not think time):
    // not arrivals either.
    let mut hurried = m.clone();
    let mut shift = 0.0;
    for (i, row) in hurried.chunks_exact_mut(3).enumerate().skip(1) {
        if row[0] - m[(i - 1) * 3] > 1000.0 {
            shift += m[i * 3] - m[(i - 1) * 3] - 400.0;
        }
        row[0] -= shift;
    }
    let mut early = c.clone();
    let mut j = 0;
    for row in early.chunks_exact_mut(C_STRIDE) {
        while j + 1 < m.len() / 3 && m[(j + 1) * 3] <= row[0] {
            j += 1;
        }
        row[0] = hurried[j * 3] + 50.0;
    }
    assert_eq!(features::extract(&signals(hurried, early, Vec::new())).tweened, 0.0);

    // Three targets after think time: `path` moves there from where the
    // pointer was, and a press follows 50 ms later where it stopped.
    type Path<'a> = dyn FnMut(&mut fastrand::Rng, &mut Vec<f64>, &mut f64, (f64, f64), (f64, f64)) + 'a;
    let mut session = |path: &mut Path| {
        let (mut m, mut c) = (vec![100.0, 960.0, 540.0], Vec::new());
        let mut t = 100.0;
        let mut at = (960.0, 540.0);
        for (x, y, _) in targets {
            t += 2000.0 + rng.f64() * 2000.0;
            path(&mut rng, &mut m, &mut t, at, (x, y));
            c.extend([t + 50.0, m[m.len() - 2], m[m.len() - 1], 90.0, 1.0]);
            at = (x, y);
        }
        (m, c)
    };
    // The same glides at a hand's speed profile: not tweens.
    let (m, c) = session(&mut |rng, m, t, from, to| glide(m, t, from, to, 6 + rng.u32(0..=10), true));
    assert_eq!(features::extract(&signals(m, c, Vec::new())).tweened, 0.0);
    // At one speed along a bowed path (a humaniser's curve): not a tween.
    let (m, c) = session(&mut |_, m, t, from, to| {
        let (dx, dy) = (to.0 - from.0, to.1 - from.1);
        for i in 1..=12 {
            let u = i as f64 / 12.0;
            let bow = 0.3 * (PI * u).sin();
            *t += 50.0;
            m.extend([
                *t,
                (from.0 + dx * u - dy * bow).round(),
                (from.1 + dy * u + dx * bow).round(),
            ]);
        }
    });
    assert_eq!(features::extract(&signals(m, c, Vec::new())).tweened, 0.0);
    // A person with the same rhythm: curved reaches, tremor, a bell-shaped speed.
    let (m, c) = session(&mut |rng, m, t, from, to| reach(rng, m, t, from, to));
    let person = signals(m, c, Vec::new());
    assert_eq!(features::extract(&person).tweened, 0.0);
    assert!(!score(&person).agent.is_agent);
}

/// A laptop with a touch screen: the mouse moves in one corner, then a
/// finger taps two controls far from it. With the snippet's bit 4 (a touch
/// or pen press) the taps are not teleports and nothing in the agent head
/// reads them; sent as mouse presses, the same rows are two teleports.
#[test]
fn taps_on_a_touch_screen_are_not_teleports() {
    let mut rng = fastrand::Rng::with_seed(21);
    let (mut m, mut c) = (Vec::new(), Vec::new());
    let mut t = 100.0;
    let mut at = (300.0, 300.0);
    for to in [(480.0, 380.0), (350.0, 420.0), (520.0, 300.0)] {
        reach(&mut rng, &mut m, &mut t, at, to);
        let (lx, ly) = (m[m.len() - 2], m[m.len() - 1]);
        c.extend([t + 80.0, lx, ly, 95.0, 1.0]);
        at = to;
        t += 600.0;
    }
    for (x, y) in [(1150.0, 640.0), (1180.0, 90.0)] {
        t += 1500.0;
        c.extend([t, x, y, 85.0, 1.0 + 16.0]);
    }
    let taps = window_of(t + 500.0, m, c, Vec::new());
    let f = features::extract(&taps);
    assert_eq!(f.teleports, 0.0);
    let v = score(&taps);
    assert!(
        v.confidence >= 0.5 && !v.agent.signals.contains(Label::TeleportingPointer),
        "{v:?}"
    );
    let mut as_mouse = taps.clone();
    for row in as_mouse.c.chunks_exact_mut(C_STRIDE) {
        row[4] = 1.0;
    }
    assert_eq!(features::extract(&as_mouse).teleports, 2.0);
    assert!(score(&as_mouse).agent.signals.contains(Label::TeleportingPointer));
}

/// A pen lifted off the tablet and put down on another control: its first
/// sample there comes after seconds without one and is pressed at once,
/// the shape of a placement. With bit 4 on the press it is none (a pen
/// works that way); sent as a mouse press, it is one.
#[test]
fn a_pen_put_down_elsewhere_is_no_placement() {
    let mut rng = fastrand::Rng::with_seed(22);
    let (mut m, mut c) = (Vec::new(), Vec::new());
    let mut t = 100.0;
    reach(&mut rng, &mut m, &mut t, (300.0, 300.0), (520.0, 380.0));
    let (lx, ly) = (m[m.len() - 2], m[m.len() - 1]);
    c.extend([t + 60.0, lx, ly, 90.0, 1.0 + 16.0]);
    t += 1800.0;
    m.extend([t, 940.0, 610.0]);
    c.extend([t + 30.0, 940.0, 610.0, 85.0, 1.0 + 16.0]);
    let pen = window_of(t + 1500.0, m, c, Vec::new());
    assert_eq!(features::extract(&pen).placements, 0.0);
    let mut as_mouse = pen.clone();
    for row in as_mouse.c.chunks_exact_mut(C_STRIDE) {
        row[4] = 1.0;
    }
    assert_eq!(features::extract(&as_mouse).placements, 1.0);
}

/// A screen-reader user activating eight controls in a window, no mouse,
/// no typing: Chromium's simulated click for an assistive technology's
/// default action is a trusted press at the control's centre released in
/// the same task (0 ms), with no pointer move before it. Those are
/// activations, not clicks: the window stays human. The same presses
/// right after a pointer sample at the spot (a framework moving there
/// first), or held a few ms, are judged as clicks.
#[test]
fn assistive_technology_activations_are_not_instant_centred_clicks() {
    const CENTRED_TRUSTED: f64 = 5.0;
    let press = |i: usize, hold: f64| {
        [
            500.0 + 1100.0 * i as f64,
            300.0 + 40.0 * i as f64,
            220.0,
            hold,
            CENTRED_TRUSTED,
        ]
    };
    let window = |m, c| window_of(10_000.0, m, c, Vec::new());
    let reader = window(Vec::new(), (0..8).flat_map(|i| press(i, 0.0)).collect());
    let f = features::extract(&reader);
    assert_eq!((f.activations, f.clicks), (8.0, 0.0));
    let v = score(&reader);
    assert!(v.confidence >= 0.5 && !v.agent.is_agent, "{v:?}");
    assert!(
        !has(&v, Label::InstantClicks) && !has(&v, Label::CenteredClicks),
        "{v:?}"
    );

    // A framework: the pointer is moved onto each control, then pressed.
    let mut m = Vec::new();
    for i in 0..8 {
        let r = press(i, 0.0);
        m.extend([r[0] - 2.0, r[1], r[2]]);
    }
    let framework = window(m, (0..8).flat_map(|i| press(i, 0.0)).collect());
    let f = features::extract(&framework);
    assert_eq!((f.activations, f.clicks), (0.0, 8.0));
    assert!(score(&framework).confidence < 0.5, "{:?}", score(&framework));
    // Held 2 ms: two tasks, not an activation.
    let held = window(Vec::new(), (0..8).flat_map(|i| press(i, 2.0)).collect());
    assert_eq!(features::extract(&held).activations, 0.0);
}

/// Typing on a phone: Android's input method fires each key's keydown and
/// keyup together (keyCode 229), so every hold is 0–3 ms while the keys
/// follow a person's rhythm. On a device with touch points those holds are
/// not read; on a desktop the same rows are keys beyond fingers.
#[test]
fn an_on_screen_keyboard_is_not_judged_by_its_holds() {
    let mut phone = keys_only(5, 500.0, 20, |r| 150.0 + r.f64() * 300.0, |r| r.u32(0..=3) as f64);
    phone.env.touch_points = Some(5);
    let mut desktop = phone.clone();
    desktop.env.touch_points = Some(0);
    let (on_phone, on_desktop) = (score(&phone), score(&desktop));
    assert!(
        on_phone.confidence >= 0.6 && !has(&on_phone, Label::BotTyping),
        "{on_phone:?}"
    );
    assert!(has(&on_desktop, Label::BotTyping), "{on_desktop:?}");
    assert!(on_desktop.confidence < on_phone.confidence, "{on_desktop:?}");
}

/// A password manager fills the form: it sets the values and announces
/// them with untrusted keyboard and input events (`n.uk`), beside the
/// person's own trusted moves and presses. That is an assist, not injected
/// input. The same untrusted keys with nothing of a person beside them, or
/// with an untrusted pointer event among them, are injected; and a sender
/// that does not count `uk` is judged as before.
#[test]
fn untrusted_keys_beside_a_person_are_an_assist() {
    let mut filled = human_mouse(3);
    filled.n.u = 6;
    filled.n.uk = 6;
    let f = features::extract(&filled);
    assert_eq!((f.assisted_events, f.untrusted_share), (6.0, 0.0));
    let v = score(&filled);
    assert!(
        v.confidence >= 0.5 && !v.agent.is_agent && !v.agent.signals.contains(Label::SyntheticEvents),
        "{v:?}"
    );

    let mut scripted = window_of(3000.0, Vec::new(), Vec::new(), vec![500.0, 0.0, 0.0, 520.0, 0.0, 0.0]);
    scripted.n.u = 6;
    scripted.n.uk = 6;
    let v = score(&scripted);
    assert!(
        v.confidence <= 0.05 && v.agent.is_agent,
        "nothing of a person beside: {v:?}"
    );

    let mut with_pointer = filled.clone();
    with_pointer.n.u = 7;
    let v = score(&with_pointer);
    assert!(
        v.confidence <= 0.05 && v.agent.signals.contains(Label::SyntheticEvents),
        "an untrusted pointer event among them: {v:?}"
    );

    let mut legacy = filled.clone();
    legacy.n.uk = 0;
    assert!(score(&legacy).confidence <= 0.05, "no uk: every untrusted event counts");
}

#[test]
fn untrusted_events_decide_alone() {
    let s = Signals {
        dur: 3000.0,
        c: vec![100.0, 10.0, 10.0, 80.0, 0.0],
        n: Counts {
            c: 1,
            u: 1,
            ..Counts::default()
        },
        ..Signals::default()
    };
    let v = score(&s);
    assert!(
        v.confidence < 0.5 && v.agent.is_agent && has(&v, Label::SyntheticEvents),
        "{v:?}"
    );
}

/// Zero-pressure mouse presses (click flags bit 3) are injected input only
/// where no person makes them: trusted, held, off-centre, in Chromium on a
/// device without touch points. Every other row must score exactly as the
/// same window without the bit.
#[test]
fn zero_pressure_presses_decide_only_where_no_person_makes_them() {
    let desktop = |mut s: Signals| {
        s.env.touch_points = Some(0);
        s
    };
    // Sets `bits` on every click (and the hold, when given).
    let with = |mut s: Signals, bits: f64, hold: Option<f64>| {
        for c in s.c.chunks_exact_mut(C_STRIDE) {
            c[4] = bits;
            c[3] = hold.unwrap_or(c[3]);
        }
        s
    };
    const TRUSTED: f64 = 1.0;
    const CENTRED: f64 = 4.0;
    const ZERO: f64 = 8.0;
    let check = |what: &str, s: Signals, bits: f64, hold: Option<f64>, injected: bool| {
        let flagged = score(&with(s.clone(), bits + ZERO, hold));
        let plain = score(&with(s, bits, hold));
        if injected {
            assert!(
                plain.confidence >= 0.5 && !plain.agent.is_agent,
                "{what}, without the bit: {plain:?}"
            );
            assert!(flagged.confidence <= model::HARD_CAP, "{what}: {flagged:?}");
            assert!(flagged.agent.is_agent && flagged.agent.signals.contains(Label::SyntheticEvents));
            assert!(has(&flagged, Label::SyntheticEvents), "{what}: {flagged:?}");
        } else {
            assert_eq!(flagged, plain, "{what}: the bit must change nothing");
        }
    };
    for seed in 0..5 {
        let s = human_mouse(seed);
        assert!(s.c.len() >= C_STRIDE, "seed {seed} has clicks");
        check(
            "a CDP press (Chromium desktop)",
            desktop(s.clone()),
            TRUSTED,
            None,
            true,
        );
        check(
            "no window.chrome (old Safari, Firefox)",
            s.clone(),
            TRUSTED,
            None,
            false,
        );
        let mut touch = s.clone();
        touch.env.touch_points = Some(5);
        check(
            "a touch device (TalkBack's simulated click)",
            touch,
            TRUSTED,
            None,
            false,
        );
        check(
            "an assistive technology's click: centred, 0 ms",
            desktop(s.clone()),
            TRUSTED + CENTRED,
            Some(0.0),
            false,
        );
        check("a centred press", desktop(s.clone()), TRUSTED + CENTRED, None, false);
        check(
            "a press simulated in one task",
            desktop(s.clone()),
            TRUSTED,
            Some(0.0),
            false,
        );
    }
    // Bit 3 unset: a human window in Chromium on a desktop stays human.
    let v = score(&desktop(human_mouse(1)));
    assert!(
        v.confidence >= 0.5 && !v.agent.is_agent && !has(&v, Label::SyntheticEvents),
        "{v:?}"
    );
}

#[test]
fn empty_window_is_not_a_bot() {
    let v = score(&Signals {
        dur: 10_000.0,
        ..Signals::default()
    });
    assert!(v.confidence >= 0.5, "{v:?}");
    assert!(!v.active && has(&v, Label::NoActivity));
    assert!(!v.agent.is_agent);
    let headless = Signals {
        dur: 10.0,
        env: Env {
            headless_ua: Some(true),
            ..Env::default()
        },
        ..Signals::default()
    };
    assert!(score(&headless).confidence < 0.5);
}

#[test]
fn no_signals_is_low_and_inactive() {
    let v = no_signals();
    assert!(v.confidence <= 0.2 && !v.active && has(&v, Label::NoSignals));
}

#[test]
fn keyboard_only_natural_typing_is_human() {
    for seed in 0..20 {
        let v = score(&typing(seed, false));
        assert!(v.confidence >= 0.5, "{v:?}");
        assert!(has(&v, Label::NaturalTyping), "{v:?}");
    }
}

#[test]
fn uniform_key_timing_is_bot_typing() {
    let v = score(&typing(0, true));
    assert!(has(&v, Label::BotTyping), "{v:?}");
    assert!(v.agent.signals.contains(Label::UniformTyping));
    assert!(v.confidence < 0.5, "{v:?}");
}

/// Selenium's `send_keys` as recorded on a survey page (the held-out
/// `sapiagent_selenium` sessions): every key held 0–1 ms and struck 0–1 ms
/// after the last. Timings that small vary by 100 % from the clock's
/// rounding alone; that spread is not a finger's, and must not outweigh
/// keys no finger strikes.
#[test]
fn keys_faster_than_fingers_are_not_natural_for_their_jitter() {
    let mut w = keys_only(8, 300.0, 200, |r| r.u32(0..=1) as f64, |r| r.u32(0..=1) as f64);
    w.env.touch_points = Some(0);
    let v = score(&w);
    assert!(has(&v, Label::BotTyping) && !has(&v, Label::NaturalTyping), "{v:?}");
    assert!(v.confidence < 0.4, "{v:?}");
}

/// Scrolls: a script's steps (100 px every 50 ms, nothing that moves a
/// page before them) are a scripted scroll; a wheel's notches at a hand's
/// uneven pace are not. Neither is the tail of a finger's fling on a
/// phone (a pixel a frame, all alike and a frame apart), nor three
/// scrolls with a single interval under a second (a viewport that jumped
/// as the on-screen keyboard opened and closed), whose "regularity" is a
/// CV of one value.
#[test]
fn scroll_steps_and_their_rhythm() {
    let scrolled = |rows: &[(f64, f64, f64)]| {
        let mut s = Signals {
            dur: 10_000.0,
            ..Signals::default()
        };
        for &(t, dy, source) in rows {
            s.s.extend([t, dy, source]);
        }
        crate::corpus::recount(&mut s);
        score(&s)
    };
    let script: Vec<_> = (0..20).map(|i| (1000.0 + 50.0 * i as f64, 100.0, 3.0)).collect();
    assert!(has(&scrolled(&script), Label::ScriptedScroll));
    let mut t = 1000.0;
    let wheel: Vec<_> = [120.0, 340.0, 90.0, 610.0, 45.0, 280.0, 150.0, 500.0, 75.0, 220.0]
        .iter()
        .map(|gap| {
            t += gap;
            (t, 100.0, 0.0)
        })
        .collect();
    assert!(!has(&scrolled(&wheel), Label::ScriptedScroll));
    let fling_tail: Vec<_> = (0..20)
        .map(|i| ((1000.0 + 16.7 * i as f64).round(), 1.0, 3.0))
        .collect();
    assert!(!has(&scrolled(&fling_tail), Label::ScriptedScroll));
    let keyboard_jumps = [(500.0, 179.0, 3.0), (2532.0, -179.0, 3.0), (2747.0, -1221.0, 3.0)];
    assert!(!has(&scrolled(&keyboard_jumps), Label::ScriptedScroll));
}

#[test]
fn touch_only_is_human() {
    let mut t = Vec::new();
    for i in 0..20 {
        let phase = if i % 5 == 0 {
            0.0
        } else if i % 5 == 4 {
            2.0
        } else {
            1.0
        };
        t.extend([i as f64 * 40.0, 200.0, 300.0 + i as f64 * 7.0, phase]);
    }
    let v = score(&Signals {
        dur: 1000.0,
        t,
        ..Signals::default()
    });
    assert!(v.confidence >= 0.5 && has(&v, Label::TouchInput), "{v:?}");
}

#[test]
fn profiles_compare_only_shared_modalities() {
    let mouse = score(&human_mouse(3)).profile;
    let keys = score(&typing(3, false)).profile;
    assert!(mouse.0.iter().chain(keys.0.iter()).all(|x| x.is_finite()));
    assert_eq!(profile_distance(&mouse, &keys), None);
    assert_eq!(profile_distance(&mouse, &mouse), Some(0.0));
    let other = score(&human_mouse(4)).profile;
    let d = profile_distance(&mouse, &other).unwrap();
    assert!(d < PROFILE_SHIFT_THRESHOLD, "{d}");
    let bot = score(&bot_mouse()).profile;
    let to_bot = profile_distance(&mouse, &bot).unwrap();
    assert!(to_bot > 1.5 * d, "human-human {d}, human-bot {to_bot}");
}

/// Arbitrary valid windows, including absurd but finite numbers.
fn any_signals() -> impl Strategy<Value = Signals> {
    let num = prop_oneof![-1e300..1e300f64, -5.0..5.0f64, 0.0..2000.0f64, Just(0.0)];
    let rows = |stride: usize, cap: usize| prop::collection::vec(num.clone(), 0..(stride * cap.min(64)));
    (
        0.0..1e6f64,
        rows(3, 1024),
        rows(5, 128),
        rows(3, 512),
        rows(3, 256),
        rows(4, 512),
        any::<[u32; 8]>(),
        any::<[bool; 5]>(),
    )
        .prop_map(|(dur, m, c, k, s, t, n, e)| {
            let mut sig = Signals {
                dur,
                m,
                c,
                k,
                s,
                t,
                n: Counts {
                    m: n[0],
                    mc: n[1],
                    c: n[2],
                    k: n[3],
                    s: n[4],
                    t: n[5],
                    u: n[6],
                    uk: n[7],
                },
                env: Env {
                    webdriver: Some(e[0]),
                    cdp: Some(e[1]),
                    headless_ua: Some(e[2]),
                    chrome_obj: Some(e[3]),
                    ua_spoofed: Some(e[4]),
                    ..Env::default()
                },
                ..Signals::default()
            };
            // Make it valid: whole rows, sorted times within [0, dur].
            for a in crate::signals::Array::ALL {
                let stride = a.stride();
                let v = sig.array_mut(a);
                v.truncate(v.len() / stride * stride);
                let mut last = 0.0;
                for i in (0..v.len()).step_by(stride) {
                    last = v[i].abs().min(dur).max(last);
                    v[i] = last;
                }
            }
            sig
        })
}

proptest! {
    #[test]
    fn every_valid_window_gets_a_finite_verdict(s in any_signals()) {
        prop_assert_eq!(s.validate(), Ok(()));
        let v = score(&s);
        prop_assert!(v.confidence.is_finite() && (0.0..=1.0).contains(&v.confidence));
        prop_assert!(v.agent.agent_confidence.is_finite() && (0.0..=1.0).contains(&v.agent.agent_confidence));
        prop_assert!(v.profile.0.iter().all(|x| x.is_finite()));
        prop_assert!(v.reasons().iter().all(|r| r.weight.is_finite()));
        prop_assert!(v.reasons().windows(2).all(|w| w[0].weight.abs() >= w[1].weight.abs() - 1e-6));
    }
}

mod balabit;

#[test]
fn trained_weights_are_finite_and_usable() {
    let w = &weights::TRAINED;
    assert_eq!(model::INPUT_NAMES.len(), w.coef.len());
    for i in 0..model::INPUTS {
        assert!(
            w.mean[i].is_finite() && w.coef[i].is_finite(),
            "{}",
            model::INPUT_NAMES[i].0
        );
        assert!(
            w.scale[i].is_finite() && w.scale[i] > 0.0,
            "{}",
            model::INPUT_NAMES[i].0
        );
    }
    assert!(w.bias.is_finite() && w.threshold.is_finite());
    // With no evidence at all the trained part says nothing: the prior rules.
    let v = score(&Signals {
        dur: 10_000.0,
        ..Signals::default()
    });
    assert!(
        (v.confidence - 1.0 / (1.0 + (-model::BIAS).exp())).abs() < 1e-6,
        "{v:?}"
    );
}

/// A form filled the way a framework's own `click` and `fill` fill it (the
/// window of a patchright-core session in `bots/corpus`): the email field
/// pressed for 2 ms, its text put in 24 ms later with no key, the password
/// field pressed 61 ms after the first press. When `second` is later than
/// 331 ms, the password field's move, press and text come that much later.
fn clicked_and_filled(second: f64, text_between: bool) -> Signals {
    let shift = second - 331.0;
    let k = if text_between {
        vec![294.0, 0.0, 4.0, 349.0 + shift, 0.0, 4.0]
    } else {
        vec![349.0 + shift, 0.0, 4.0]
    };
    window_of(
        400.0 + shift,
        vec![268.0, 640.0, 246.0, 330.0 + shift, 640.0, 328.0],
        vec![270.0, 640.0, 246.0, 2.0, 5.0, second, 640.0, 328.0, 1.0, 5.0],
        k,
    )
}

/// A person takes a keystroke and a reach between leaving a filled field
/// and pressing the next one; a framework's `click`, `fill`, `click` does
/// it in 60 ms. Such a window is not human on that alone, and the same
/// presses at a person's pace, or with nothing typed between them, are not
/// rushed.
#[test]
fn a_field_clicked_filled_and_left_at_once_is_rushed() {
    let rushed = clicked_and_filled(331.0, true);
    assert_eq!(features::extract(&rushed).rushed_clicks, 1.0);
    let v = score(&rushed);
    assert!(v.confidence < 0.5 && has(&v, Label::ActionBursts), "{v:?}");

    // RUSH_MS after the release, and a person's pace (the fastest person
    // seen took 624 ms): not rushed.
    for second in [272.0 + features::RUSH_MS, 955.0] {
        assert_eq!(
            features::extract(&clicked_and_filled(second, true)).rushed_clicks,
            0.0,
            "{second}"
        );
    }
    // No text between the presses: a double press, or two clicks of a game.
    assert_eq!(features::extract(&clicked_and_filled(331.0, false)).rushed_clicks, 0.0);
    // The same spot pressed again (within RUSH_MIN_PX) is not another target.
    let mut again = clicked_and_filled(331.0, true);
    again.c[7] = 246.0 + features::RUSH_MIN_PX - 1.0;
    assert_eq!(features::extract(&again).rushed_clicks, 0.0);
}

#[path = "../../benches/support/windows.rs"]
mod bench_windows;
mod reference;

/// Every feature as (name, value), read from the `Debug` form so that a
/// feature added later is compared too.
fn named(f: &features::Features) -> Vec<(String, f32)> {
    let text = format!("{f:?}");
    let inner = text.trim_start_matches("Features {").trim_end_matches('}');
    inner
        .split(',')
        .map(|kv| {
            let (k, v) = kv.split_once(':').expect("name: value");
            (k.trim().to_string(), v.trim().parse().expect("a number"))
        })
        .collect()
}

/// The fast walk gives the reference's features, within rounding and the
/// error of `fast_atan2` (turns are sums of angles each within 1.2e-5 rad),
/// on people, scripts, the synthetic bot families and the benchmark's
/// window. A changed movement boundary would move whole features, far
/// beyond this tolerance.
#[test]
fn fast_features_match_the_reference() {
    let mut windows = vec![bot_mouse(), typing(3, false), typing(4, true)];
    windows.extend([331.0, 471.0, 955.0].map(|second| clicked_and_filled(second, true)));
    windows.extend((1..=12).map(human_mouse));
    for family in crate::corpus::synth::Family::ALL {
        for seed in 1..=8 {
            windows.push(crate::corpus::synth::generate(
                family,
                seed,
                &crate::corpus::synth::clean_env(),
            ));
        }
    }
    for events in [10, 100, 1000] {
        for shape in [bench_windows::Shape::Snippet, bench_windows::Shape::Fractional] {
            let json = bench_windows::with_events(events, shape);
            windows.push(crate::wire::signals::decode_signals_str(&json).expect("a valid window"));
        }
    }
    for (i, w) in windows.iter().enumerate() {
        assert_eq!(w.validate(), Ok(()), "window {i}");
        let (fast, slow) = (named(&features::extract(w)), named(&reference::extract(w)));
        assert_eq!(fast.len(), slow.len());
        assert!(fast.len() > 50, "{fast:?}");
        for ((name, a), (_, b)) in fast.iter().zip(&slow) {
            assert!(
                (a - b).abs() <= 1e-4 * b.abs().max(1.0),
                "window {i}: {name} is {a}, the reference says {b}"
            );
        }
    }
}

#[test]
fn fast_atan2_is_within_its_bound() {
    let mut worst = 0.0f64;
    for i in 0..20_000 {
        let angle = -std::f64::consts::PI + i as f64 * (2.0 * std::f64::consts::PI / 20_000.0);
        for r in [1e-3, 1.0, 37.5, 1e6] {
            let (y, x) = (r * angle.sin(), r * angle.cos());
            worst = worst.max((features::fast_atan2(y, x) - y.atan2(x)).abs());
        }
    }
    for (y, x) in [
        (0.0, 1.0),
        (1.0, 0.0),
        (0.0, -1.0),
        (-1.0, 0.0),
        (3.0, 3.0),
        (-3.0, -3.0),
    ] {
        worst = worst.max((features::fast_atan2(y, x) - f64::atan2(y, x)).abs());
    }
    assert_eq!(features::fast_atan2(0.0, 0.0), 0.0);
    // The bend test rotates by BEND_MIN instead of taking an angle.
    assert!((features::BEND_COS - features::BEND_MIN.cos()).abs() < 1e-15);
    assert!((features::BEND_SIN - features::BEND_MIN.sin()).abs() < 1e-15);
    assert!(worst <= 1.2e-5, "worst error {worst} rad");
    assert!(worst > 1e-7, "suspiciously exact ({worst}): is this libm?");
}
