//! Prometheus metrics (`GET /metrics`): requests by route and status,
//! latency per route, the score distribution, agent flags, limits hit,
//! store errors and latency by operation (`StoreMetrics`, recorded by
//! `store::Instrumented`), the Redis circuit breaker's state, webhook
//! deliveries by outcome and the webhook queue depth. Recording is a few
//! atomic adds; encoding happens only when scraped.

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, linear_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteStatus {
    pub route: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabel {
    pub route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    pub kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OpLabel {
    pub op: &'static str,
}

/// Store calls by operation: latency and failures. The histograms of the
/// known operations are created up front and held by index, so recording
/// one is an `Instant` difference and a few atomic adds, no label lookup.
#[derive(Clone)]
pub struct StoreMetrics {
    pub latency: Family<OpLabel, Histogram, fn() -> Histogram>,
    pub errors: Family<OpLabel, Counter>,
    by_op: Vec<(Histogram, Counter)>,
}

impl StoreMetrics {
    fn new(ops: &[&'static str]) -> StoreMetrics {
        let latency = Family::<OpLabel, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let errors = Family::<OpLabel, Counter>::default();
        let by_op = ops
            .iter()
            .map(|&op| {
                let label = OpLabel { op };
                (
                    latency.get_or_create(&label).clone(),
                    errors.get_or_create(&label).clone(),
                )
            })
            .collect();
        StoreMetrics { latency, errors, by_op }
    }

    /// Records one call of operation number `op` (an index into the list
    /// the metrics were built with).
    pub fn observe(&self, op: usize, seconds: f64, ok: bool) {
        if let Some((h, e)) = self.by_op.get(op) {
            h.observe(seconds);
            if !ok {
                e.inc();
            }
        }
    }
}

fn latency_histogram() -> Histogram {
    // 10 µs … ~5 s.
    Histogram::new(exponential_buckets(0.000_01, 2.5, 15))
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RouteStatus, Counter>,
    pub latency: Family<RouteLabel, Histogram, fn() -> Histogram>,
    pub scores: Histogram,
    pub agent_flags: Counter,
    pub limits_hit: Family<KindLabel, Counter>,
    /// Store calls that failed (any cause), by operation.
    pub store: StoreMetrics,
    /// 0 closed, 1 open, 2 half-open; set from the store when scraped.
    pub breaker_state: Gauge,
    /// Attempts by outcome: `delivered`, `failed` (will retry or was the
    /// last), `refused` (SSRF policy), `gone` (410, endpoint deactivated),
    /// `orphaned` (endpoint deleted or inactive), and `dropped` (given up
    /// after the last retry; counted beside that attempt's own outcome).
    pub webhook_deliveries: Family<OutcomeLabel, Counter>,
    /// Entries in the in-memory delivery queue.
    pub webhook_queue_depth: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("huma");
        let requests = Family::<RouteStatus, Counter>::default();
        let latency = Family::<RouteLabel, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let scores = Histogram::new(linear_buckets(0.1, 0.1, 9));
        let agent_flags = Counter::default();
        let limits_hit = Family::<KindLabel, Counter>::default();
        let store = StoreMetrics::new(crate::store::instrumented::OPS);
        let breaker_state = Gauge::default();
        let webhook_deliveries = Family::<OutcomeLabel, Counter>::default();
        let webhook_queue_depth = Gauge::default();
        registry.register(
            "webhook_deliveries",
            "Webhook delivery attempts by outcome",
            webhook_deliveries.clone(),
        );
        registry.register(
            "webhook_queue_depth",
            "Webhook entries waiting in the in-memory queue",
            webhook_queue_depth.clone(),
        );
        registry.register("requests", "HTTP requests by route and status", requests.clone());
        registry.register("request_duration_seconds", "Time to answer, by route", latency.clone());
        registry.register(
            "score",
            "Confidence of answered verifies and heartbeats",
            scores.clone(),
        );
        registry.register(
            "agent_flags",
            "Verifies whose agent head said is_agent",
            agent_flags.clone(),
        );
        registry.register("limits_hit", "Requests refused by a limit, by kind", limits_hit.clone());
        registry.register(
            "store_errors",
            "Store calls that failed or timed out, by operation",
            store.errors.clone(),
        );
        registry.register(
            "store_duration_seconds",
            "Time a store call took, by operation",
            store.latency.clone(),
        );
        registry.register(
            "store_breaker_state",
            "Redis circuit breaker: 0 closed, 1 open, 2 half-open",
            breaker_state.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            scores,
            agent_flags,
            limits_hit,
            store,
            breaker_state,
            webhook_deliveries,
            webhook_queue_depth,
        }
    }
}

impl Metrics {
    pub fn observe_request(&self, route: &'static str, status: u16, seconds: f64) {
        self.requests.get_or_create(&RouteStatus { route, status }).inc();
        self.latency.get_or_create(&RouteLabel { route }).observe(seconds);
    }

    pub fn limit_hit(&self, kind: &'static str) {
        self.limits_hit.get_or_create(&KindLabel { kind }).inc();
    }

    pub fn webhook_delivery(&self, outcome: &'static str) {
        self.webhook_deliveries.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        encode(&mut out, &self.registry).expect("writing to a String cannot fail");
        out
    }
}
