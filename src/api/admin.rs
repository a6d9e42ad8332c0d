//! The operator API (`/admin/v1/keys`) and the key operations it shares
//! with `huma keys …` on the command line. Enabled only with
//! `HUMA_ADMIN_TOKEN`; without it the router answers 404.

use hyper::body::Incoming;
use hyper::{Request, StatusCode};
use ring::rand::SystemRandom;

use crate::api::{bearer, json};
use crate::app::{quota_month, unix_secs, App};
use crate::config::{PlanTable, BODY_LIMIT};
use crate::error::{ApiError, HttpResponse};
use crate::keys::{self, KeyKind, KeyRecord, Plan};
use crate::store::Store;
use crate::wire;

/// What an operator asks for when creating a key.
pub struct KeySpec {
    pub plan: Plan,
    pub name: String,
    pub kind: KeyKind,
    pub origins: Vec<String>,
    pub monthly_limit: Option<u64>,
    pub burst_per_minute: Option<u32>,
    pub expires_at: Option<i64>,
    /// Id of the live key whose account a publishable or test key joins.
    pub account: Option<String>,
}

/// Creates a key; returns its record and the full key, which is shown once.
pub async fn create_key<S: Store>(
    store: &S,
    rng: &SystemRandom,
    plans: &PlanTable,
    spec: KeySpec,
) -> Result<(KeyRecord, String), ApiError> {
    for o in &spec.origins {
        if !is_origin(o) {
            return Err(ApiError::InvalidRequest(format!(
                "origins must be like \"https://shop.example\" (scheme, host and optional port, no path); got \"{o}\"."
            )));
        }
    }
    if spec.kind == KeyKind::Publishable && spec.origins.is_empty() {
        return Err(ApiError::InvalidRequest(
            "A publishable key needs at least one entry in origins, the pages allowed to use it.".into(),
        ));
    }
    let id = keys::mint_key_id(rng);
    let account = match &spec.account {
        None => id.clone(),
        Some(acct) => {
            let owner = store.key_by_id(acct).await?;
            match owner {
                Some(k) if k.kind == KeyKind::Live => k.account,
                _ => {
                    return Err(ApiError::InvalidRequest(format!(
                        "account must be the id of an existing live key; \"{acct}\" is not one."
                    )))
                }
            }
        }
    };
    if spec.kind == KeyKind::Live && spec.account.is_some() {
        return Err(ApiError::InvalidRequest(
            "account is only for publishable and test keys; a live key founds its own account.".into(),
        ));
    }
    let created_at = unix_secs();
    let trial_end = plans
        .get(spec.plan)
        .trial_days
        .map(|d| created_at + i64::from(d) * 86_400);
    let key = keys::mint_key(rng, spec.kind);
    let record = KeyRecord {
        id,
        hash: keys::hash_key(&key),
        kind: spec.kind,
        plan: spec.plan,
        name: spec.name,
        account,
        origins: spec.origins,
        monthly_limit: spec.monthly_limit,
        burst_per_minute: spec.burst_per_minute,
        created_at,
        expires_at: spec.expires_at.or(trial_end),
        revoked: false,
    };
    store.key_put(&record).await?;
    Ok((record, key))
}

/// Revokes a key by id; `false` if there is no such key.
pub async fn revoke_key<S: Store>(store: &S, id: &str) -> Result<bool, ApiError> {
    let Some(mut rec) = store.key_by_id(id).await? else {
        return Ok(false);
    };
    rec.revoked = true;
    store.key_put(&rec).await?;
    Ok(true)
}

/// `/admin/v1/keys[/{id}]`, already matched by the router.
pub async fn handle<S: Store>(
    app: &App<S>,
    req: Request<Incoming>,
    id: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    let Some(admin_token) = &app.config.admin_token else {
        return Err(ApiError::NotFound("No such route.".into()));
    };
    let presented = bearer(req.headers())?.ok_or(ApiError::MissingAuth)?;
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        presented.as_bytes(),
        admin_token.as_bytes(),
    )) {
        return Err(ApiError::InvalidApiKey);
    }
    match (req.method().as_str(), id) {
        ("POST", None) => {
            let (parts, body) = req.into_parts();
            let body = crate::body::read_bounded(&parts.headers, body, BODY_LIMIT, app.config.body_timeout).await?;
            let spec = key_spec(wire::parse_create_key(&body)?)?;
            let (rec, key) = create_key(&app.store, &app.rng, &app.config.plans, spec).await?;
            let out = wire::CreatedKey {
                id: &rec.id,
                key: &key,
                kind: rec.kind.as_str(),
                plan: rec.plan.as_str(),
                name: &rec.name,
                account: &rec.account,
                origins: &rec.origins,
                created_at: wire::rfc3339(rec.created_at),
                expires_at: rec.expires_at.map(wire::rfc3339),
            };
            Ok(json(StatusCode::CREATED, wire::encode(&out)))
        }
        ("GET", None) => {
            let keys = app.store.keys_list().await?;
            let month = quota_month(unix_secs());
            let mut listed = Vec::with_capacity(keys.len());
            for k in &keys {
                listed.push(wire::ListedKey {
                    id: &k.id,
                    kind: k.kind.as_str(),
                    plan: k.plan.as_str(),
                    name: &k.name,
                    account: &k.account,
                    created_at: wire::rfc3339(k.created_at),
                    expires_at: k.expires_at.map(wire::rfc3339),
                    revoked: k.revoked,
                    usage_this_month: app.store.quota_get(&k.account, &month).await?,
                });
            }
            Ok(json(StatusCode::OK, wire::encode(&wire::KeyList { keys: listed })))
        }
        ("DELETE", Some(id)) => {
            if revoke_key(&app.store, id).await? {
                Ok(crate::api::ops::no_content())
            } else {
                Err(ApiError::NotFound(format!("There is no key with id {id}.")))
            }
        }
        (_, None) => Err(ApiError::MethodNotAllowed("GET, POST")),
        (_, Some(_)) => Err(ApiError::MethodNotAllowed("DELETE")),
    }
}

fn key_spec(req: wire::CreateKeyRequest<'_>) -> Result<KeySpec, ApiError> {
    let plan = Plan::from_name(&req.plan).ok_or_else(|| {
        ApiError::InvalidRequest(format!(
            "plan must be one of trial, starter, pro, enterprise; got \"{}\".",
            req.plan
        ))
    })?;
    let kind = match &req.kind {
        None => KeyKind::Live,
        Some(k) => KeyKind::from_name(k).ok_or_else(|| {
            ApiError::InvalidRequest(format!("kind must be one of live, publishable, test; got \"{k}\"."))
        })?,
    };
    Ok(KeySpec {
        plan,
        name: req.name.into_owned(),
        kind,
        origins: req.origins,
        monthly_limit: req.monthly_limit,
        burst_per_minute: req.burst_per_minute,
        expires_at: req.expires_at,
        account: req.account.map(|a| a.into_owned()),
    })
}

/// `scheme://host[:port]` with an http(s) scheme and nothing after.
fn is_origin(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")) else {
        return false;
    };
    !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}
