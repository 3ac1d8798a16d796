//! The one error type of the HTTP API: a status and a JSON body `{status, error}`; 5xx are logged.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An HTTP API error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing at this path (404).
    #[error("{0}")]
    NotFound(String),
    /// No such thing (404); `details` lists what exists.
    #[error("{message}")]
    Unknown {
        /// What was not found.
        message: String,
        /// What exists instead.
        details: Value,
    },
    /// The request is wrong (400); `details` says what would be right.
    #[error("{message}")]
    BadRequest {
        /// What is wrong.
        message: String,
        /// Extra context, e.g. the accepted values.
        details: Value,
    },
    /// OWLCMS used a wrong URL (404); `hint` says what to set, `url` is the right one.
    #[error("{message}")]
    WrongUrl {
        /// What was wrong.
        message: String,
        /// What to do.
        hint: String,
        /// The URL OWLCMS should use.
        url: String,
    },
    /// The URL is longer than the server reads (414).
    #[error("{0}")]
    UriTooLong(String),
    /// This client holds too much already (429).
    #[error("{0}")]
    TooManyRequests(String),
    /// A credential is needed (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Not from here (403).
    #[error("{0}")]
    Forbidden(String),
    /// The server cannot take this request now (503).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on our side (500).
    #[error("{0}")]
    Internal(String),
}

impl From<crate::views::ViewsFull> for AppError {
    fn from(error: crate::views::ViewsFull) -> AppError {
        AppError::Unavailable(error.to_string())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, details) = match &self {
            AppError::NotFound(_) => (StatusCode::NOT_FOUND, Value::Null),
            AppError::Unknown { details, .. } => (StatusCode::NOT_FOUND, details.clone()),
            AppError::BadRequest { details, .. } => (StatusCode::BAD_REQUEST, details.clone()),
            AppError::UriTooLong(_) => (StatusCode::URI_TOO_LONG, Value::Null),
            AppError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, Value::Null),
            AppError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, Value::Null),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, Value::Null),
            AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, Value::Null),
            AppError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, Value::Null),
            AppError::WrongUrl { .. } => (StatusCode::NOT_FOUND, Value::Null),
        };
        // A 503 is a cap doing its job: it is logged, throttled, where it is decided.
        if status.is_server_error() && !matches!(self, AppError::Unavailable(_)) {
            tracing::error!(error = %self, "request failed");
        }
        let mut body = json!({ "status": status.as_u16(), "error": self.to_string() });
        if !details.is_null() {
            body["details"] = details;
        }
        if let AppError::WrongUrl { hint, url, .. } = &self {
            body["hint"] = json!(hint);
            body["url"] = json!(url);
        }
        (status, Json(body)).into_response()
    }
}
