//! Bounded request bodies: a body announced or found to be over the limit is
//! refused with 413 before it is read whole, and a sender that stalls
//! mid-body is cut off at the body deadline.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Incoming};
use hyper::header::CONTENT_LENGTH;
use hyper::HeaderMap;

use crate::error::ApiError;

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
    if announced.is_some_and(|n| n > limit as u64) || body.size_hint().lower() > limit as u64 {
        return Err(ApiError::PayloadTooLarge);
    }
    let read = async {
        let mut buf = BytesMut::with_capacity(announced.map_or(1024, |n| n as usize));
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| ApiError::InvalidRequest("The request body could not be read.".into()))?;
            if let Ok(data) = frame.into_data() {
                if buf.len() + data.len() > limit {
                    return Err(ApiError::PayloadTooLarge);
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok(buf.freeze())
    };
    tokio::time::timeout(deadline, read).await.unwrap_or_else(|_| {
        Err(ApiError::InvalidRequest(
            "The request body did not arrive in time; send it without pausing.".into(),
        ))
    })
}
