//! Delivery, off the request path: `HUMA_WEBHOOK_WORKERS` workers take
//! entries from the bounded queue, sign and POST them, and then delete the
//! entry (2xx; or 410, which also deactivates the endpoint) or reschedule it
//! on `HUMA_WEBHOOK_RETRY_SCHEDULE` with ±10 % jitter, giving up after the
//! last wait. A poller claims due entries from the store every
//! `POLL_EVERY`, as many as the queue has room for: entries that found the
//! queue full, retries whose time has come, and whatever a previous process
//! left (a restart, a crash).
//!
//! Shutdown is by ownership, as in mini-redis: `run` owns the receiver and
//! the workers; when `shutdown` fires, the poller stops, each worker
//! finishes the attempt it is in, and the entries still queued are handed
//! back to the store as due now (their leases released), so nothing is lost
//! and a restart delivers them at once. Every worker holds a clone of a
//! `done` sender; `run` knows they have all stopped when the channel closes.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch, Mutex};

use super::client::Outcome;
use super::{sign, Queued};
use crate::app::{unix_millis, unix_secs, App};
use crate::store::{OutboxEntry, Store};

/// How often the poller looks for due entries in the store.
pub const POLL_EVERY: Duration = Duration::from_secs(1);
/// How often a worker asks again for an endpoint the store could not give.
const STORE_RETRY: Duration = Duration::from_millis(250);

/// Delivers until `shutdown` turns true, then hands the queue back to the
/// store and returns once every worker has stopped.
pub async fn run<S: Store>(app: Arc<App<S>>, shutdown: watch::Receiver<bool>) {
    let Some(rx) = app.webhooks.take_receiver() else {
        tracing::error!("webhook delivery started twice; the second is not run");
        return;
    };
    let rx = Arc::new(Mutex::new(rx));
    let (done_tx, mut done_rx) = mpsc::channel::<()>(1);
    for _ in 0..app.config.webhook_workers.max(1) {
        tokio::spawn(worker(app.clone(), rx.clone(), shutdown.clone(), done_tx.clone()));
    }
    tokio::spawn(poller(app.clone(), shutdown.clone(), done_tx));
    // Every worker and the poller drop their sender when they stop.
    let _ = done_rx.recv().await;
    let mut rx = rx.lock().await;
    let mut handed_back = 0;
    while let Ok(q) = rx.try_recv() {
        let entry = OutboxEntry {
            due_ms: unix_millis(),
            ..q.entry
        };
        match app.store.outbox_reschedule(&entry).await {
            Ok(()) => handed_back += 1,
            Err(e) => {
                tracing::warn!(error = %e, "webhook: could not release a queued entry; it is due when its lease ends")
            }
        }
    }
    app.metrics.webhook_queue_depth.set(0);
    tracing::info!(handed_back, "webhook delivery stopped");
}

async fn worker<S: Store>(
    app: Arc<App<S>>,
    rx: Arc<Mutex<mpsc::Receiver<Queued>>>,
    mut shutdown: watch::Receiver<bool>,
    _done: mpsc::Sender<()>,
) {
    loop {
        let next = {
            let mut rx = rx.lock().await;
            tokio::select! {
                biased;
                _ = shutdown.wait_for(|stop| *stop) => None,
                q = rx.recv() => q,
            }
        };
        let Some(q) = next else { return };
        app.metrics.webhook_queue_depth.set(app.webhooks.queue_depth() as i64);
        // An entry that waited in the queue past the point where an attempt
        // could still finish inside its lease is left to the poller, which
        // will claim it again: delivering it now could race another claim.
        let timeout_ms = app.config.webhook_timeout.as_millis() as i64;
        if unix_millis() + timeout_ms >= q.lease_until_ms {
            continue;
        }
        deliver(&app, q.entry, q.lease_until_ms).await;
    }
}

async fn poller<S: Store>(app: Arc<App<S>>, mut shutdown: watch::Receiver<bool>, _done: mpsc::Sender<()>) {
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            _ = shutdown.wait_for(|stop| *stop) => return,
            _ = tick.tick() => {}
        }
        let room = app.webhooks.sender().capacity();
        if room == 0 {
            continue;
        }
        let now = unix_millis();
        let lease_until_ms = now + app.webhooks.lease.as_millis() as i64;
        let claimed = match app.store.outbox_claim(now, lease_until_ms, room).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "webhook: cannot read the outbox");
                continue;
            }
        };
        for entry in claimed {
            if let Err(mpsc::error::TrySendError::Full(q)) =
                app.webhooks.sender().try_send(Queued { entry, lease_until_ms })
            {
                // Requests took the room meanwhile: give the lease back.
                let _ = app.store.outbox_reschedule(&q.entry).await;
            }
        }
        app.metrics.webhook_queue_depth.set(app.webhooks.queue_depth() as i64);
    }
}

