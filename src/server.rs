//! The HTTP/1.1 server: an accept loop that holds at most
//! `max_connections` connections (each owns a semaphore permit; beyond the
//! cap, new connections wait in the kernel's backlog), a header-read
//! deadline enforced by hyper's timer, keep-alive, and a graceful drain on
//! SIGTERM: `/readyz` turns 503 at once, the server keeps answering for
//! `HUMA_DRAIN_DELAY_MS` so a load balancer can see it and stop sending,
//! then the listener closes, in-flight requests finish within the grace
//! period, the limit reconciliation (`limits::sync`) and webhook delivery stop (queued entries go back to the store's
//! outbox), the store is flushed, and `run` returns.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

use crate::app::App;
use crate::router;
use crate::store::Store;
use crate::webhook::delivery;

/// Serves `app` on `listener` until `shutdown` resolves, then drains.
pub async fn run<S: Store>(app: Arc<App<S>>, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    let drain_app = app.clone();
    let shutdown = async move {
        shutdown.await;
        drain_app.set_draining();
        tracing::info!("draining: /readyz answers 503");
        tokio::time::sleep(drain_app.config.drain_delay).await;
    };
    let (stop_delivery, delivery_stopped) = watch::channel(false);
    let limits_sync = tokio::spawn(crate::limits::sync(app.clone(), delivery_stopped.clone()));
    let delivery = tokio::spawn(delivery::run(app.clone(), delivery_stopped));
    let limit = Arc::new(Semaphore::new(app.config.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(app.config.header_timeout)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = limit.clone().acquire_owned() => p.expect("the connection semaphore is never closed"),
        };
        let (stream, _) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(s) => s,
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly
                    // instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let app2 = app.clone();
        let service = service_fn(move |req| {
            let app = app2.clone();
            async move { Ok::<_, Infallible>(router::route(&app, req).await) }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tracing::info!("listener closed, finishing in-flight requests");
    if tokio::time::timeout(app.config.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace period over with requests still in flight");
    }
    // In-flight attempts finish (each within the webhook timeout); queued
    // entries are handed back to the store.
    let _ = stop_delivery.send(true);
    let _ = limits_sync.await;
    if tokio::time::timeout(app.config.shutdown_grace, delivery).await.is_err() {
        tracing::warn!("grace period over with webhook attempts still in flight; they are retried after a restart");
    }
    if let Err(e) = app.store.flush().await {
        tracing::error!(error = %e, "final store flush failed");
    }
    tracing::info!("stopped");
}

/// Resolves on SIGTERM or Ctrl-C.
pub fn shutdown_signal() -> impl Future<Output = ()> {
    // The handlers are installed now, not at the first poll, so a SIGTERM
    // that arrives right after start-up drains instead of killing the
    // process with the default action. Call inside the runtime.
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let ctrl_c = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let term = async {
            match term.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
    }
}
