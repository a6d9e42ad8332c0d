//! Round trips to Redis per verify, counted without a clock: huma talks to
//! its private `redis-server` through a proxy that forwards every command at
//! once but holds Redis's replies until the test releases them. What huma
//! sends while a reply is held cannot depend on that reply, so the commands
//! seen between two releases are one round trip. A warm verify (key seen
//! before, signals with a fingerprint) must take two: the key read together
//! with the quota take, then the token written together with the replay
//! check — three commands in all.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use common::api::{human_signals, Api};
use common::huma::{Backend, Huma};
use common::RedisServer;

/// A command huma sent (its arguments), with the number of releases before it.
type Sent = (u32, Vec<String>);

/// One connection from huma: how many commands it sent, and how many of
/// their replies may pass while the gate is held.
#[derive(Default)]
struct Conn {
    sent: AtomicUsize,
    allowed: AtomicUsize,
}

struct Proxy {
    port: u16,
    /// `(held, releases)`; every change wakes the reply tasks.
    gate: watch::Sender<(bool, u32)>,
    conns: Arc<Mutex<Vec<Arc<Conn>>>>,
    /// Every command huma sent, with the number of releases before it.
    log: Arc<Mutex<Vec<Sent>>>,
}

impl Proxy {
    async fn start(redis_port: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (gate, _) = watch::channel((false, 0));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (g, cs, l) = (gate.clone(), conns.clone(), log.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(("127.0.0.1", redis_port)).await.unwrap();
                let conn = Arc::new(Conn::default());
                cs.lock().unwrap().push(conn.clone());
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(commands(cr, sw, conn.clone(), g.subscribe(), l.clone()));
                tokio::spawn(replies(sr, cw, conn, g.subscribe()));
            }
        });
        Proxy { port, gate, conns, log }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// From now on a reply passes only once released (what was sent before
    /// this may still be answered).
    fn hold(&self) {
        self.allow_what_was_sent();
        self.gate.send_modify(|g| g.0 = true);
    }

    /// Lets through the replies to every command sent so far: one round trip.
    fn release(&self) {
        self.allow_what_was_sent();
        self.gate.send_modify(|g| g.1 += 1);
    }

    fn open(&self) {
        self.gate.send_modify(|g| *g = (false, g.1 + 1));
    }

    fn allow_what_was_sent(&self) {
        for c in self.conns.lock().unwrap().iter() {
            c.allowed.store(c.sent.load(Ordering::SeqCst), Ordering::SeqCst);
        }
    }

    fn log_len(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// The commands since `from` that belong to requests, not to huma's
    /// background work (outbox poller, limit reconciliation).
    fn request_commands(&self, from: usize) -> Vec<Sent> {
        self.log.lock().unwrap()[from..]
            .iter()
            .filter(|(_, c)| {
                !c.iter()
                    .any(|a| a.starts_with("huma:{outbox}") || a.starts_with("huma:lim:"))
            })
            .cloned()
            .collect()
    }

    /// Waits until the request commands since `from` satisfy `done` (a
    /// liveness bound, not a timing check: a command that never comes fails).
    async fn wait_for(&self, from: usize, what: &str, done: impl Fn(&[Sent]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let seen = self.request_commands(from);
            if done(&seen) {
                return;
            }
            assert!(Instant::now() < deadline, "never sent {what}; sent: {seen:?}");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Huma → Redis: forwarded at once, each command logged and counted.
async fn commands(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    conn: Arc<Conn>,
    gate: watch::Receiver<(bool, u32)>,
    log: Arc<Mutex<Vec<Sent>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some((cmd, used)) = parse_command(&buf) {
            buf.drain(..used);
            log.lock().unwrap().push((gate.borrow().1, cmd));
            conn.sent.fetch_add(1, Ordering::SeqCst);
        }
        if to.write_all(&chunk[..n]).await.is_err() {
            return;
        }
    }
}

/// Redis → huma, reply by reply: while the gate is held, the reply to the
/// n-th command passes only if that command was sent before the last release.
async fn replies(
    mut from: OwnedReadHalf,
    mut to: OwnedWriteHalf,
    conn: Arc<Conn>,
    mut gate: watch::Receiver<(bool, u32)>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let mut delivered = 0usize;
    loop {
        let n = match from.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        while let Some(used) = reply_len(&buf, 0) {
            let passed = gate
                .wait_for(|&(held, _)| !held || delivered < conn.allowed.load(Ordering::SeqCst))
                .await
                .is_ok();
            if !passed || to.write_all(&buf[..used]).await.is_err() {
                return;
            }
            buf.drain(..used);
            delivered += 1;
        }
    }
}

fn line(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let end = buf.get(at..)?.windows(2).position(|w| w == b"\r\n")? + at;
    Some((&buf[at..end], end + 2))
}

fn number(s: &[u8]) -> i64 {
    std::str::from_utf8(s).unwrap().parse().unwrap()
}

/// One RESP command (an array of bulk strings) from the front of `buf`, and
/// the bytes it took; `None` while it is incomplete.
fn parse_command(buf: &[u8]) -> Option<(Vec<String>, usize)> {
    let (head, mut at) = line(buf, 0)?;
    assert_eq!(head.first(), Some(&b'*'), "huma sends commands as RESP arrays");
    let mut args = Vec::new();
    for _ in 0..number(&head[1..]) {
        let (len, next) = line(buf, at)?;
        assert_eq!(len.first(), Some(&b'$'), "arguments are bulk strings");
        let end = next + number(&len[1..]) as usize;
        args.push(String::from_utf8_lossy(buf.get(next..end)?).into_owned());
        at = end + 2;
        if buf.len() < at {
            return None;
        }
    }
    Some((args, at))
}

/// The end of the RESP2 reply starting at `at`; `None` while it is incomplete.
fn reply_len(buf: &[u8], at: usize) -> Option<usize> {
    let (head, next) = line(buf, at)?;
    match head.first()? {
        b'+' | b'-' | b':' => Some(next),
        b'$' => match number(&head[1..]) {
            n if n < 0 => Some(next),
            n => (buf.len() >= next + n as usize + 2).then_some(next + n as usize + 2),
        },
        b'*' => {
            let mut at = next;
            for _ in 0..number(&head[1..]).max(0) {
                at = reply_len(buf, at)?;
            }
            Some(at)
        }
        other => panic!("not a RESP2 reply: {:?}", *other as char),
    }
}

fn names(cmds: &[Sent]) -> Vec<String> {
    cmds.iter().map(|(_, c)| c[0].to_uppercase()).collect()
}

fn has(cmds: &[Sent], name: &str, key_part: &str) -> bool {
    cmds.iter()
        .any(|(_, c)| c[0].eq_ignore_ascii_case(name) && c.iter().any(|a| a.contains(key_part)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_verify_takes_two_round_trips_and_three_commands() {
    let redis = RedisServer::start();
    let redis_port: u16 = redis
        .url()
        .rsplit(':')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    let proxy = Proxy::start(redis_port).await;
    // Held replies must not time out.
    let api = Arc::new(Api::new(Huma::start(
        &Backend::Redis(proxy.url()),
        &[("HUMA_REDIS_TIMEOUT_MS", "60000")],
    )));
    let k = api.create_key(json!({"plan": "pro"})).await;
    let key = k["key"].as_str().unwrap().to_string();
    let account = k["id"].as_str().unwrap().to_string();
    // Warm: the key is known to this instance and the scripts are loaded.
    for i in 0..2 {
        let v = api
            .verify(
                &key,
                json!({"userId": format!("warm{i}"), "sessionData": human_signals()}),
            )
            .await;
        assert_eq!(v.status, 200, "{v:?}");
    }

    let from = proxy.log_len();
    proxy.hold();
    let task = {
        let (api, key) = (api.clone(), key.clone());
        tokio::spawn(async move {
            api.verify(&key, json!({"userId": "u", "sessionData": human_signals()}))
                .await
        })
    };
    let quota = format!("huma:{{{account}}}:quota:");
    let token = format!("huma:{{{account}}}:tok:");
    let fingerprint = format!("huma:{{{account}}}:fp:");
    // Round trip 1: the key read and the quota take, before any reply.
    proxy
        .wait_for(from, "the key read and the quota take", |c| {
            has(c, "GET", "huma:key:{") && has(c, "EVALSHA", &quota)
        })
        .await;
    proxy.release();
    // Round trip 2: the token with its replay check.
    proxy
        .wait_for(from, "the token write", |c| has(c, "EVALSHA", &token))
        .await;
    proxy.release();
    // Anything more this verify sends is another round trip. The only one
    // allowed is the refresh of the account's webhook list, which happens
    // at most once per 2 s (`webhook::CACHE_TTL`) when the cache has expired.
    let mut extra = 0;
    while !task.is_finished() {
        let seen = proxy.request_commands(from);
        if seen.len() > 3 + extra {
            extra += 1;
            proxy.release();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    proxy.open();
    let v = task.await.unwrap();
    assert_eq!(v.status, 200, "{v:?}");

    let cmds = proxy.request_commands(from);
    let (rt1, rest): (Vec<_>, Vec<_>) = cmds.iter().cloned().partition(|(r, _)| *r == cmds[0].0);
    assert_eq!(names(&rt1).len(), 2, "round trip 1: {rt1:?}");
    assert!(
        has(&rt1, "GET", "huma:key:{") && has(&rt1, "EVALSHA", &quota),
        "{rt1:?}"
    );
    let rt2: Vec<_> = rest.iter().filter(|(r, _)| *r == cmds[0].0 + 1).cloned().collect();
    assert_eq!(names(&rt2), ["EVALSHA"], "round trip 2: {rt2:?}");
    assert!(
        has(&rt2, "EVALSHA", &token) && has(&rt2, "EVALSHA", &fingerprint),
        "{rt2:?}"
    );
    let later: Vec<_> = rest.iter().filter(|(r, _)| *r > cmds[0].0 + 1).cloned().collect();
    assert!(
        later
            .iter()
            .all(|(_, c)| c[0].eq_ignore_ascii_case("HVALS") && c[1] == format!("huma:{{{account}}}:wh")),
        "no other round trip: {later:?}"
    );
    println!(
        "verify: {} commands in 2 round trips ({:?}), plus {} webhook-list refresh",
        rt1.len() + rt2.len(),
        names(&cmds[..rt1.len() + rt2.len()]),
        later.len()
    );
}
