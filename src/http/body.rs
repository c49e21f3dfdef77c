//! Reading request bodies within the configured size limit, so an oversized body is a
//! clear 413 in the caller's format rather than a dropped connection.

use actix_web::web;
use futures_util::StreamExt;

use crate::error::AppError;

pub async fn read_limited(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, AppError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::BadRequest(format!("The request body could not be read: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
