//! `POST /api/v1/challenge/create` and `/challenge/verify`: the step-up for
//! borderline verdicts. The puzzle only gives a person something to do; what
//! passes is the behaviour recorded while doing it, scored like a verify
//! window. A right answer with bot-like (or no) behaviour is a failed
//! attempt. A pass mints an `h_challenge_` token that `/session` and
//! `token/verify` accept like a verify token.

use hyper::StatusCode;

use crate::api::verify::mark_replay;
use crate::api::{json, Caller};
use crate::app::{unix_millis, App};
use crate::challenges::{self, ChallengeRecord, Puzzle};
use crate::error::{ApiError, HttpResponse};
use crate::scoring;
use crate::store::{Attempt, Store};
use crate::tokens::{self, TokenKind, TokenRecord};
use crate::wire::{self, round2, ChallengeAnswer, ChallengePayload, ClickTarget};

/// How long a closed or expired challenge is remembered past its lifetime,
/// so late answers get 410 rather than 404.
const GRACE_MS: i64 = 3_600_000;

pub async fn create<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let req = wire::parse_challenge_create(body)?;
    let now = unix_millis();
    let ttl_ms = app.config.challenge_ttl.as_millis() as i64;
    let record = ChallengeRecord {
        id: challenges::new_id(&app.rng),
        account: caller.account().to_string(),
        key_id: caller.key.id.clone(),
        user_hash: app.secret.user_hash(&req.user_id),
        puzzle: challenges::random_puzzle(&mut fastrand::Rng::new()),
        created_at_ms: now,
        expires_at_ms: now + ttl_ms,
    };
    let keep = std::time::Duration::from_millis((ttl_ms + GRACE_MS) as u64);
    app.store.challenge_put(&record, keep).await?;
    let payload = match &record.puzzle {
        Puzzle::ClickTargets {
            instruction, targets, ..
        } => ChallengePayload::ClickTargets {
            instruction,
            targets: targets
                .iter()
                .map(|(id, x, y, label)| ClickTarget {
                    id,
                    x: *x,
                    y: *y,
                    label,
                })
                .collect(),
        },
        Puzzle::Pattern {
            instruction, sequence, ..
        } => ChallengePayload::Pattern {
            instruction,
            grid: 3,
            sequence_hint: sequence,
        },
    };
    let out = wire::ChallengeCreated {
        challenge_id: &record.id,
        kind: record.puzzle.kind(),
        payload,
        expires_in_seconds: app.config.challenge_ttl.as_secs(),
    };
    Ok(json(StatusCode::OK, wire::encode(&out)))
}

pub async fn verify<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let req = wire::parse_challenge_verify(body)?;
    let not_found = || ApiError::NotFound(format!("There is no challenge {} for this key.", req.challenge_id));
    let stored = app
        .store
        .challenge_get(caller.account(), &req.challenge_id)
        .await?
        .ok_or_else(not_found)?;
    if stored.record.key_id != caller.key.id {
        return Err(not_found());
    }
    let closed = |why: &str| ApiError::ChallengeClosed(format!("This challenge is closed ({why}); create a new one."));
    if stored.passed {
        return Err(closed("already passed"));
    }
    if stored.attempts_left == 0 {
        return Err(closed("no attempts left"));
    }
    if unix_millis() > stored.record.expires_at_ms {
        return Err(closed("expired"));
    }
    let right = stored.record.puzzle.is_answer(&req.answer);
    // Only behaviour passes: no signals, or signals that score as a bot or
    // an agent, fail whatever the answer.
    let verdict = match &req.signals {
        Some(signals) => {
            let mut v = scoring::score(signals);
            mark_replay(app, caller, signals, &mut v).await?;
            Some(v)
        }
        None => None,
    };
    let behaved = verdict
        .as_ref()
        .is_some_and(|v| round2(v.confidence) >= 0.5 && !v.agent.is_agent);
    match app
        .store
        .challenge_attempt(caller.account(), &req.challenge_id, right && behaved)
        .await?
    {
        Attempt::NotFound => Err(not_found()),
        Attempt::Closed => Err(closed("no attempts left or already passed")),
        Attempt::Failed { attempts_left } => {
            let message = if right {
                "Behavioural check failed"
            } else {
                "Incorrect answer"
            };
            let out = ChallengeAnswer {
                passed: false,
                token: None,
                message: Some(message),
                attempts_remaining: Some(attempts_left),
            };
            Ok(json(StatusCode::OK, wire::encode(&out)))
        }
        Attempt::Passed => {
            let v = verdict.expect("a pass had behaviour");
            let confidence = round2(v.confidence);
            let token = tokens::mint_token(&app.rng, TokenKind::Challenge);
            let record = TokenRecord {
                kind: TokenKind::Challenge,
                account: caller.account().to_string(),
                user_hash: stored.record.user_hash,
                human: true,
                score: (confidence * 100.0).round() as u8,
                action: None,
                hostname: req.signals.as_ref().and_then(|s| s.env.host.clone()),
                profile: v.profile,
                created_at_ms: unix_millis(),
            };
            app.store
                .token_put(&tokens::hash_token(&token), &record, app.config.token_ttl)
                .await?;
            let out = ChallengeAnswer {
                passed: true,
                token: Some(&token),
                message: None,
                attempts_remaining: None,
            };
            Ok(json(StatusCode::OK, wire::encode(&out)))
        }
    }
}
