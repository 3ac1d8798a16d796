//! Who may read the operator endpoints (`/diagnostics`, `/api/diagnostics`, `/metrics`), which
//! show OWLCMS's address, its connection history and counters: anyone by default (a laptop on
//! the venue LAN), or only holders of a token and/or loopback clients (a public deployment).

use crate::AppState;
use crate::error::AppError;
use crate::protocol::key::keys_match;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Access to the operator endpoints.
#[derive(Debug, Clone, Default)]
pub struct OpsAccess {
    /// A token that opens them from anywhere: `Authorization: Bearer <token>` or `?token=`.
    pub token: Option<String>,
    /// Without the token, only clients on the loopback interface are answered.
    pub loopback_only: bool,
}

impl OpsAccess {
    /// Whether requests may be refused at all (for the startup log).
    pub fn is_restricted(&self) -> bool {
        self.token.is_some() || self.loopback_only
    }
}

/// The token a request carries, from its `Authorization` header or its `token` parameter.
fn presented(request: &Request) -> Option<String> {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(|t| t.trim().to_owned());
    bearer.or_else(|| {
        request.uri().query().into_iter().flat_map(|q| q.split('&')).find_map(|part| {
            let value = part.strip_prefix("token=")?;
            Some(percent_encoding::percent_decode_str(value).decode_utf8_lossy().into_owned())
        })
    })
}

/// Refuses operator requests the configured access does not allow: 401 when a token would
/// open them, 403 when only loopback clients may read them.
pub async fn guard(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let access = &app.options.ops;
    let with_token = access.token.as_deref().is_some_and(|t| presented(&request).is_some_and(|p| keys_match(&p, t)));
    let loopback = request.extensions().get::<ConnectInfo<SocketAddr>>().is_some_and(|c| c.0.ip().is_loopback());
    let allowed = with_token || (access.loopback_only && loopback) || !access.is_restricted();
    if allowed {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.to_string()).unwrap_or_default();
    tracing::info!(%path, %peer, "operator endpoint refused");
    match &access.token {
        Some(_) => {
            let mut response = AppError::Unauthorized(format!(
                "{path} needs the operator token (OPS_TOKEN): send `Authorization: Bearer <token>` or add ?token=<token>"
            ))
            .into_response();
            response.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            response
        }
        None => AppError::Forbidden(format!(
            "{path} answers only on this machine (OPS_LOOPBACK_ONLY): open it from localhost, or set OPS_TOKEN"
        ))
        .into_response(),
    }
}
