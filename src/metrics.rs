//! Prometheus metrics (`GET /metrics`): requests by route and status,
//! latency per route, the score distribution, agent flags, limits hit,
//! store errors, webhook deliveries by outcome and the webhook queue depth. Recording is a few atomic adds; encoding happens only when
//! scraped.

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
    pub store_errors: Counter,
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
        let store_errors = Counter::default();
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
            "Store calls that failed or timed out",
            store_errors.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            scores,
            agent_flags,
            limits_hit,
            store_errors,
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
