//! The JavaScript SDK (`sdk/js`, npm package `usehuma`): runs `npm ci` there
//! when `node_modules` is missing, then `npm test` (build, typecheck, vitest),
//! with this build's server binary in `HUMA_BIN`. The vitest global setup
//! starts that binary itself (127.0.0.1:0, a dev key, an admin token); the
//! suite covers the core client, usehuma/react in jsdom, usehuma/next, the
//! seed's code examples, `npm pack` resolution, the freshness and size of
//! the generated web/huma.js, and HumaGate in Debian's Chromium.

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
    if !sdk.join("node_modules").exists() {
        let out = Command::new("npm")
            .arg("ci")
            .current_dir(&sdk)
            .output()
            .expect("npm runs (Node.js and npm are needed for the SDK tests)");
        assert!(
            out.status.success(),
            "npm ci failed in sdk/js:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new("npm")
        .arg("test")
        .current_dir(&sdk)
        .env("HUMA_BIN", env!("CARGO_BIN_EXE_huma"))
        .env("CHROMIUM_PATH", CHROMIUM)
        .env("CI", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("npm runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        out.status.success(),
        "npm test in sdk/js failed ({}); its output is above",
        out.status
    );
    assert!(
        stdout.contains("Test Files") && !stdout.contains(" failed"),
        "the SDK tests ran and passed: {stdout}"
    );
}
