//! `GET|POST /api/v1/webhooks` and `DELETE /api/v1/webhooks/{id}`: the
//! account's webhook endpoints. The signing secret is shown once, in the
//! answer to the registration; lists never carry it. Live and test keys may
//! manage the account's webhooks (test keys never fire them); publishable
//! keys are refused by the pipeline.

use hyper::StatusCode;

use crate::api::{json, Caller};
use crate::app::{unix_secs, App};
use crate::error::{ApiError, HttpResponse};
use crate::keys;
use crate::store::{Store, WebhookRecord};
use crate::webhook::{self, MAX_PER_ACCOUNT};
use crate::wire;

/// Base62 characters after `wh_`.
const ID_LEN: usize = 16;
/// Base62 characters after `huma_whsec_` (≥ 190 bits).
const SECRET_LEN: usize = 32;

pub async fn list<S: Store>(app: &App<S>, caller: &Caller) -> Result<HttpResponse, ApiError> {
    let hooks = app.store.webhooks_list(caller.account()).await?;
    let body = wire::WebhookList {
        webhooks: hooks
            .iter()
            .map(|h| wire::ListedWebhook {
                id: &h.id,
                url: &h.url,
                events: &h.events,
                active: h.active,
                created_at: wire::rfc3339(h.created_at),
            })
            .collect(),
    };
    Ok(json(StatusCode::OK, wire::encode(&body)))
}

pub async fn create<S: Store>(app: &App<S>, caller: &Caller, body: &[u8]) -> Result<HttpResponse, ApiError> {
    let req = wire::parse_create_webhook(body)?;
    webhook::check_url(&req.url, app.config.webhook_allow_private)?;
    let events = webhook::check_events(req.events)?;
    let hook = WebhookRecord {
        id: keys::random_id(&app.rng, "wh_", ID_LEN),
        account: caller.account().to_string(),
        url: req.url.into_owned(),
        events,
        secret: keys::random_id(&app.rng, "huma_whsec_", SECRET_LEN),
        active: true,
        created_at: unix_secs(),
    };
    if !app.store.webhook_add(&hook, MAX_PER_ACCOUNT).await? {
        return Err(ApiError::WebhookLimitReached);
    }
    app.webhooks.invalidate(&hook.account);
    let body = wire::CreatedWebhook {
        id: &hook.id,
        secret: &hook.secret,
        url: &hook.url,
        events: &hook.events,
        active: hook.active,
        created_at: wire::rfc3339(hook.created_at),
    };
    Ok(json(StatusCode::CREATED, wire::encode(&body)))
}

pub async fn delete<S: Store>(app: &App<S>, caller: &Caller, id: &str) -> Result<HttpResponse, ApiError> {
    if !app.store.webhook_delete(caller.account(), id).await? {
        return Err(ApiError::NotFound(format!(
            "This account has no webhook \"{}\"; list them with GET /api/v1/webhooks.",
            id.chars().take(64).collect::<String>()
        )));
    }
    app.webhooks.invalidate(caller.account());
    Ok(hyper::Response::builder()
        .status(StatusCode::NO_CONTENT)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("a static response builds"))
}
