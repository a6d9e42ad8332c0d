//! The only module that knows JSON: request envelopes are decoded here into
//! typed requests (borrowing from the body where it can), signals are
//! decoded in `wire::signals`, and every response body is encoded here.
//!
//! Decoding reads each known field as a raw slice first and types it second,
//! so a wrong type is reported with the field's name, as the contract asks.

use std::borrow::Cow;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::ApiError;
use crate::signals::Signals;

pub mod signals;

/// Longest userId the contract allows, in bytes.
pub const MAX_USER_ID: usize = 256;
/// Longest `action`, in bytes.
pub const MAX_ACTION: usize = 64;

pub struct VerifyRequest<'a> {
    pub user_id: Cow<'a, str>,
    pub signals: Option<Signals>,
    pub action: Option<Cow<'a, str>>,
    pub explain: bool,
}

pub struct SessionRequest<'a> {
    pub user_id: Cow<'a, str>,
    pub session_token: Cow<'a, str>,
    pub signals: Option<Signals>,
}

pub struct TokenVerifyRequest<'a> {
    pub token: Cow<'a, str>,
    pub user_id: Option<Cow<'a, str>>,
    pub action: Option<Cow<'a, str>>,
    pub consume: bool,
}

pub struct CreateKeyRequest<'a> {
    pub plan: Cow<'a, str>,
    pub name: Cow<'a, str>,
    pub kind: Option<Cow<'a, str>>,
    pub origins: Vec<String>,
    pub monthly_limit: Option<u64>,
    pub burst_per_minute: Option<u32>,
    /// Unix seconds.
    pub expires_at: Option<i64>,
    pub account: Option<Cow<'a, str>>,
}

pub struct ChallengeCreateRequest<'a> {
    pub user_id: Cow<'a, str>,
}

pub struct ChallengeVerifyRequest<'a> {
    pub challenge_id: Cow<'a, str>,
    pub answer: Cow<'a, str>,
    pub signals: Option<Signals>,
}

pub struct CreateWebhookRequest<'a> {
    pub url: Cow<'a, str>,
    pub events: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct VerifyRaw<'a> {
    #[serde(rename = "userId", borrow)]
    user_id: Option<&'a RawValue>,
    #[serde(rename = "sessionData", borrow)]
    session_data: Option<&'a RawValue>,
    #[serde(borrow)]
    signals: Option<&'a RawValue>,
    #[serde(borrow)]
    action: Option<&'a RawValue>,
    #[serde(borrow)]
    explain: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct SessionRaw<'a> {
    #[serde(rename = "userId", borrow)]
    user_id: Option<&'a RawValue>,
    #[serde(rename = "sessionToken", borrow)]
    session_token: Option<&'a RawValue>,
    #[serde(rename = "sessionData", borrow)]
    session_data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct TokenVerifyRaw<'a> {
    #[serde(borrow)]
    token: Option<&'a RawValue>,
    #[serde(rename = "userId", borrow)]
    user_id: Option<&'a RawValue>,
    #[serde(borrow)]
    action: Option<&'a RawValue>,
    #[serde(borrow)]
    consume: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CreateKeyRaw<'a> {
    #[serde(borrow)]
    plan: Option<&'a RawValue>,
    #[serde(borrow)]
    name: Option<&'a RawValue>,
    #[serde(borrow)]
    kind: Option<&'a RawValue>,
    #[serde(borrow)]
    origins: Option<&'a RawValue>,
    #[serde(borrow)]
    monthly_limit: Option<&'a RawValue>,
    #[serde(borrow)]
    burst_per_minute: Option<&'a RawValue>,
    #[serde(borrow)]
    expires_at: Option<&'a RawValue>,
    #[serde(borrow)]
    account: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ChallengeCreateRaw<'a> {
    #[serde(rename = "userId", borrow)]
    user_id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ChallengeVerifyRaw<'a> {
    #[serde(borrow)]
    challenge_id: Option<&'a RawValue>,
    #[serde(borrow)]
    answer: Option<&'a RawValue>,
    #[serde(rename = "sessionData", borrow)]
    session_data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CreateWebhookRaw<'a> {
    #[serde(borrow)]
    url: Option<&'a RawValue>,
    #[serde(borrow)]
    events: Option<&'a RawValue>,
}

