//! `ApiError`, every failure the API can answer with, and `render`, the one
//! function that turns an error into a status, headers and a JSON body.
//! Handlers return `Result<_, ApiError>` and never build error responses.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, ALLOW, CONTENT_TYPE, RETRY_AFTER};
use hyper::{Response, StatusCode};

use crate::store::StoreError;

pub type HttpResponse = Response<Full<Bytes>>;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// Body not JSON, a required field missing or of the wrong type.
    InvalidRequest(String),
    /// `sessionData` present but not signals v1.
    InvalidSignals(String),
    InvalidWebhook(String),
    MissingAuth,
    InvalidApiKeyFormat,
    InvalidApiKey,
    TrialExpired,
    Forbidden(String),
    NotFound(String),
    /// Known route, wrong method; the methods it takes.
    MethodNotAllowed(&'static str),
    WebhookLimitReached,
    ChallengeClosed(String),
    PayloadTooLarge,
    MonthlyLimitExceeded,
    BurstLimitExceeded {
        retry_after: u64,
    },
    UserFloodDetected {
        retry_after: u64,
    },
    Unavailable,
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        use ApiError::*;
        match self {
            InvalidRequest(_) | InvalidSignals(_) | InvalidWebhook(_) => StatusCode::BAD_REQUEST,
            MissingAuth | InvalidApiKeyFormat | InvalidApiKey => StatusCode::UNAUTHORIZED,
            TrialExpired => StatusCode::PAYMENT_REQUIRED,
            Forbidden(_) => StatusCode::FORBIDDEN,
            NotFound(_) => StatusCode::NOT_FOUND,
            MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            WebhookLimitReached => StatusCode::CONFLICT,
            ChallengeClosed(_) => StatusCode::GONE,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            MonthlyLimitExceeded | BurstLimitExceeded { .. } | UserFloodDetected { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    pub fn code(&self) -> &'static str {
        use ApiError::*;
        match self {
            InvalidRequest(_) => "INVALID_REQUEST",
            InvalidSignals(_) => "INVALID_SIGNALS",
            InvalidWebhook(_) => "INVALID_WEBHOOK",
            MissingAuth => "MISSING_AUTH",
            InvalidApiKeyFormat => "INVALID_API_KEY_FORMAT",
            InvalidApiKey => "INVALID_API_KEY",
            TrialExpired => "TRIAL_EXPIRED",
            Forbidden(_) => "FORBIDDEN",
            NotFound(_) => "NOT_FOUND",
            MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            WebhookLimitReached => "WEBHOOK_LIMIT_REACHED",
            ChallengeClosed(_) => "CHALLENGE_CLOSED",
            PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            MonthlyLimitExceeded => "MONTHLY_LIMIT_EXCEEDED",
            BurstLimitExceeded { .. } => "BURST_LIMIT_EXCEEDED",
            UserFloodDetected { .. } => "USER_FLOOD_DETECTED",
            Unavailable => "UNAVAILABLE",
        }
    }

    /// The sentence that tells a person what to fix.
    pub fn message(&self) -> String {
        use ApiError::*;
        match self {
            InvalidRequest(m) | InvalidSignals(m) | InvalidWebhook(m) | Forbidden(m) | NotFound(m)
            | ChallengeClosed(m) => m.clone(),
            MissingAuth => "Send your API key as 'Authorization: Bearer huma_live_...'.".into(),
            InvalidApiKeyFormat => "The API key must be huma_live_, huma_pub_ or huma_test_ followed by 32 \
                                    characters of [A-Za-z0-9]."
                .into(),
            InvalidApiKey => "This API key is unknown or has been revoked; check the key or create a new one.".into(),
            TrialExpired => "The trial of this API key has ended; move the key to a paid plan to continue.".into(),
            MethodNotAllowed(allow) => format!("This route does not take that method; use {allow}."),
            WebhookLimitReached => "This account already has 5 webhooks; delete one before adding another.".into(),
            PayloadTooLarge => "The request body is over 64 KiB; send a shorter signals window.".into(),
            MonthlyLimitExceeded => "This key's monthly verification quota is used up; upgrade the plan or wait \
                                     for the next month."
                .into(),
            BurstLimitExceeded { retry_after } => {
                format!("Too many requests per minute for this key; retry after {retry_after} s.")
            }
            UserFloodDetected { retry_after } => format!(
                "This userId was verified more than 10 times in a minute on this key; retry after {retry_after} s."
            ),
            Unavailable => "The service's store is unreachable; retry shortly with exponential backoff.".into(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::warn!(error = %e, "store call failed");
        ApiError::Unavailable
    }
}

/// Seconds a client should wait after a 503.
pub const UNAVAILABLE_RETRY_AFTER: u64 = 1;

/// The one place an error becomes a response.
pub fn render(err: &ApiError) -> HttpResponse {
    let body = crate::wire::error_body(err.code(), &err.message());
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = err.status();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    match err {
        ApiError::MethodNotAllowed(allow) => {
            h.insert(ALLOW, HeaderValue::from_static(allow));
        }
        ApiError::BurstLimitExceeded { retry_after } | ApiError::UserFloodDetected { retry_after } => {
            h.insert(RETRY_AFTER, HeaderValue::from(*retry_after));
        }
        ApiError::Unavailable => {
            h.insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_AFTER));
        }
        _ => {}
    }
    resp
}
