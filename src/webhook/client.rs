//! The outbound HTTPS client of webhook delivery: one HTTP/1.1 connection
//! per attempt (webhooks are rare per endpoint; a pool would keep sockets to
//! customers open for nothing), rustls with the ring provider, the webpki
//! roots plus `HUMA_WEBHOOK_CA_FILE`, no redirects followed, at most
//! `MAX_RESPONSE_BODY` bytes of an answer read, the whole attempt within
//! the per-attempt timeout.
//!
//! SSRF: the host is resolved here, every address is checked with
//! `ssrf::is_public`, and the TCP connection goes to a checked address,
//! while TLS (SNI, certificate name) and `Host` use the name.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST, USER_AGENT};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::{Host, Url};

use super::ssrf;

/// Bytes of a response body read at most; the rest is never read.
pub const MAX_RESPONSE_BODY: usize = 4 * 1024;
/// hyper's read buffer for the answer (its minimum).
const READ_BUFFER: usize = 8 * 1024;

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// `410 Gone`: the customer asks us to stop.
    Gone,
    /// No address of the host may be reached (SSRF policy).
    Refused,
    /// Anything else: a non-2xx status (3xx included), a TLS or connection
    /// error, the timeout. The text is for logs and never holds the body.
    Failed(String),
}

pub struct Client {
    tls: TlsConnector,
    timeout: Duration,
    allow_private: bool,
}

impl Client {
    /// A client trusting the webpki roots and the PEM certificates in `ca_file`.
    pub fn new(ca_file: Option<&Path>, timeout: Duration, allow_private: bool) -> Result<Client, String> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = ca_file {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("HUMA_WEBHOOK_CA_FILE: cannot read {}: {e}", path.display()))?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("HUMA_WEBHOOK_CA_FILE: {} is not PEM: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!("HUMA_WEBHOOK_CA_FILE: {} holds no certificate", path.display()));
            }
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("HUMA_WEBHOOK_CA_FILE: bad certificate: {e}"))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Client {
            tls: TlsConnector::from(Arc::new(config)),
            timeout,
            allow_private,
        })
    }

    /// POSTs `body` with `headers` to `url`, within the timeout.
    pub async fn post(&self, url: &str, headers: &[(&'static str, String)], body: Bytes) -> Outcome {
        match tokio::time::timeout(self.timeout, self.attempt(url, headers, body)).await {
            Ok(outcome) => outcome,
            Err(_) => Outcome::Failed(format!("no answer within {} ms", self.timeout.as_millis())),
        }
    }

    async fn attempt(&self, url: &str, headers: &[(&'static str, String)], body: Bytes) -> Outcome {
        let url = match Url::parse(url) {
            Ok(u) if u.scheme() == "https" => u,
            _ => return Outcome::Failed("not an https URL".into()),
        };
        let port = url.port_or_known_default().unwrap_or(443);
        let (addrs, server_name) = match url.host() {
            Some(Host::Domain(d)) => {
                let addrs: Vec<SocketAddr> = match tokio::net::lookup_host((d, port)).await {
                    Ok(a) => a.collect(),
                    Err(e) => return Outcome::Failed(format!("cannot resolve the host: {e}")),
                };
                match ServerName::try_from(d.to_string()) {
                    Ok(n) => (addrs, n),
                    Err(_) => return Outcome::Failed("the host is not a valid TLS name".into()),
                }
            }
            Some(Host::Ipv4(ip)) => (vec![SocketAddr::new(ip.into(), port)], ServerName::IpAddress(ip.into())),
            Some(Host::Ipv6(ip)) => (vec![SocketAddr::new(ip.into(), port)], ServerName::IpAddress(ip.into())),
            None => return Outcome::Failed("no host".into()),
        };
        let allowed: Vec<SocketAddr> = addrs
            .into_iter()
            .filter(|a| self.allow_private || ssrf::is_public(a.ip()))
            .collect();
        if allowed.is_empty() {
            return Outcome::Refused;
        }
        let mut tcp = None;
        let mut last_err = String::new();
        for addr in &allowed {
            match TcpStream::connect(addr).await {
                Ok(s) => {
                    tcp = Some(s);
                    break;
                }
                Err(e) => last_err = e.to_string(),
            }
        }
        let Some(tcp) = tcp else {
            return Outcome::Failed(format!("cannot connect: {last_err}"));
        };
        let _ = tcp.set_nodelay(true);
        let tls = match self.tls.connect(server_name, tcp).await {
            Ok(t) => t,
            Err(e) => return Outcome::Failed(format!("TLS: {e}")),
        };
        // hyper's smallest read buffer: a huge status line, headers or body
        // chunk cannot make it buffer more than this.
        let handshake = http1::Builder::new()
            .max_buf_size(READ_BUFFER)
            .handshake(TokioIo::new(tls))
            .await;
        let (mut sender, conn) = match handshake {
            Ok(x) => x,
            Err(e) => return Outcome::Failed(format!("HTTP handshake: {e}")),
        };
        // The connection task ends with the attempt: it is dropped with the
        // sender, or aborted when the timeout cancels this future.
        let driver = tokio::spawn(async move {
            let _ = conn.await;
        });
        let _abort = AbortOnDrop(driver);
        let mut path = url.path().to_string();
        if let Some(q) = url.query() {
            path.push('?');
            path.push_str(q);
        }
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(HOST, host)
            .header(USER_AGENT, concat!("huma-webhooks/", env!("CARGO_PKG_VERSION")))
            .header(CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            if let (Ok(n), Ok(v)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
                req = req.header(n, v);
            }
        }
        let req = match req.body(Full::new(body)) {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("request: {e}")),
        };
        let resp = match sender.send_request(req).await {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("HTTP: {e}")),
        };
        let status = resp.status();
        // Read a little of the answer so a well-behaved server sees it
        // consumed, and never more: the body is not ours to store.
        let mut body = resp.into_body();
        let mut read = 0usize;
        while read < MAX_RESPONSE_BODY {
            match body.frame().await {
                Some(Ok(f)) => read += f.data_ref().map_or(0, |d| d.len()),
                _ => break,
            }
        }
        if status.is_success() {
            Outcome::Delivered
        } else if status == hyper::StatusCode::GONE {
            Outcome::Gone
        } else {
            Outcome::Failed(format!("answered {}", status.as_u16()))
        }
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