/// One attempt and its bookkeeping. A store that cannot be read (Redis
/// down, the breaker open) is retried every `STORE_RETRY` while an attempt
/// could still finish inside the lease, so a short outage delays delivery
/// by the outage rather than by the whole lease; other store errors are
/// logged, and the entry keeps its lease and is claimed again when it ends.
async fn deliver<S: Store>(app: &App<S>, entry: OutboxEntry, lease_until_ms: i64) {
    let timeout_ms = app.config.webhook_timeout.as_millis() as i64;
    let hooks = loop {
        match app.store.webhooks_list(&entry.account).await {
            Ok(h) => break h,
            Err(e) if unix_millis() + STORE_RETRY.as_millis() as i64 + timeout_ms < lease_until_ms => {
                tracing::debug!(error = %e, "webhook: cannot read the endpoint; retrying");
                tokio::time::sleep(STORE_RETRY).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "webhook: cannot read the endpoint");
                return;
            }
        }
    };
    let Some(mut hook) = hooks.into_iter().find(|h| h.id == entry.webhook_id && h.active) else {
        // Deleted or deactivated since: nobody to deliver to.
        app.metrics.webhook_delivery("orphaned");
        finish(app, &entry).await;
        return;
    };
    let signature = sign::sign(&hook.secret, unix_secs(), &entry.body);
    let headers = [
        ("huma-event", entry.event.clone()),
        ("huma-delivery", entry.event_id.clone()),
        ("huma-signature", signature),
    ];
    let outcome = app
        .webhooks
        .client
        .post(&hook.url, &headers, Bytes::from(entry.body.clone()))
        .await;
    let attempt = entry.attempts + 1;
    match outcome {
        Outcome::Delivered => {
            app.metrics.webhook_delivery("delivered");
            tracing::debug!(webhook = %hook.id, event = %entry.event_id, attempt, "webhook delivered");
            finish(app, &entry).await;
        }
        Outcome::Gone => {
            app.metrics.webhook_delivery("gone");
            tracing::info!(webhook = %hook.id, "webhook endpoint answered 410; deactivated");
            hook.active = false;
            if let Err(e) = app.store.webhook_update(&hook).await {
                tracing::warn!(error = %e, "webhook: cannot deactivate the endpoint");
            }
            app.webhooks.invalidate(&hook.account);
            finish(app, &entry).await;
        }
        Outcome::Refused | Outcome::Failed(_) => {
            let (label, why) = match &outcome {
                Outcome::Failed(why) => ("failed", why.as_str()),
                _ => ("refused", "no public address"),
            };
            app.metrics.webhook_delivery(label);
            match app.config.webhook_retry_schedule.get(entry.attempts as usize) {
                Some(&wait) => {
                    tracing::info!(webhook = %hook.id, event = %entry.event_id, attempt, reason = why, "webhook attempt failed; will retry");
                    let next = OutboxEntry {
                        attempts: attempt,
                        due_ms: unix_millis() + jittered(wait),
                        ..entry
                    };
                    if let Err(e) = app.store.outbox_reschedule(&next).await {
                        tracing::warn!(error = %e, "webhook: cannot reschedule");
                    }
                }
                None => {
                    app.metrics.webhook_delivery("dropped");
                    tracing::warn!(webhook = %hook.id, event = %entry.event_id, attempt, reason = why, "webhook given up after the last retry");
                    finish(app, &entry).await;
                }
            }
        }
    }
}

async fn finish<S: Store>(app: &App<S>, entry: &OutboxEntry) {
    if let Err(e) = app.store.outbox_delete(entry).await {
        tracing::warn!(error = %e, "webhook: cannot delete a finished entry; it expires on its own");
    }
}

/// `secs` in milliseconds, ±10 % so endpoints that failed together do not
/// all retry in the same instant.
fn jittered(secs: u64) -> i64 {
    let ms = secs.saturating_mul(1000) as f64;
    (ms * (0.9 + 0.2 * fastrand::f64())) as i64
}

#[cfg(test)]
mod tests {
    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..1000 {
            let j = super::jittered(60);
            assert!((54_000..=66_000).contains(&j), "{j}");
        }
        assert_eq!(super::jittered(0), 0);
    }
}