pub fn parse_verify(body: &[u8]) -> Result<VerifyRequest<'_>, ApiError> {
    let raw: VerifyRaw = envelope(body)?;
    let user_id = user_id(raw.user_id, "userId")?;
    // `signals` is the seed's name in verifyWithSignals; `sessionData` wins.
    let signals = session_data(raw.session_data.or(raw.signals))?;
    let action = opt_str(raw.action, "action")?;
    if let Some(a) = &action {
        if a.is_empty()
            || a.len() > MAX_ACTION
            || !a
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'/' || b == b'-')
        {
            return Err(ApiError::InvalidRequest(
                "action must be 1 to 64 characters of [A-Za-z0-9_/-], e.g. \"signup\".".into(),
            ));
        }
    }
    let explain = opt_bool(raw.explain, "explain")?.unwrap_or(false);
    Ok(VerifyRequest {
        user_id,
        signals,
        action,
        explain,
    })
}

pub fn parse_session(body: &[u8]) -> Result<SessionRequest<'_>, ApiError> {
    let raw: SessionRaw = envelope(body)?;
    let user_id = user_id(raw.user_id, "userId")?;
    let session_token = req_str(raw.session_token, "sessionToken")?;
    let signals = session_data(raw.session_data)?;
    Ok(SessionRequest {
        user_id,
        session_token,
        signals,
    })
}

pub fn parse_token_verify(body: &[u8]) -> Result<TokenVerifyRequest<'_>, ApiError> {
    let raw: TokenVerifyRaw = envelope(body)?;
    Ok(TokenVerifyRequest {
        token: req_str(raw.token, "token")?,
        user_id: opt_str(raw.user_id, "userId")?,
        action: opt_str(raw.action, "action")?,
        consume: opt_bool(raw.consume, "consume")?.unwrap_or(false),
    })
}

pub fn parse_create_key(body: &[u8]) -> Result<CreateKeyRequest<'_>, ApiError> {
    let raw: CreateKeyRaw = envelope(body)?;
    let expires_at = match opt_str(raw.expires_at, "expires_at")? {
        None => None,
        Some(s) => Some(
            OffsetDateTime::parse(&s, &Rfc3339)
                .map_err(|_| {
                    ApiError::InvalidRequest(format!(
                        "expires_at must be an RFC 3339 time like \"2026-12-31T00:00:00Z\"; got \"{s}\"."
                    ))
                })?
                .unix_timestamp(),
        ),
    };
    Ok(CreateKeyRequest {
        plan: req_str(raw.plan, "plan")?,
        name: opt_str(raw.name, "name")?.unwrap_or(Cow::Borrowed("")),
        kind: opt_str(raw.kind, "kind")?,
        origins: opt_typed::<Vec<String>>(raw.origins, "origins", "an array of strings")?.unwrap_or_default(),
        monthly_limit: opt_typed(raw.monthly_limit, "monthly_limit", "a non-negative whole number")?,
        burst_per_minute: opt_typed(raw.burst_per_minute, "burst_per_minute", "a non-negative whole number")?,
        expires_at,
        account: opt_str(raw.account, "account")?,
    })
}

pub fn parse_challenge_create(body: &[u8]) -> Result<ChallengeCreateRequest<'_>, ApiError> {
    let raw: ChallengeCreateRaw = envelope(body)?;
    Ok(ChallengeCreateRequest {
        user_id: user_id(raw.user_id, "userId")?,
    })
}

pub fn parse_challenge_verify(body: &[u8]) -> Result<ChallengeVerifyRequest<'_>, ApiError> {
    let raw: ChallengeVerifyRaw = envelope(body)?;
    Ok(ChallengeVerifyRequest {
        challenge_id: req_str(raw.challenge_id, "challenge_id")?,
        answer: req_str(raw.answer, "answer")?,
        signals: session_data(raw.session_data)?,
    })
}

pub fn parse_create_webhook(body: &[u8]) -> Result<CreateWebhookRequest<'_>, ApiError> {
    let raw: CreateWebhookRaw = envelope(body)?;
    Ok(CreateWebhookRequest {
        url: req_str(raw.url, "url")?,
        events: opt_typed::<Vec<String>>(raw.events, "events", "an array of event names")?,
    })
}

