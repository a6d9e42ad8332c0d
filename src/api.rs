//! The `/api/v1` pipeline every customer call goes through, in the
//! contract's order: authorization (401/403), the key's expiry (402), burst
//! and monthly quota (429), the body (413/400), then the handler (which runs
//! the per-user flood check once it knows the userId). Every answer after
//! the key is known carries the `RateLimit-Policy` and `RateLimit` headers.

use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, ORIGIN};
use hyper::{HeaderMap, Request, Response, StatusCode};

use crate::app::{quota_month, unix_secs, App};
use crate::config::BODY_LIMIT;
use crate::error::{self, ApiError, HttpResponse};
use crate::keys::{self, KeyHash, KeyKind, KeyRecord, PlanLimits};
use crate::limits::{self, Window};
use crate::store::{Quota, Store};

pub mod admin;
pub mod assets;
pub mod challenge;
pub mod ops;
pub mod session;
pub mod testkey;
pub mod token;
pub mod verify;
pub mod webhooks;

/// The customer routes, as the router names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiRoute {
    Verify,
    Session,
    TokenVerify,
    ChallengeCreate,
    ChallengeVerify,
    WebhooksList,
    WebhooksCreate,
    WebhooksDelete,
}

impl ApiRoute {
    pub fn name(self) -> &'static str {
        match self {
            ApiRoute::Verify => "verify",
            ApiRoute::Session => "session",
            ApiRoute::TokenVerify => "token_verify",
            ApiRoute::ChallengeCreate => "challenge_create",
            ApiRoute::ChallengeVerify => "challenge_verify",
            ApiRoute::WebhooksList => "webhooks_list",
            ApiRoute::WebhooksCreate => "webhooks_create",
            ApiRoute::WebhooksDelete => "webhooks_delete",
        }
    }

    /// Publishable keys may call only what a browser needs.
    fn publishable_may_call(self) -> bool {
        matches!(
            self,
            ApiRoute::Verify | ApiRoute::Session | ApiRoute::ChallengeCreate | ApiRoute::ChallengeVerify
        )
    }

    /// Calls that count toward the monthly quota.
    fn metered(self) -> bool {
        matches!(self, ApiRoute::Verify | ApiRoute::ChallengeCreate)
    }
}

/// The authenticated caller, as handlers see it.
pub struct Caller {
    pub key: KeyRecord,
    pub plan: PlanLimits,
}

impl Caller {
    pub fn is_test(&self) -> bool {
        self.key.kind == KeyKind::Test
    }

    pub fn account(&self) -> &str {
        &self.key.account
    }
}

/// Runs one customer call through the whole pipeline; `id` is the path's
/// resource id (`/api/v1/webhooks/{id}`) where the route has one.
pub async fn call<S: Store>(app: &App<S>, route: ApiRoute, id: Option<&str>, req: Request<Incoming>) -> HttpResponse {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let mut window = None;
    let result = async {
        let month = quota_month(unix_secs());
        let (caller, metered) = admit(app, route, &parts.headers, &month, &mut window).await?;
        let result = match crate::body::read_bounded(&parts.headers, body, BODY_LIMIT, app.config.body_timeout).await {
            Ok(body) => dispatch(app, route, &caller, id, &body).await,
            Err(e) => Err(e),
        };
        // A call refused for its body did not use the service.
        if metered
            && matches!(
                result,
                Err(ApiError::InvalidRequest(_) | ApiError::InvalidSignals(_) | ApiError::PayloadTooLarge)
            )
        {
            app.store.quota_refund(caller.account(), &month).await?;
        }
        result
    }
    .await;
    // Store errors are counted where they happen (`store::Instrumented`).
    let mut resp = match result {
        Ok(resp) => resp,
        Err(e) => error::render(&e),
    };
    if let Some(w) = window {
        rate_limit_headers(&mut resp, &w);
    }
    app.metrics
        .observe_request(route.name(), resp.status().as_u16(), started.elapsed().as_secs_f64());
    resp
}

