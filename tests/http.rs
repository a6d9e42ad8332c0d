//! The HTTP layer's limits, over raw TCP: the header-read deadline, the
//! connection cap, and keep-alive.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::api::Env;
use common::huma::Huma;

fn get_healthz(s: &mut TcpStream) -> String {
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 512];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn a_stalled_request_head_is_cut_off() {
    let env = Env::embedded();
    let huma = Huma::start(&env.backend, &[("HUMA_HEADER_TIMEOUT_MS", "300")]);
    let mut s = TcpStream::connect(huma.addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"POST /api/v1/verify HTTP/1.1\r\nHost: x\r\n").unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    // The server closes the connection (read returns 0) instead of waiting.
    let _ = s.read_to_end(&mut buf);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "closed by the server, not by our read timeout"
    );
    // A complete request on a new connection is still served.
    let mut ok = TcpStream::connect(huma.addr).unwrap();
    assert!(get_healthz(&mut ok).starts_with("HTTP/1.1 200"));
}

#[test]
fn connections_beyond_the_cap_wait_until_one_closes() {
    let env = Env::embedded();
    let huma = Huma::start(&env.backend, &[("HUMA_MAX_CONNECTIONS", "2")]);
    let mut a = TcpStream::connect(huma.addr).unwrap();
    let mut b = TcpStream::connect(huma.addr).unwrap();
    assert!(get_healthz(&mut a).starts_with("HTTP/1.1 200"));
    assert!(get_healthz(&mut b).starts_with("HTTP/1.1 200"));
    let mut c = TcpStream::connect(huma.addr).unwrap();
    c.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 512];
    assert!(
        c.read(&mut buf).is_err(),
        "the third connection is not served while two are open"
    );
    drop(a);
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let n = c.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Keep-alive: the same connection answers again.
    assert!(get_healthz(&mut b).starts_with("HTTP/1.1 200"));
}
