//! huma: tells humans from bots and AI agents by how they move, type and
//! scroll, behind the useHUMA v1 HTTP API.
//!
//! Modules in the order a verify request meets them:
//!
//! - `config`: plain-data configuration read from the environment.
//! - `server`: accept loop, connection cap, timeouts, graceful drain.
//! - `router`: (method, path) → handler; the only module that knows paths;
//!   request ids and the per-request log line.
//! - `api`: the `/api/v1` pipeline (auth → limits → body → handler) and the
//!   handlers; `body` reads bounded request bodies.
//! - `wire`: the only module that knows JSON: request envelopes, signals
//!   decoding, response bodies.
//! - `signals`: signals v1 as typed, validated arrays.
//! - `scoring`: the pure kernel (features → model → verdict).
//! - `limits`: lock-sharded in-memory burst, flood and heartbeat counters,
//!   reconciled across instances through the store off the request path.
//! - `keys`, `tokens`, `secret`: key and token formats, hashes, records.
//! - `challenges`: step-up puzzles and their records.
//! - `store`: the persistence trait and its embedded and Redis backends
//!   (the Redis one behind a circuit breaker), timed by `store::Instrumented`.
//! - `webhook`: events into the durable outbox, signing, SSRF policy, the
//!   outbound client and the delivery workers.
//! - `app`: the shared state built at start.
//! - `error`: `ApiError` and the one function that renders it.
//! - `metrics`, `telemetry`: Prometheus metrics and JSON logs.
//!
//! Off the request path: `corpus` loads labelled recordings and generates
//! synthetic bots for `huma-eval` (file parsing only).

pub mod api;
pub mod app;
pub mod body;
pub mod challenges;
pub mod config;
pub mod corpus;
pub mod error;
pub mod keys;
pub mod limits;
pub mod metrics;
pub mod router;
pub mod scoring;
pub mod secret;
pub mod server;
pub mod signals;
pub mod store;
pub mod telemetry;
pub mod tokens;
pub mod webhook;
pub mod wire;