fn envelope<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first.is_none() {
        return Err(ApiError::InvalidRequest(
            "The request body is empty; send a JSON object.".into(),
        ));
    }
    if first != Some(&b'{') {
        return Err(ApiError::InvalidRequest(
            "The request body must be a JSON object.".into(),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::InvalidRequest(format!("The request body is not valid JSON ({e}).")))
}

fn session_data(raw: Option<&RawValue>) -> Result<Option<Signals>, ApiError> {
    match raw {
        None => Ok(None),
        Some(raw) => signals::decode_signals(raw)
            .map(Some)
            .map_err(|e| ApiError::InvalidSignals(e.message)),
    }
}

fn user_id<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Cow<'a, str>, ApiError> {
    let s = req_str(raw, field)?;
    if s.is_empty() || s.len() > MAX_USER_ID {
        return Err(ApiError::InvalidRequest(format!(
            "{field} must be a non-empty string of at most {MAX_USER_ID} bytes."
        )));
    }
    Ok(s)
}

fn req_str<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Cow<'a, str>, ApiError> {
    opt_str(raw, field)?.ok_or_else(|| ApiError::InvalidRequest(format!("{field} is required.")))
}

fn opt_str<'a>(raw: Option<&'a RawValue>, field: &str) -> Result<Option<Cow<'a, str>>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    // Strings without escapes borrow from the body; the rest are unescaped.
    if let Ok(s) = serde_json::from_str::<&'a str>(raw.get()) {
        return Ok(Some(Cow::Borrowed(s)));
    }
    serde_json::from_str::<String>(raw.get())
        .map(|s| Some(Cow::Owned(s)))
        .map_err(|_| ApiError::InvalidRequest(format!("{field} must be a string.")))
}

fn opt_bool(raw: Option<&RawValue>, field: &str) -> Result<Option<bool>, ApiError> {
    opt_typed(raw, field, "true or false")
}

fn opt_typed<'a, T: Deserialize<'a>>(
    raw: Option<&'a RawValue>,
    field: &str,
    what: &str,
) -> Result<Option<T>, ApiError> {
    let Some(raw) = raw else { return Ok(None) };
    serde_json::from_str(raw.get())
        .map(Some)
        .map_err(|_| ApiError::InvalidRequest(format!("{field} must be {what}.")))
}

// ---------------------------------------------------------------- responses

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    error: &'a str,
}

pub fn error_body(code: &str, message: &str) -> Bytes {
    encode(&ErrorBody { code, error: message })
}

#[derive(Serialize)]
pub struct Reason {
    pub code: &'static str,
    pub weight: f64,
}

#[derive(Serialize)]
pub struct Agent {
    pub is_agent: bool,
    pub agent_confidence: f64,
    pub signals: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct VerifyResponse<'a> {
    pub human: bool,
    pub confidence: f64,
    pub score: u8,
    pub token: &'a str,
    pub pii_stored: bool,
    pub notes: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<Reason>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<Agent>,
}

#[derive(Serialize)]
pub struct SessionResponse {
    pub score: u8,
    pub confidence: f64,
    pub baseline: u8,
    pub delta: i32,
    pub anomaly: bool,
    pub action: &'static str,
    pub notes: Vec<&'static str>,
}

#[derive(Serialize)]
pub struct TokenVerifyResponse<'a> {
    pub valid: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub human: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

#[derive(Serialize)]
pub struct CreatedKey<'a> {
    pub id: &'a str,
    pub key: &'a str,
    pub kind: &'static str,
    pub plan: &'static str,
    pub name: &'a str,
    pub account: &'a str,
    pub origins: &'a [String],
    pub created_at: String,
    pub expires_at: Option<String>,
}

#[derive(Serialize)]
pub struct ListedKey<'a> {
    pub id: &'a str,
    pub kind: &'static str,
    pub plan: &'static str,
    pub name: &'a str,
    pub account: &'a str,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked: bool,
    pub usage_this_month: u64,
}

#[derive(Serialize)]
pub struct KeyList<'a> {
    pub keys: Vec<ListedKey<'a>>,
}

#[derive(Serialize)]
pub struct ListedWebhook<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    pub active: bool,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct WebhookList<'a> {
    pub webhooks: Vec<ListedWebhook<'a>>,
}

