//! Thin handlers grouped by area: each takes what it needs from the state and calls the domain.

pub mod auth;
pub mod health;
pub mod insurance;
pub mod mynapoint;
pub mod receipts;
pub mod service;
pub mod session;

use axum::{
    extract::{rejection::JsonRejection, FromRequest},
    response::{IntoResponse, Response},
};

use crate::error::ApiError;

/// `Json` whose rejections are the API's `INVALID_REQUEST`.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return Self::TooLarge;
        }
        Self::InvalidRequest(rejection.body_text())
    }
}

impl<T: serde::Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}
