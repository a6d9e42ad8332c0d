//! Bounded request bodies: a body announced or found to be over the limit is
//! refused with 413 before it is read whole, and a sender that stalls
//! mid-body is cut off at the body deadline.
//!
//! A server that answers while the client is still sending makes the
//! client's kernel see unread data and reset the connection, which can
//! swallow the 413 itself. So a body that overshoots by at most
//! [`DRAIN_LIMIT`] is read on and thrown away (never buffered) before the
//! answer; a larger one is refused at once, and the client may see a reset.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};
use hyper::header::CONTENT_LENGTH;
use hyper::HeaderMap;

use crate::error::ApiError;

/// How far past the limit a body is drained, unbuffered, so its 413 arrives.
pub const DRAIN_LIMIT: u64 = 256 * 1024;

/// Reads at most `limit` bytes of `body`, within `deadline`.
pub async fn read_bounded(
    headers: &HeaderMap,
    mut body: Incoming,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, ApiError> {
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let hint = announced.unwrap_or(body.size_hint().lower());
    if hint > limit as u64 + DRAIN_LIMIT {
        return Err(ApiError::PayloadTooLarge);
    }
    let read = async {
        let mut buf = BytesMut::with_capacity(announced.map_or(1024, |n| (n as usize).min(limit)));
        let mut seen = 0u64;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| ApiError::InvalidRequest("The request body could not be read.".into()))?;
            if let Ok(data) = frame.into_data() {
                seen += data.len() as u64;
                if seen > limit as u64 + DRAIN_LIMIT {
                    return Err(ApiError::PayloadTooLarge);
                }
                if seen <= limit as u64 {
                    buf.extend_from_slice(&data);
                }
            }
        }
        if seen > limit as u64 {
            return Err(ApiError::PayloadTooLarge);
        }
        Ok(buf.freeze())
    };
    tokio::time::timeout(deadline, read).await.unwrap_or_else(|_| {
        Err(ApiError::InvalidRequest(
            "The request body did not arrive in time; send it without pausing.".into(),
        ))
    })
}
