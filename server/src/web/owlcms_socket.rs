//! `GET /ws`: the OWLCMS WebSocket upgrade. A plain HTTP request gets a JSON 400 instead of
//! a hang; frame and message limits are raised for large databases and ZIPs (protocol P14).

use crate::AppState;
use crate::error::AppError;
use crate::ingest;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) async fn upgrade(
    State(state): State<Arc<AppState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return AppError::BadRequest {
                message: "this endpoint is for OWLCMS's WebSocket connection; use ws:// or wss://".into(),
                details: json!({ "reason": rejection.body_text() }),
            }
            .into_response();
        }
    };
    let limit = state.options.max_message_bytes;
    let ctx = state.ingest.clone();
    ws.max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| ingest::serve(socket, peer.to_string(), ctx))
}
