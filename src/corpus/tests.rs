//! Loaders on a small slice of `../shared/data` (skipped with a message when
//! it is missing) and every synthetic family producing valid signals.

use std::collections::HashSet;
use std::path::Path;

use super::synth::{self, EnvKind, Family};
use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

fn data() -> Option<&'static Path> {
    let p = Path::new(DATA);
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipped: {DATA} is missing (the recordings sit beside the checkout)");
        None
    }
}

fn check_windows(ws: &[Window]) {
    for w in ws {
        assert_eq!(w.signals.validate(), Ok(()), "{} {} {}", w.dataset, w.family, w.person);
        assert!(!w.signals.is_empty());
        assert!(w.signals.dur > 0.0 && w.signals.dur <= WINDOW_MS);
        assert!(w
            .signals
            .m
            .chunks(3)
            .all(|r| r[1].fract() == 0.0 && r[2].fract() == 0.0));
        assert!(
            w.signals.c.chunks(5).all(|r| r[4] as u32 & 1 == 1),
            "clicks are trusted"
        );
    }
}

#[test]
fn balabit_slice() {
    let Some(root) = data() else { return };
    let ws = balabit::load(&root.join("balabit"), Some(1)).unwrap();
    check_windows(&ws);
    let persons: HashSet<_> = ws.iter().map(|w| w.person.as_str()).collect();
    assert_eq!(persons.len(), 6, "{persons:?}");
    assert!(ws.len() > 50, "{}", ws.len());
    assert!(ws.iter().all(|w| w.class == Class::Human && w.dataset == "balabit"));
}

#[test]
fn iliou_slice() {
    let Some(root) = data() else { return };
    let ws = iliou::load(&root.join("iliou"), Some(2)).unwrap();
    check_windows(&ws);
    for (family, class) in iliou::CLASSES {
        let f: Vec<_> = ws.iter().filter(|w| w.family == family).collect();
        let persons: HashSet<_> = f.iter().map(|w| w.person.as_str()).collect();
        assert_eq!(persons.len(), 2, "{family}");
        assert!(f.len() >= 4, "{family}: {} windows", f.len());
        assert!(f.iter().all(|w| w.class == class));
        assert!(f.iter().any(|w| !w.signals.c.is_empty()), "{family} has clicks");
        // 60 Hz framing: never two moves in one frame.
        for w in &f {
            let frames: Vec<i64> = w
                .signals
                .m
                .chunks(3)
                .map(|r| (r[0] / FRAME_MS).floor() as i64)
                .collect();
            assert!(frames.windows(2).all(|p| p[0] < p[1]));
        }
    }
}

#[test]
fn mousecapture_all() {
    let Some(root) = data() else { return };
    let ws = mousecapture::load(&root.join("mousecapture/trajectories.txt"), None).unwrap();
    check_windows(&ws);
    let persons: HashSet<_> = ws.iter().map(|w| w.person.as_str()).collect();
    assert!(persons.len() >= 1400, "{}", persons.len());
    let bots = ws.iter().filter(|w| w.class == Class::Bot).count();
    let share = bots as f64 / ws.len() as f64;
    assert!((0.05..0.25).contains(&share), "machine share {share}");
    assert!(ws.iter().all(|w| w.signals.c.len() == 5 || w.signals.c.is_empty()));
}

#[test]
fn cut_windows_and_frames() {
    let ev = [
        Event::Move {
            t: 1000.0,
            x: 1.0,
            y: 1.0,
        },
        Event::Move {
            t: 1005.0,
            x: 2.0,
            y: 2.0,
        },
        Event::Move {
            t: 1020.0,
            x: 3.0,
            y: 3.0,
        },
        Event::Click {
            t: 1020.0,
            x: 3.0,
            y: 3.0,
            hold: 90.0,
            flags: 1.0,
        },
        Event::Move {
            t: 11_500.0,
            x: 4.0,
            y: 4.0,
        },
        Event::Move {
            t: 11_400.0,
            x: 5.0,
            y: 5.0,
        },
    ];
    let ws = cut(&ev, None, &Env::default());
    assert_eq!(ws.len(), 2);
    assert_eq!(ws[0].m, vec![5.0, 2.0, 2.0, 20.0, 3.0, 3.0]);
    assert_eq!(ws[0].n.m, 3);
    assert_eq!(ws[0].dur, WINDOW_MS);
    assert_eq!(ws[1].m, vec![500.0, 4.0, 4.0]);
    assert_eq!(ws[1].dur, 500.0);
}

