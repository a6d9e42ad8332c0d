//! `POST /api/v1/session`: one heartbeat window scored against the token's
//! baseline — a drop in score, or behaviour far from the stored profile,
//! is an anomaly. A `block` fires `bot.detected`.

use hyper::StatusCode;

use crate::api::verify::mark_replay;
use crate::api::{json, testkey, Caller};
use crate::app::{unix_secs, App};
use crate::config::HEARTBEATS_PER_MINUTE;
use crate::error::{ApiError, HttpResponse};
use crate::keys::hashes_equal;
use crate::limits;
use crate::scoring::{self, Label, Labels};
use crate::store::Store;
use crate::tokens;
use crate::webhook::{self, Event};
use crate::wire::{self, round2};

/// A drop of more than this many points from the baseline is an anomaly.
pub const ANOMALY_DROP: i32 = 28;
/// Below this score a window is a bot whatever the baseline.
pub const BLOCK_BELOW: u8 = 30;

pub async fn handle<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let req = wire::parse_session(body)?;
    let not_found = || ApiError::NotFound("No active session for this sessionToken and userId.".into());
    if tokens::token_kind(&req.session_token).is_none() {
        return Err(not_found());
    }
    let token_hash = tokens::hash_token(&req.session_token);
    let beat = app
        .limits
        .heartbeat
        .hit(limits::key_of(&token_hash), HEARTBEATS_PER_MINUTE, unix_secs() as u64);
    if beat.exceeded {
        app.metrics.limit_hit("heartbeat");
        return Err(ApiError::BurstLimitExceeded {
            retry_after: beat.reset_secs,
        });
    }
    let stored = app
        .store
        .token_get(caller.account(), &token_hash)
        .await?
        .ok_or_else(not_found)?;
    // A userId that does not match answers exactly like an unknown token.
    if !hashes_equal(&stored.record.user_hash, &app.secret.user_hash(&req.user_id)) {
        return Err(not_found());
    }
    let baseline = stored.record.score;
    let verdict = if caller.is_test() {
        Some(testkey::verdict(&req.user_id))
    } else {
        match req
            .signals
            .as_ref()
            .map(|s| (s, scoring::score(s)))
            .filter(|(_, v)| v.active)
        {
            Some((signals, mut v)) => {
                mark_replay(app, caller, signals, &mut v).await?;
                Some(v)
            }
            None => None,
        }
    };
    let Some(verdict) = verdict else {
        // No activity is not evidence against the user.
        let resp = wire::SessionResponse {
            score: baseline,
            confidence: baseline as f64 / 100.0,
            baseline,
            delta: 0,
            anomaly: false,
            action: "allow",
            notes: vec![Label::NoActivity.as_str()],
        };
        return Ok(json(StatusCode::OK, wire::encode(&resp)));
    };
    let confidence = round2(verdict.confidence);
    let score = (confidence * 100.0).round() as u8;
    let delta = score as i32 - baseline as i32;
    let mut notes = verdict.notes;
    let shifted = !caller.is_test()
        && scoring::profile_distance(&stored.record.profile, &verdict.profile)
            .is_some_and(|d| d > scoring::PROFILE_SHIFT_THRESHOLD);
    if shifted {
        notes.insert(Label::ProfileShift);
    }
    let anomaly = delta < -ANOMALY_DROP || score < BLOCK_BELOW || shifted;
    let action = if score < BLOCK_BELOW {
        "block"
    } else if anomaly {
        "flag"
    } else {
        "allow"
    };
    if action == "block" {
        let event = Event {
            name: webhook::BOT_DETECTED,
            user_id: &req.user_id,
            human: false,
            confidence,
            score,
            token: &req.session_token,
        };
        webhook::fire(app, caller, event).await?;
    }
    app.metrics.scores.observe(confidence);
    let resp = wire::SessionResponse {
        score,
        confidence,
        baseline,
        delta,
        anomaly,
        action,
        notes: labels(notes),
    };
    Ok(json(StatusCode::OK, wire::encode(&resp)))
}

fn labels(l: Labels) -> Vec<&'static str> {
    l.iter().map(|l| l.as_str()).collect()
}
