//! `POST /api/v1/token/verify`: the customer's backend asks whether a token
//! is genuine, fresh, for this user and this action — and, with
//! `consume: true`, spends it so it can never be replayed.

use hyper::StatusCode;

use crate::api::{json, Caller};
use crate::app::{unix_millis, App};
use crate::error::{ApiError, HttpResponse};
use crate::keys::{hashes_equal, KeyKind};
use crate::store::{Consume, Store, StoredToken};
use crate::tokens;
use crate::wire::{self, TokenVerifyResponse};

pub async fn handle<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    // Reached only by secret keys: the pipeline refuses publishable ones.
    debug_assert_ne!(caller.key.kind, KeyKind::Publishable);
    let req = wire::parse_token_verify(body)?;
    let hash = tokens::hash_token(&req.token);
    let stored = match tokens::token_kind(&req.token) {
        Some(_) => app.store.token_get(caller.account(), &hash).await?,
        None => None,
    };
    let Some(stored) = stored else {
        return Ok(answer(invalid("not_found")));
    };
    let fresh_ms = app.config.token_fresh.as_millis() as i64;
    let rec = &stored.record;
    let reason = if stored.used {
        Some("already_used")
    } else if unix_millis() > rec.created_at_ms + fresh_ms {
        Some("expired")
    } else if req
        .user_id
        .as_ref()
        .is_some_and(|u| !hashes_equal(&rec.user_hash, &app.secret.user_hash(u)))
    {
        Some("user_mismatch")
    } else if req
        .action
        .as_ref()
        .is_some_and(|a| rec.action.as_deref() != Some(a.as_ref()))
    {
        Some("action_mismatch")
    } else if req.consume {
        match app.store.token_consume(caller.account(), &hash).await? {
            Consume::Consumed => None,
            Consume::AlreadyUsed => Some("already_used"),
            Consume::NotFound => return Ok(answer(invalid("not_found"))),
        }
    } else {
        None
    };
    Ok(answer(described(&stored, reason, fresh_ms)))
}

fn invalid(reason: &'static str) -> TokenVerifyResponse<'static> {
    TokenVerifyResponse {
        valid: false,
        reason: Some(reason),
        kind: None,
        human: None,
        confidence: None,
        action: None,
        hostname: None,
        created_at: None,
        expires_at: None,
    }
}

fn described<'a>(stored: &'a StoredToken, reason: Option<&'static str>, fresh_ms: i64) -> TokenVerifyResponse<'a> {
    let rec = &stored.record;
    TokenVerifyResponse {
        valid: reason.is_none(),
        reason,
        kind: Some(rec.kind.as_str()),
        human: Some(rec.human),
        confidence: Some(rec.score as f64 / 100.0),
        action: Some(rec.action.as_deref()),
        hostname: Some(rec.hostname.as_deref()),
        created_at: Some(wire::rfc3339_ms(rec.created_at_ms)),
        expires_at: Some(wire::rfc3339_ms(rec.created_at_ms + fresh_ms)),
    }
}

fn answer(resp: TokenVerifyResponse<'_>) -> HttpResponse {
    json(StatusCode::OK, wire::encode(&resp))
}