#[test]
fn synthetic_families_are_valid() {
    for kind in EnvKind::ALL {
        let env = kind.env();
        for family in Family::ALL {
            for seed in 0..50 {
                let s = synth::generate(family, seed, &env);
                assert_eq!(s.validate(), Ok(()), "{} seed {seed}", family.name());
                assert!(!s.is_empty(), "{} seed {seed}", family.name());
                assert_eq!(s.env.webdriver, Some(kind == EnvKind::Bot));
                assert_eq!(s, synth::generate(family, seed, &env), "deterministic");
                let has_input = !s.m.is_empty() || !s.k.is_empty();
                assert!(has_input, "{}", family.name());
            }
        }
    }
    let keys = synth::generate(Family::TypingConstant, 3, &EnvKind::Clean.env());
    assert!(keys.k.len() >= 3 * 20);
    let teleports = synth::generate(Family::ComputerUse, 3, &EnvKind::Clean.env());
    assert_eq!(teleports.m.len() / 3, teleports.c.len() / 5);
}

#[test]
fn replay_is_valid_and_close() {
    let base = synth::generate(Family::Bezier, 9, &Env::default());
    let r = synth::replay(&base, 1, &EnvKind::Clean.env());
    assert_eq!(r.validate(), Ok(()));
    assert_eq!(r.m.len(), base.m.len());
    for (a, b) in r.m.chunks(3).zip(base.m.chunks(3)) {
        assert!((a[1] - b[1]).abs() <= 1.0 && (a[2] - b[2]).abs() <= 1.0);
    }
    let ws = synth::windows(3, 7, &[&base]);
    assert_eq!(ws.len(), 2 * Family::ALL.len() * 3);
    assert!(ws.iter().all(|w| w.class == Class::Bot && w.signals.validate().is_ok()));
}

#[test]
fn browser_line_is_decoded_by_the_server_decoder() {
    let line = r#"{"framework":"puppeteer","style":"dispatched","seed":7,"verdict":{},
        "sessionData":{"v":1,"dur":900,"m":[10,5,6],"c":[20,5,6,0,4],"k":[30,0,4],"s":[],"t":[],"f":[],
        "n":{"m":2,"mc":0,"c":1,"k":1,"s":0,"t":0,"u":5},"env":{"webdriver":true,"cdp":true}}}"#
        .replace('\n', "");
    let w = browser::parse_line(&line).expect("a valid line");
    assert_eq!((w.dataset, w.family.as_str()), ("chromium", "puppeteer_dispatched"));
    assert_eq!((w.person.as_str(), w.class), ("puppeteer_dispatched_7", Class::Bot));
    assert_eq!((w.signals.n.u, w.signals.env.cdp), (5, Some(true)));
    // What the server would refuse is refused here, naming the field.
    let broken = line.replace(r#""m":[10,5,6]"#, r#""m":[10,5]"#);
    assert!(browser::parse_line(&broken).unwrap_err().contains("sessionData.m"));
}

#[test]
fn committed_chromium_corpus_decodes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("bots/corpus");
    let (ws, refused) = browser::load(&dir).expect("bots/corpus is committed");
    assert_eq!(refused, 0);
    assert!(ws.len() >= 100, "{} sessions", ws.len());
    let families: HashSet<_> = ws.iter().map(|w| w.family.as_str()).collect();
    assert_eq!(
        families.len(),
        23 + 2 * 6 + 7 + 6 + 5,
        "in Chromium 3 frameworks x 7 styles and the kit in 2, the two headful stealth forks x 6 styles, \
         Puppeteer in Firefox x 7 styles, the tool-calling agent in all six, nodriver x 4 styles headful \
         and 1 headless: {families:?}"
    );
    for w in &ws {
        assert_eq!(w.signals.validate(), Ok(()), "{}", w.person);
        let firefox = w.family.starts_with("puppeteer_firefox_");
        let fork = w.family.starts_with("patchright_") || w.family.starts_with("rebrowser_");
        // nodriver speaks the DevTools protocol without WebDriver and never
        // enables Runtime: headful, nothing of automation in the page;
        // headless, only Chromium's own HeadlessChrome.
        if let Some(rest) = w.family.strip_prefix("nodriver_") {
            let e = &w.signals.env;
            assert_eq!((e.webdriver, e.cdp), (Some(false), Some(false)), "{}", w.person);
            assert_eq!(e.headless_ua, Some(rest.starts_with("headless_")), "{}", w.person);
        }
        // Chromium's launch flag turns navigator.webdriver off natively;
        // Firefox keeps it on while driven, whatever its preference says. An
        // init script that redefines it is reported as webdriver by the
        // snippet in both.
        if w.family.ends_with("_stealth") {
            assert_eq!(w.signals.env.webdriver, Some(firefox), "{}", w.person);
        }
        if w.family.ends_with("_stealth_script") || firefox {
            assert_eq!(w.signals.env.webdriver, Some(true), "{}", w.person);
        }
        // Every stealth style in Chromium rewrites the user agent (a launch
        // switch, or the kit's patched client hints) and the snippet sees
        // it; the others keep Chromium's own, and it is not reported. The
        // headful forks keep theirs in every style; Firefox has no client
        // hints to compare, so nothing is reported.
        let rewritten = w.family.contains("_stealth") && !fork;
        let expected = if firefox { None } else { Some(rewritten) };
        assert_eq!(w.signals.env.ua_spoofed, expected, "{}", w.person);
        if fork || firefox {
            assert_eq!(w.signals.env.headless_ua, Some(false), "{}", w.person);
            assert_eq!(w.signals.env.chrome_obj, Some(!firefox), "{}", w.person);
        }
        if w.family.ends_with("_stealth_kit") {
            let e = &w.signals.env;
            assert_eq!(
                (e.webdriver, e.headless_ua),
                (Some(false), Some(false)),
                "{}: the kit hides both",
                w.person
            );
        }
        if w.family.ends_with("_dispatched") {
            assert!(w.signals.n.u > 0, "{}: dispatched events are untrusted", w.person);
            assert!(w.signals.c.chunks(5).all(|r| r[4] as u32 & 1 == 0), "{}", w.person);
        }
    }
}

