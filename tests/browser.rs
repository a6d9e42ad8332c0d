//! The real-browser check: starts huma (embedded store, a dev key), then
//! runs `node --test tests/browser/`, which drives `/demo` in Debian's
//! Chromium with playwright-core and asserts that the automation is caught
//! and that the snippet's signals are valid, checks the snippet's
//! sampling, caps, classes, flags, privacy and session heartbeats, and has
//! Playwright, Puppeteer and Selenium (`bots/`) each drive `/demo` and be
//! caught, stealth Puppeteer by its zero-pressure presses alone, and has a
//! plain headful Chromium on a virtual X display (Xvfb) given input through
//! the X server (xdotool) be called human, with and without a mouse.
//! Chromium, ChromeDriver, Xvfb, xdotool and xclip are CI requirements
//! (`.ci/run` installs them), so their absence fails the test rather than
//! skipping it.

mod common;

use std::path::Path;
use std::process::Command;

use common::huma::{Backend, Huma};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEV_KEY: &str = "huma_live_BrowserTestKey0123456789abcdefgh";

#[test]
fn browser_tests_pass_in_debian_chromium() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is not installed; the browser test needs Debian's Chromium: \
         `apt-get update && apt-get install -y chromium chromium-driver` (.ci/run does this)"
    );
    assert!(
        Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is not installed; Selenium needs Debian's ChromeDriver: \
         `apt-get install -y chromium-driver` (.ci/run does this)"
    );
    for (bin, package) in [
        ("/usr/bin/Xvfb", "xvfb"),
        ("/usr/bin/xdotool", "xdotool"),
        ("/usr/bin/xclip", "xclip"),
    ] {
        assert!(
            Path::new(bin).exists(),
            "{bin} is not installed; the headful test needs it: `apt-get install -y {package}` (.ci/run does this)"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // tests/browser has the harness's playwright-core; bots/ has the three
    // frameworks that frameworks.test.mjs drives through bots/drivers.mjs.
    for (dir, marker) in [
        ("tests/browser", "node_modules/playwright-core"),
        ("bots", "node_modules/selenium-webdriver"),
    ] {
        common::js::npm_ci(&root.join(dir), marker);
    }

    let tmp = tempfile::tempdir().expect("a temp dir");
    let huma = Huma::start(
        &Backend::Embedded(tmp.path().join("data")),
        &[("HUMA_DEV_KEY", DEV_KEY)],
    );
    let mut node = Command::new("node");
    node.args(["--test", "tests/browser/"])
        .current_dir(root)
        .env("HUMA_URL", &huma.base)
        .env("HUMA_DEV_KEY", DEV_KEY)
        .env("CHROMIUM_PATH", CHROMIUM);
    let stdout = common::js::run(node, "node --test tests/browser/");
    assert!(
        stdout.contains("# fail 0") && !stdout.contains("# pass 0"),
        "the browser tests ran and passed: {stdout}"
    );
}
