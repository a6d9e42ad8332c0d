//! Signals v1 windows shaped like real ones, shared by the benchmarks and
//! the allocation test (included with `#[path]`, so it is not a bench
//! target of its own).

#![allow(dead_code)]

/// How the numbers are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Whole numbers, as `web/huma.js` sends them (it rounds times and
    /// pixels with `Math.round`).
    Snippet,
    /// Fractional CSS pixels and sub-millisecond times, as a client that
    /// does not round would send at non-integer zoom (the worst case).
    Fractional,
}

/// A browser-like window with `n` pointer moves and proportionate clicks
/// (n/8), keys (n/2), scrolls (n/4), touches (n/2) and focus changes (n/16),
/// each array capped as the spec caps it.
pub fn payload(n: usize, shape: Shape) -> String {
    let mut rng = fastrand::Rng::with_seed(n as u64);
    let frac = shape == Shape::Fractional;
    let time = move |t: f64| {
        if frac {
            format!("{t:.3}")
        } else {
            format!("{}", t as u64)
        }
    };
    let px = move |v: f64| {
        if frac {
            format!("{v:.2}")
        } else {
            format!("{}", v as u64)
        }
    };
    let mut row =
        |out: &mut Vec<String>, rows: usize, cap: usize, cell: &mut dyn FnMut(f64, &mut fastrand::Rng) -> String| {
            let rows = rows.min(cap);
            for i in 0..rows {
                let t = i as f64 * 9000.0 / rows.max(1) as f64 + rng.f64();
                out.push(cell(t, &mut rng));
            }
        };
    let (mut m, mut c, mut k, mut s, mut t, mut f) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    row(&mut m, n, 1024, &mut |t, r| {
        format!("{},{},{}", time(t), px(r.f64() * 1280.0), px(r.f64() * 800.0))
    });
    row(&mut c, n / 8, 128, &mut |t, r| {
        format!(
            "{},{},{},{},1",
            time(t),
            px(r.f64() * 1280.0),
            px(r.f64() * 800.0),
            r.u32(40..160)
        )
    });
    row(&mut k, n / 2, 512, &mut |t, r| {
        format!("{},{},{}", time(t), r.u32(40..160), r.u32(0..4))
    });
    row(&mut s, n / 4, 256, &mut |t, r| {
        format!("{},{},0", time(t), r.i32(-240..240))
    });
    row(&mut t, n / 2, 512, &mut |t, r| {
        format!("{},{},{},1", time(t), px(r.f64() * 400.0), px(r.f64() * 800.0))
    });
    row(&mut f, n / 16, 64, &mut |t, r| format!("{},{}", time(t), r.u32(0..2)));
    format!(
        r#"{{"v":1,"dur":9100,"m":[{}],"c":[{}],"k":[{}],"s":[{}],"t":[{}],"f":[{}],"n":{{"m":{n},"mc":{},"c":1,"k":3,"s":2,"t":0,"u":0}},"env":{{"host":"shop.example","webdriver":false,"cdp":false,"headless_ua":false,"chrome_obj":true,"plugins":5,"languages":2,"touch_points":0,"screen":[1920,1080],"outer":[1280,800],"inner":[1280,689],"dpr":1}}}}"#,
        m.join(","),
        c.join(","),
        k.join(","),
        s.join(","),
        t.join(","),
        f.join(","),
        n / 2
    )
}

/// Events (rows over all arrays) in `payload(n, _)`.
pub fn events(n: usize) -> usize {
    n.min(1024) + (n / 8).min(128) + (n / 2).min(512) + (n / 4).min(256) + (n / 2).min(512) + (n / 16).min(64)
}

/// The smallest payload of at least `bytes` (or the largest the caps allow).
pub fn sized(bytes: usize, shape: Shape) -> String {
    let mut n = 4;
    loop {
        let p = payload(n, shape);
        if p.len() >= bytes || n >= 1024 {
            return p;
        }
        n += 4;
    }
}

/// A window of about `events` events in all.
pub fn with_events(target: usize, shape: Shape) -> String {
    let mut n = 1;
    while events(n) < target && n < 1024 {
        n += 1;
    }
    payload(n, shape)
}