#[test]
fn event_csv_pairs_presses_and_keeps_persons_apart() {
    let text = "person,t,event,x,y\n\
                a,1000,move,10,10\n\
                a,1020,down,12,10\n\
                b,5000,click,40,40\n\
                a,1105,up,12,10\n\
                a,1200,down,30,30\n\
                a,9000,up,30,30\n\
                a,oops,move,1,1\n\
                a,1300,wiggle,1,1\n\
                b,5016,move,41,40\n\
                b,5200,key,95,0\n\
                b,5290,key,80,1\n\
                b,5400,key,90,7\n\
                b,5500,key,-3,0\n\
                b,5600,scroll,120,0\n\
                b,5650,scroll,-40,2\n\
                b,5700,scroll,0,0\n\
                b,5750,scroll,50,4\n\
                b,5800,tap,200,300\n";
    let parsed = events_csv::parse(text);
    assert_eq!(
        parsed.skipped, 6,
        "a time that is not a number, an unknown event, a key class, a hold out of range, a scroll of 0 and a scroll source"
    );
    // One field of one kind of event, in order, for a person.
    let of = |p: &str, pick: fn(&Event) -> Option<(f64, f64)>| -> Vec<(f64, f64)> {
        parsed.persons[p].iter().filter_map(pick).collect()
    };
    let scrolls = of("b", |e| match *e {
        Event::Scroll { dy, source, .. } => Some((dy, source)),
        _ => None,
    });
    assert_eq!(scrolls, vec![(120.0, 0.0), (-40.0, 2.0)]);
    let keys = of("b", |e| match *e {
        Event::Key { hold, class, .. } => Some((hold, class)),
        _ => None,
    });
    assert_eq!(keys, vec![(95.0, 0.0), (80.0, 1.0)]);
    let clicks = |p: &str| {
        of(p, |e| match *e {
            Event::Click { hold, flags, .. } => Some((hold, flags)),
            _ => None,
        })
    };
    // Paired within 3 s; a 7.8 s press is a lost release and gets the
    // assumed hold, as does a bare click and a finger's tap.
    assert_eq!(
        clicks("a").iter().map(|c| c.0).collect::<Vec<_>>(),
        vec![85.0, ASSUMED_HOLD_MS]
    );
    assert_eq!(
        clicks("b"),
        vec![
            (ASSUMED_HOLD_MS, FLAG_TRUSTED),
            (ASSUMED_HOLD_MS, FLAG_TRUSTED + FLAG_TOUCH)
        ],
        "a click, then a finger's tap"
    );
    assert_eq!(parsed.persons["b"].len(), 7);

    let dir = std::env::temp_dir().join(format!("huma-events-csv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("people.csv");
    std::fs::write(&file, text).unwrap();
    let (ws, skipped) = events_csv::load(&file, "held_out", "test").unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(skipped, 6);
    assert_eq!(ws.iter().map(|w| w.signals.k.len() / 3).sum::<usize>(), 2);
    assert_eq!(ws.iter().map(|w| w.signals.s.len() / 3).sum::<usize>(), 2);
    check_windows(&ws);
    assert!(ws.iter().all(|w| w.class == Class::Human && w.family == "test"));
    let persons: HashSet<_> = ws.iter().map(|w| w.person.as_str()).collect();
    assert_eq!(persons, HashSet::from(["a", "b"]));
}
