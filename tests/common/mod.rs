#![allow(dead_code)]
//! Shared helpers of the integration tests. `RedisServer` runs a private,
//! throwaway `redis-server` per test, so tests never touch (or depend on) a
//! Redis already running on the machine.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `redis-server` on a free loopback port, killed on drop: without
/// persistence (`start`), or with every write fsynced to an append-only
/// file in `dir` (`start_persistent`), so it can be killed and restarted on
/// the same port with its data.
pub struct RedisServer {
    child: Child,
    port: u16,
    dir: Option<std::path::PathBuf>,
}

impl RedisServer {
    /// Starts a server and waits until it answers PING. Panics with a clear
    /// message when `redis-server` is not installed or does not come up.
    pub fn start() -> RedisServer {
        Self::start_in(None)
    }

    /// A server whose every write is fsynced to an append-only file in `dir`.
    pub fn start_persistent(dir: &std::path::Path) -> RedisServer {
        Self::start_in(Some(dir.to_path_buf()))
    }

    fn start_in(dir: Option<std::path::PathBuf>) -> RedisServer {
        // A port picked free can be taken before redis binds it, so retry a few times.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port();
            let mut server = RedisServer {
                child: spawn(port, dir.as_deref()),
                port,
                dir: dir.clone(),
            };
            match server.wait_ready(Duration::from_secs(5)) {
                Ok(()) => return server,
                Err(e) => last = e,
            }
        }
        panic!("redis-server did not start: {last}");
    }

    /// SIGKILL: Redis is gone at once, as in a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts it again on the same port (and data directory).
    pub fn restart(&mut self) {
        for _ in 0..50 {
            self.child = spawn(self.port, self.dir.as_deref());
            if self.wait_ready(Duration::from_secs(5)).is_ok() {
                return;
            }
            // The port may linger a moment after the kill.
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("redis-server did not restart on port {}", self.port);
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    fn wait_ready(&mut self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("redis-server on port {} exited with {status}", self.port));
            }
            if ping(self.port) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(format!("no PONG from port {} within {within:?}", self.port))
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(port: u16, dir: Option<&std::path::Path>) -> Child {
    let port = port.to_string();
    let mut args = vec!["--port", &port, "--bind", "127.0.0.1"];
    let dir_s;
    match dir {
        Some(d) => {
            dir_s = d.display().to_string();
            args.extend([
                "--dir",
                &dir_s,
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ]);
        }
        None => args.extend(["--save", "", "--appendonly", "no"]),
    }
    Command::new("redis-server")
        .args(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run redis-server ({e}); the Redis tests need it on PATH (apt-get install redis-server)")
        })
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

fn ping(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = [0u8; 7];
    s.write_all(b"PING\r\n").is_ok() && s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
}

pub mod api;
pub mod huma;
pub mod js;
pub mod receiver;