#[derive(Serialize)]
pub struct CreatedWebhook<'a> {
    pub id: &'a str,
    pub secret: &'a str,
    pub url: &'a str,
    pub events: &'a [String],
    pub active: bool,
    pub created_at: String,
}

#[derive(Serialize)]
pub struct ClickTarget<'a> {
    pub id: &'a str,
    pub x: u8,
    pub y: u8,
    pub label: &'a str,
}

#[derive(Serialize)]
#[serde(untagged)]
pub enum ChallengePayload<'a> {
    ClickTargets {
        instruction: &'a str,
        targets: Vec<ClickTarget<'a>>,
    },
    Pattern {
        instruction: &'a str,
        grid: u8,
        sequence_hint: &'a [u8],
    },
}

#[derive(Serialize)]
pub struct ChallengeCreated<'a> {
    pub challenge_id: &'a str,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub payload: ChallengePayload<'a>,
    pub expires_in_seconds: u64,
}

#[derive(Serialize)]
pub struct ChallengeAnswer<'a> {
    pub passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_remaining: Option<u8>,
}

/// The body of a webhook delivery, fields in the contract's order.
#[derive(Serialize)]
pub struct WebhookEvent<'a> {
    pub id: &'a str,
    pub event: &'a str,
    pub user_id: &'a str,
    pub human: bool,
    pub confidence: f64,
    pub score: u8,
    pub token: &'a str,
    pub timestamp: String,
}

/// Encodes a response body. Serialising our own plain structs cannot fail.
pub fn encode<T: Serialize>(value: &T) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("response types always serialise"))
}

/// RFC 3339 in UTC, as every timestamp in the API.
pub fn rfc3339(unix_secs: i64) -> String {
    rfc3339_ms(unix_secs.saturating_mul(1000))
}

pub fn rfc3339_ms(unix_ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// RFC 3339 in UTC with exactly three fraction digits,
/// `2026-05-25T21:00:00.000Z`, as in webhook bodies.
pub fn rfc3339_millis(unix_ms: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::from_unix_timestamp_nanos(unix_ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into())
}

/// The confidence as answered: rounded to two decimals.
pub fn round2(x: f32) -> f64 {
    ((x as f64) * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verify_err(body: &str) -> ApiError {
        match parse_verify(body.as_bytes()) {
            Ok(_) => panic!("accepted {body}"),
            Err(e) => e,
        }
    }

    #[test]
    fn envelope_errors_name_the_field() {
        for (body, needle) in [
            ("", "empty"),
            ("[]", "JSON object"),
            ("{", "not valid JSON"),
            ("{}", "userId is required"),
            (r#"{"userId": 5}"#, "userId must be a string"),
            (r#"{"userId": ""}"#, "userId must be a non-empty"),
            (r#"{"userId": "u", "action": "a b"}"#, "action must be"),
            (r#"{"userId": "u", "explain": "yes"}"#, "explain must be"),
        ] {
            let e = verify_err(body);
            assert_eq!(e.code(), "INVALID_REQUEST", "{body}");
            assert!(e.message().contains(needle), "{body}: {}", e.message());
        }
        let long = format!(r#"{{"userId": "{}"}}"#, "x".repeat(257));
        assert_eq!(verify_err(&long).code(), "INVALID_REQUEST");
        let max = format!(r#"{{"userId": "{}"}}"#, "x".repeat(256));
        assert!(parse_verify(max.as_bytes()).is_ok());
    }

    #[test]
    fn unknown_fields_are_ignored_and_strings_borrow() {
        let body = br#"{"userId": "user_1", "extra": {"deep": [1, 2]}, "action": "login"}"#;
        let r = parse_verify(body).unwrap();
        assert!(matches!(r.user_id, Cow::Borrowed("user_1")));
        assert_eq!(r.action.as_deref(), Some("login"));
        assert!(r.signals.is_none());
        let escaped = br#"{"userId": "a\u00e9b"}"#;
        assert_eq!(parse_verify(escaped).unwrap().user_id, "a\u{e9}b");
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_ms(1_716_840_000_123), "2024-05-27T20:00:00.123Z");
        assert_eq!(rfc3339_millis(1_716_840_000_000), "2024-05-27T20:00:00.000Z");
        assert_eq!(rfc3339_millis(1_716_840_000_100), "2024-05-27T20:00:00.100Z");
    }
}