async fn dispatch<S: Store>(
    app: &App<S>,
    route: ApiRoute,
    caller: &Caller,
    id: Option<&str>,
    body: &[u8],
) -> Result<HttpResponse, ApiError> {
    match route {
        ApiRoute::Verify => verify::handle(app, caller, body).await,
        ApiRoute::Session => session::handle(app, caller, body).await,
        ApiRoute::TokenVerify => token::handle(app, caller, body).await,
        ApiRoute::ChallengeCreate => challenge::create(app, caller, body).await,
        ApiRoute::ChallengeVerify => challenge::verify(app, caller, body).await,
        ApiRoute::WebhooksList => webhooks::list(app, caller).await,
        ApiRoute::WebhooksCreate => webhooks::create(app, caller, body).await,
        ApiRoute::WebhooksDelete => webhooks::delete(app, caller, id.unwrap_or_default()).await,
    }
}

/// Authorization (401/403), expiry (402), the burst window and the monthly
/// quota (429), in that order; returns the caller and whether a unit of
/// quota was taken. `window` is set once the key is known and counted.
///
/// On a store that remembers keys (`Store::key_hint`, Redis), a metered
/// call by a key seen before reads the key afresh *together* with the quota
/// take, in one round trip instead of two (`admit_hinted`).
async fn admit<S: Store>(
    app: &App<S>,
    route: ApiRoute,
    headers: &HeaderMap,
    month: &str,
    window: &mut Option<Window>,
) -> Result<(Caller, bool), ApiError> {
    let presented = bearer(headers)?.ok_or(ApiError::MissingAuth)?;
    let (kind, _) = keys::parse_key(presented).map_err(|_| ApiError::InvalidApiKeyFormat)?;
    let hash = keys::hash_key(presented);
    let mut counted = None;
    let fresh = match route.metered().then(|| app.store.key_hint(&hash)).flatten() {
        Some(hint) => match admit_hinted(app, route, headers, &hash, kind, hint, month, window, &mut counted).await? {
            Hinted::Admitted(caller) => return Ok((caller, true)),
            Hinted::Decide(fresh) => fresh,
        },
        None => None,
    };
    let key = match fresh {
        Some(key) => key,
        None => app.store.key_by_hash(&hash).await?,
    };
    let caller = authenticate(app, route, headers, &hash, kind, key)?;
    // A call the hinted path counted already is not counted twice.
    let w = counted.unwrap_or_else(|| burst_hit(app, &caller));
    *window = Some(w);
    if w.exceeded {
        app.metrics.limit_hit("burst");
        return Err(ApiError::BurstLimitExceeded {
            retry_after: w.reset_secs,
        });
    }
    let metered = route.metered() && !caller.is_test();
    if metered {
        let limit = caller.key.monthly_limit(&caller.plan);
        if app.store.quota_take(caller.account(), month, limit).await? == Quota::Exceeded {
            app.metrics.limit_hit("monthly");
            return Err(ApiError::MonthlyLimitExceeded);
        }
    }
    Ok((caller, metered))
}

/// How the hinted path ended.
enum Hinted {
    /// Admitted, one unit of quota taken.
    Admitted(Caller),
    /// Not decided here: the caller decides on this fresh read of the key
    /// (`Some`), or reads it itself (`None`).
    Decide(Option<Option<KeyRecord>>),
}

