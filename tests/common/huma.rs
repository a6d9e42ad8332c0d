//! Starts the real `huma` binary on `127.0.0.1:0` for integration tests,
//! learns its address from the "listening" log line, captures every log
//! line (the privacy test scans them), and stops it with SIGTERM or SIGKILL.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Which store a test server uses.
#[derive(Clone, Debug)]
pub enum Backend {
    Embedded(PathBuf),
    Redis(String),
}

pub struct Huma {
    child: Child,
    pub addr: SocketAddr,
    pub base: String,
    logs: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Huma {
    /// Starts a server on `backend` with the admin API on and `env` added.
    pub fn start(backend: &Backend, env: &[(&str, &str)]) -> Huma {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_huma"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HUMA_LISTEN", "127.0.0.1:0")
            .env("HUMA_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("HUMA_SECRET", "integration-test-secret-0123456789")
            .env("RUST_LOG", "info")
            // The production default (100 ms) is for a Redis on a quiet LAN;
            // dozens of tests share two cores here, where a process can wait
            // longer than that to be scheduled. tests/faults.rs runs the
            // default.
            .env("HUMA_REDIS_TIMEOUT_MS", "1000")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match backend {
            Backend::Embedded(dir) => {
                cmd.env("HUMA_DATA_DIR", dir);
            }
            Backend::Redis(url) => {
                cmd.env("REDIS_URL", url);
            }
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("the huma binary starts");
        let logs = Arc::new(Mutex::new(Vec::new()));
        let stderr_lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let sink = logs.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.contains("\"listening\"") {
                    let _ = tx.send(line.clone());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let stderr = child.stderr.take().expect("piped stderr");
        let sink = stderr_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let line = match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(l) => l,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "huma did not start listening; stdout: {:?} stderr: {:?}",
                    logs.lock().unwrap(),
                    stderr_lines.lock().unwrap()
                );
            }
        };
        let v: serde_json::Value = serde_json::from_str(&line).expect("log lines are JSON");
        let addr: SocketAddr = v["fields"]["addr"]
            .as_str()
            .expect("addr field")
            .parse()
            .expect("an address");
        Huma {
            child,
            addr,
            base: format!("http://{addr}"),
            logs,
            stderr: stderr_lines,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server wrote to stdout so far.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    pub fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then wait for the exit status.
    pub fn terminate(mut self) -> ExitStatus {
        signal(self.child.id(), "TERM");
        let status = wait(&mut self.child, Duration::from_secs(20));
        if !status.success() {
            // Say why before the caller's assertion fails.
            eprintln!(
                "huma exited with {status}; stderr: {:?}; last log lines: {:?}",
                self.stderr(),
                {
                    let logs = self.logs();
                    logs[logs.len().saturating_sub(10)..].to_vec()
                }
            );
        }
        status
    }

    /// SIGKILL: a crash, with no chance to flush.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Huma {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .expect("kill runs");
    assert!(ok.success(), "kill -{sig} {pid}");
}

fn wait(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(s) = child.try_wait().expect("try_wait") {
            return s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "huma did not exit within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `huma <args>` against `backend` and returns (status, stdout, stderr).
pub fn cli(backend: &Backend, args: &[&str]) -> (ExitStatus, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_huma"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn")
        .env("HUMA_REDIS_TIMEOUT_MS", "1000");
    match backend {
        Backend::Embedded(dir) => cmd.env("HUMA_DATA_DIR", dir),
        Backend::Redis(url) => cmd.env("REDIS_URL", url),
    };
    let out = cmd.output().expect("huma runs");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

pub fn data_dir(tmp: &tempfile::TempDir) -> PathBuf {
    Path::new(tmp.path()).join("data")
}
