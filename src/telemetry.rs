//! Logs: JSON lines on stdout through `tracing`, filtered by `RUST_LOG`
//! (default `info`). Nothing personal is ever passed to a log call: no
//! userIds, keys, secrets or signals.

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_target(false)
        .with_writer(std::io::stdout)
        .init();
}