/// The hinted path of `admit`. The checks up to the burst window run on
/// the remembered record; if they pass, the fresh key read and the quota
/// take go out together. When the fresh record is the remembered one (the
/// usual case) the outcome is the one the sequential path would give; when
/// it differs (revoked meanwhile, by any instance) or is gone, the unit is
/// given back and the call is decided on the fresh record. Refusals are
/// never decided on the hint alone: a hint that fails a check, or a burst
/// window already full, goes to the sequential path, which reads the key.
#[allow(clippy::too_many_arguments)]
async fn admit_hinted<S: Store>(
    app: &App<S>,
    route: ApiRoute,
    headers: &HeaderMap,
    hash: &KeyHash,
    kind: KeyKind,
    hint: KeyRecord,
    month: &str,
    window: &mut Option<Window>,
    counted: &mut Option<Window>,
) -> Result<Hinted, ApiError> {
    let Ok(caller) = authenticate(app, route, headers, hash, kind, Some(hint)) else {
        return Ok(Hinted::Decide(None));
    };
    if caller.is_test() {
        // Test keys take no quota: nothing to pair the read with.
        return Ok(Hinted::Decide(None));
    }
    let w = burst_hit(app, &caller);
    *counted = Some(w);
    if w.exceeded {
        return Ok(Hinted::Decide(None));
    }
    let limit = caller.key.monthly_limit(&caller.plan);
    let (fresh, taken) = tokio::join!(
        app.store.key_by_hash(hash),
        app.store.quota_take(caller.account(), month, limit)
    );
    let fresh = match fresh {
        Ok(fresh) => fresh,
        Err(e) => {
            // Unknown whether the key still holds: the unit goes back (if
            // Redis answers at all), and the call fails as a failed read would.
            if let Ok(Quota::Taken(_)) = taken {
                let _ = app.store.quota_refund(caller.account(), month).await;
            }
            return Err(e.into());
        }
    };
    let taken = taken?;
    if fresh.as_ref() == Some(&caller.key) {
        *window = Some(w);
        return match taken {
            Quota::Taken(_) => Ok(Hinted::Admitted(caller)),
            Quota::Exceeded => {
                app.metrics.limit_hit("monthly");
                Err(ApiError::MonthlyLimitExceeded)
            }
        };
    }
    if let Quota::Taken(_) = taken {
        app.store.quota_refund(caller.account(), month).await?;
    }
    Ok(Hinted::Decide(Some(fresh)))
}

fn burst_hit<S: Store>(app: &App<S>, caller: &Caller) -> Window {
    app.limits.burst.hit(
        limits::key_of(&caller.key.hash),
        caller.key.burst_per_minute(&caller.plan),
        unix_secs() as u64,
    )
}

/// Authorization, publishable-key scope and origin, and expiry, on the
/// record `key` found for `hash` (no I/O).
fn authenticate<S: Store>(
    app: &App<S>,
    route: ApiRoute,
    headers: &HeaderMap,
    hash: &KeyHash,
    kind: KeyKind,
    key: Option<KeyRecord>,
) -> Result<Caller, ApiError> {
    let key = key.ok_or(ApiError::InvalidApiKey)?;
    // The lookup is by hash; comparing again in constant time keeps a store
    // that answers loosely from ever letting a different key through.
    if !keys::hashes_equal(&key.hash, hash) || key.kind != kind || key.revoked {
        return Err(ApiError::InvalidApiKey);
    }
    if key.kind == KeyKind::Publishable {
        if !route.publishable_may_call() {
            return Err(ApiError::Forbidden(format!(
                "Publishable keys may call only verify, session and challenge; call {} from your server with a \
                 secret (huma_live_) key.",
                route.name()
            )));
        }
        let origin = headers.get(ORIGIN).and_then(|o| o.to_str().ok());
        match origin {
            Some(o) if key.origins.iter().any(|allowed| allowed == o) => {}
            Some(o) => {
                return Err(ApiError::Forbidden(format!(
                    "The Origin {o} is not in this publishable key's allowlist; add it to the key or call from an \
                     allowed page."
                )))
            }
            None => {
                return Err(ApiError::Forbidden(
                    "Publishable keys work only from browser pages on allowed origins; this request carried no \
                     Origin header."
                        .into(),
                ))
            }
        }
    }
    if key.expires_at.is_some_and(|t| unix_secs() >= t) {
        return Err(ApiError::TrialExpired);
    }
    let plan = app.config.plans.get(key.plan).clone();
    Ok(Caller { key, plan })
}

/// The bearer credential, `Ok(None)` when there is no Authorization header.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ApiError::MissingAuth)?;
    let (scheme, cred) = value.split_once(' ').ok_or(ApiError::MissingAuth)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::MissingAuth);
    }
    Ok(Some(cred.trim()))
}

fn rate_limit_headers(resp: &mut HttpResponse, w: &Window) {
    let h = resp.headers_mut();
    let policy = format!("\"burst\";q={};w={}", w.limit, limits::WINDOW_SECS);
    let state = format!("\"burst\";r={};t={}", w.remaining, w.reset_secs);
    if let (Ok(p), Ok(s)) = (HeaderValue::from_str(&policy), HeaderValue::from_str(&state)) {
        h.insert("ratelimit-policy", p);
        h.insert("ratelimit", s);
    }
}

/// A JSON answer with `status`.
pub fn json(status: StatusCode, body: Bytes) -> HttpResponse {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}
