//! A circuit breaker for the Redis backend, so a dead or stalled Redis
//! costs a request nothing but an immediate 503.
//!
//! Closed: every call goes through; `failures` consecutive failures (a
//! timeout, a refused connection, a dropped socket) open it. Open: every
//! call fails at once, without touching the pool, until `cooldown` has
//! passed. Half-open: exactly one call (the probe) goes through while the
//! others still fail at once; its success closes the breaker, its failure
//! opens it for another cool-down. Recovery therefore needs no operator and
//! no background task: the first request (or `/readyz` probe) after the
//! cool-down finds out.
//!
//! The state is three atomics, read on every call with no lock.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `HUMA_REDIS_BREAKER_FAILURES`: consecutive failures that open the breaker.
pub const DEFAULT_FAILURES: u32 = 5;
/// `HUMA_REDIS_BREAKER_COOLDOWN_MS`: how long it stays open before a probe.
pub const DEFAULT_COOLDOWN_MS: u64 = 1_000;

/// What the breaker lets a call do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admit {
    /// Closed: go ahead.
    Pass,
    /// Half-open: go ahead as the one probe; report the outcome.
    Probe,
    /// Open: fail now.
    Reject,
}

/// The state as the metrics gauge shows it: 0 closed, 1 open, 2 half-open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Closed = 0,
    Open = 1,
    HalfOpen = 2,
}

pub struct Breaker {
    threshold: u32,
    cooldown: Duration,
    epoch: Instant,
    consecutive: AtomicU32,
    /// Nanoseconds since `epoch` when the breaker opened; 0 = closed.
    opened_at: AtomicU64,
    probing: AtomicBool,
}

impl Breaker {
    pub fn new(threshold: u32, cooldown: Duration) -> Breaker {
        Breaker {
            threshold: threshold.max(1),
            cooldown,
            epoch: Instant::now(),
            consecutive: AtomicU32::new(0),
            opened_at: AtomicU64::new(0),
            probing: AtomicBool::new(false),
        }
    }

    /// Decides whether a call may run now.
    pub fn admit(&self) -> Admit {
        self.admit_at(Instant::now())
    }

    pub fn admit_at(&self, now: Instant) -> Admit {
        let opened = self.opened_at.load(Ordering::Acquire);
        if opened == 0 {
            return Admit::Pass;
        }
        if self.nanos(now) < opened.saturating_add(self.cooldown.as_nanos() as u64) {
            return Admit::Reject;
        }
        // Cool-down over: one caller wins the probe.
        if self
            .probing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            Admit::Probe
        } else {
            Admit::Reject
        }
    }

    /// Reports a call's outcome (`admit` said `Pass` or `Probe`).
    pub fn record(&self, admitted: Admit, ok: bool) {
        self.record_at(admitted, ok, Instant::now());
    }

    pub fn record_at(&self, admitted: Admit, ok: bool, now: Instant) {
        if ok {
            self.consecutive.store(0, Ordering::Release);
            if admitted == Admit::Probe || self.opened_at.load(Ordering::Acquire) != 0 {
                self.opened_at.store(0, Ordering::Release);
                self.probing.store(false, Ordering::Release);
                tracing::info!("redis circuit breaker closed: Redis answers again");
            }
            return;
        }
        let n = self.consecutive.fetch_add(1, Ordering::AcqRel).saturating_add(1);
        if admitted == Admit::Probe {
            self.open(now);
            self.probing.store(false, Ordering::Release);
        } else if n >= self.threshold && self.opened_at.load(Ordering::Acquire) == 0 {
            self.open(now);
            tracing::warn!(
                failures = n,
                cooldown_ms = self.cooldown.as_millis() as u64,
                "redis circuit breaker opened: store calls fail at once"
            );
        }
    }

    pub fn state(&self) -> State {
        self.state_at(Instant::now())
    }

    pub fn state_at(&self, now: Instant) -> State {
        let opened = self.opened_at.load(Ordering::Acquire);
        if opened == 0 {
            State::Closed
        } else if self.probing.load(Ordering::Acquire)
            || self.nanos(now) >= opened.saturating_add(self.cooldown.as_nanos() as u64)
        {
            State::HalfOpen
        } else {
            State::Open
        }
    }

    fn open(&self, now: Instant) {
        // Never 0, which means closed.
        self.opened_at.store(self.nanos(now).max(1), Ordering::Release);
    }

    fn nanos(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_nanos() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_n_failures_probes_after_the_cooldown_and_closes() {
        let b = Breaker::new(3, Duration::from_millis(100));
        let t0 = Instant::now();
        for _ in 0..2 {
            assert_eq!(b.admit_at(t0), Admit::Pass);
            b.record_at(Admit::Pass, false, t0);
        }
        assert_eq!(b.state_at(t0), State::Closed);
        b.record_at(Admit::Pass, false, t0);
        assert_eq!(b.state_at(t0), State::Open);
        assert_eq!(b.admit_at(t0 + Duration::from_millis(50)), Admit::Reject);
        let t1 = t0 + Duration::from_millis(150);
        assert_eq!(b.admit_at(t1), Admit::Probe);
        assert_eq!(b.admit_at(t1), Admit::Reject, "one probe at a time");
        assert_eq!(b.state_at(t1), State::HalfOpen);
        b.record_at(Admit::Probe, false, t1);
        assert_eq!(b.state_at(t1), State::Open, "a failed probe opens it again");
        let t2 = t1 + Duration::from_millis(150);
        assert_eq!(b.admit_at(t2), Admit::Probe);
        b.record_at(Admit::Probe, true, t2);
        assert_eq!(b.state_at(t2), State::Closed);
        assert_eq!(b.admit_at(t2), Admit::Pass);
    }

    #[test]
    fn a_success_resets_the_count() {
        let b = Breaker::new(2, Duration::from_secs(1));
        let t = Instant::now();
        b.record_at(Admit::Pass, false, t);
        b.record_at(Admit::Pass, true, t);
        b.record_at(Admit::Pass, false, t);
        assert_eq!(b.state_at(t), State::Closed);
    }
}
