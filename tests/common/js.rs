//! Running the JavaScript test suites from Rust tests: `npm ci` where the
//! packages are missing, then the suite, with its output printed and its
//! exit status asserted.

use std::path::Path;
use std::process::Command;

/// `npm ci` in `dir` unless `marker` (a path inside it) already exists.
pub fn npm_ci(dir: &Path, marker: &str) {
    if dir.join(marker).exists() {
        return;
    }
    let out = Command::new("npm")
        .arg("ci")
        .current_dir(dir)
        .output()
        .expect("npm runs (Node.js and npm are needed for the JavaScript tests)");
    assert!(
        out.status.success(),
        "npm ci failed in {}:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `cmd`, prints what it wrote, asserts it exited 0, returns stdout.
pub fn run(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what} could not start: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    println!("{stdout}");
    eprintln!("{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "{what} failed ({}); its output is above",
        out.status
    );
    stdout
}
