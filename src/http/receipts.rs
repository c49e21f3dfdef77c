//! Consent receipts over HTTP (SPEC B3): the public key as a JWK, a receipt's download by
//! its unguessable id, and a verification endpoint anyone may call.

use actix_web::http::header;
use actix_web::{web, HttpResponse};

use crate::app::AppState;
use crate::error::{ApiError, AppError};
use crate::receipts;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/receipts/public-key", web::get().to(public_key))
        .route("/receipts/verify", web::post().to(verify))
        .route("/receipts/{id}/", web::get().to(download));
}

pub async fn public_key(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"keys": [state.engine.receipt_key.jwk()]}))
}

pub async fn download(state: web::Data<AppState>, path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound("No such receipt.".into()).into());
    }
    let lookup = id.clone();
    let found = state.db.read(move |conn| Ok(receipts::store::find(conn, &lookup)?)).await?;
    let (body, signature) = found.ok_or_else(|| AppError::NotFound("No such receipt.".into()))?;
    let envelope = receipts::envelope(&state.engine.receipt_key.key_id(), &body, &signature);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"consent-receipt-{id}.json\"")))
        .json(envelope))
}

pub async fn verify(state: web::Data<AppState>, body: web::Json<serde_json::Value>) -> HttpResponse {
    let valid = receipts::verify(&state.engine.receipt_key.public(), &body);
    HttpResponse::Ok().json(serde_json::json!({"valid": valid, "kid": state.engine.receipt_key.key_id()}))
}
