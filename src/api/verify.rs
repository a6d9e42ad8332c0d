//! `POST /api/v1/verify`: score a window, mint a token that remembers the
//! verdict and the behavioural profile, put the `human.verified` or
//! `bot.detected` event in the webhook outbox, and answer.

use hyper::StatusCode;

use crate::api::{json, testkey, Caller};
use crate::app::{unix_millis, unix_secs, App};
use crate::config::FLOOD_PER_MINUTE;
use crate::error::{ApiError, HttpResponse};
use crate::limits;
use crate::scoring::fingerprint::marks;
use crate::scoring::{self, Label, Reason, Verdict, MAX_REASONS};
use crate::signals::Signals;
use crate::store::Store;
use crate::tokens::{self, TokenKind, TokenRecord};
use crate::webhook::{self, Event};
use crate::wire::{self, round2};

pub async fn handle<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let req = wire::parse_verify(body)?;
    let user_hash = app.secret.user_hash(&req.user_id);
    let flood = app.limits.flood.hit(
        limits::pair_key(&caller.key.hash, &user_hash),
        FLOOD_PER_MINUTE,
        unix_secs() as u64,
    );
    if flood.exceeded {
        app.metrics.limit_hit("flood");
        return Err(ApiError::UserFloodDetected {
            retry_after: flood.reset_secs,
        });
    }
    let (mut verdict, fp) = if caller.is_test() {
        (testkey::verdict(&req.user_id), None)
    } else {
        match &req.signals {
            Some(signals) => (scoring::score(signals), marks(signals)),
            None => (scoring::no_signals(), None),
        }
    };
    // The token remembers the verdict, which a replay changes; the store
    // checks the fingerprint and stores the matching record in one step.
    let token = tokens::mint_token(&app.rng, TokenKind::Verified);
    let record = |confidence: f32| {
        let confidence = round2(confidence);
        TokenRecord {
            kind: TokenKind::Verified,
            account: caller.account().to_string(),
            user_hash,
            human: confidence >= 0.5,
            score: (confidence * 100.0).round() as u8,
            action: req.action.as_deref().map(str::to_string),
            hostname: req.signals.as_ref().and_then(|s| s.env.host.clone()),
            profile: verdict.profile,
            created_at_ms: unix_millis(),
        }
    };
    let replayed = app
        .store
        .token_put_checked(
            &tokens::hash_token(&token),
            &record(verdict.confidence),
            &record(verdict.confidence.min(REPLAY_CONFIDENCE)),
            app.config.token_ttl,
            fp.map(|fp| (fp, app.config.replay_window)),
        )
        .await?;
    if replayed {
        mark_replayed(app, &mut verdict);
    }
    let confidence = round2(verdict.confidence);
    let score = (confidence * 100.0).round() as u8;
    let human = confidence >= 0.5;
    // Durable in the outbox before this answers (at-least-once); delivered
    // later, off the request path.
    let event = Event {
        name: if human {
            webhook::HUMAN_VERIFIED
        } else {
            webhook::BOT_DETECTED
        },
        user_id: &req.user_id,
        human,
        confidence,
        score,
        token: &token,
    };
    webhook::fire(app, caller, event).await?;

    app.metrics.scores.observe(confidence);
    // The agent block is a plan feature and needs behaviour to judge; test
    // keys show it whenever the plan has it, so `agent_` users exercise it.
    let show_agent = caller.plan.agent_block && (req.signals.is_some() || caller.is_test());
    if show_agent && verdict.agent.is_agent {
        app.metrics.agent_flags.inc();
    }
    let resp = wire::VerifyResponse {
        human,
        confidence,
        score,
        token: &token,
        pii_stored: false,
        notes: verdict.notes.iter().map(|l| l.as_str()).collect(),
        reasons: req.explain.then(|| reasons(&verdict)),
        agent: show_agent.then(|| wire::Agent {
            is_agent: verdict.agent.is_agent,
            agent_confidence: round2(verdict.agent.agent_confidence),
            signals: verdict.agent.signals.iter().map(|l| l.as_str()).collect(),
        }),
    };
    Ok(json(StatusCode::OK, wire::encode(&resp)))
}

/// The most confidence a replayed window can get: a trace sent twice is
/// a recording, whoever made it first.
pub const REPLAY_CONFIDENCE: f32 = 0.05;

/// Records the window's fingerprint for the account and, if the same trace
/// was already sent within the replay window, marks the verdict a replay.
pub async fn mark_replay<S: Store>(
    app: &App<S>,
    caller: &Caller,
    signals: &Signals,
    v: &mut Verdict,
) -> Result<(), ApiError> {
    let Some(fp) = marks(signals) else { return Ok(()) };
    if app
        .store
        .fingerprint_seen(caller.account(), fp, app.config.replay_window)
        .await?
    {
        mark_replayed(app, v);
    }
    Ok(())
}

/// Makes the verdict that of a replay (and counts it).
fn mark_replayed<S: Store>(app: &App<S>, v: &mut Verdict) {
    app.metrics.limit_hit("replay");
    v.confidence = v.confidence.min(REPLAY_CONFIDENCE);
    v.notes.insert(Label::ReplayedSignals);
    // The replay is the leading reason; the rest shift down one.
    v.reasons.copy_within(0..MAX_REASONS - 1, 1);
    v.reasons[0] = Reason {
        label: Label::ReplayedSignals,
        weight: -1.0,
    };
    v.reason_count = (v.reason_count + 1).min(MAX_REASONS);
}

fn reasons(v: &Verdict) -> Vec<wire::Reason> {
    v.reasons()
        .iter()
        .map(|r| wire::Reason {
            code: r.label.as_str(),
            weight: round2(r.weight),
        })
        .collect()
}
