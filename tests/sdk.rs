//! The JavaScript SDK (`sdk/js`, npm package `usehuma`): runs `npm ci` there
//! when `node_modules` is missing, then `npm test` (build, typecheck, vitest),
//! with this build's server binary in `HUMA_BIN`. The vitest global setup
//! starts that binary itself (127.0.0.1:0, a dev key, an admin token); the
//! suite covers the core client, usehuma/react in jsdom, usehuma/next, the
//! seed's code examples, `npm pack` resolution, the freshness and size of
//! the generated web/huma.js, and HumaGate in Debian's Chromium.

mod common;

use std::path::Path;
use std::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

#[test]
fn js_sdk_tests_pass() {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is not installed; the SDK's browser test needs Debian's Chromium: \
         `apt-get update && apt-get install -y chromium` (.ci/run does this)"
    );
    let sdk = Path::new(env!("CARGO_MANIFEST_DIR")).join("sdk/js");
    common::js::npm_ci(&sdk, "node_modules");
    let mut npm = Command::new("npm");
    npm.arg("test")
        .current_dir(&sdk)
        .env("HUMA_BIN", env!("CARGO_BIN_EXE_huma"))
        .env("CHROMIUM_PATH", CHROMIUM)
        .env("CI", "1")
        .env("NO_COLOR", "1");
    let stdout = common::js::run(npm, "npm test in sdk/js");
    assert!(
        stdout.contains("Test Files") && !stdout.contains(" failed"),
        "the SDK tests ran and passed: {stdout}"
    );
}
