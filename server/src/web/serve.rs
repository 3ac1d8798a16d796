//! The accept loop: hyper's HTTP/1 server with explicit parser limits and a header-read
//! timer, open connections capped in total and per address, the peer address handed to the
//! handlers, and a graceful end (stop accepting, finish or close every connection).

use super::limits::{HttpLimits, Refused, Slots};
use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::Service;

/// Serves `router` on `listener` until `shutdown` is cancelled and every connection ended.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &HttpLimits,
    connections: std::sync::Arc<Slots>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_headers(limits.max_headers)
        .max_header_size(limits.max_head_bytes);
    // Each connection task holds a sender; all are gone once every connection has ended.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, mostly: give connections time to close.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let slot = match connections.acquire(peer.ip()) {
            Ok(slot) => slot,
            Err(refused) => {
                tokio::spawn(refuse(stream, refused));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(request)
        });
        let connection = http.serve_connection(TokioIo::new(stream), service).with_upgrades();
        let (token, open) = (shutdown.clone(), open_tx.clone());
        tokio::spawn(async move {
            let _held = (slot, open);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => return,
                () = token.cancelled() => connection.as_mut().graceful_shutdown(),
            }
            let _ = connection.await;
        });
    }
    drop(listener);
    drop(open_tx);
    let _ = open_rx.recv().await;
    Ok(())
}

/// A short answer to a connection over a cap, written without reading its request.
async fn refuse(mut stream: TcpStream, refused: Refused) {
    let (status, message) = match refused {
        Refused::Total(cap) => {
            ("503 Service Unavailable", format!("the server holds its maximum of {cap} connections"))
        }
        Refused::PerAddress(cap) => {
            ("429 Too Many Requests", format!("your address holds the maximum of {cap} open connections"))
        }
    };
    let code = &status[..3];
    let body = serde_json::json!({"status": code.parse::<u16>().unwrap_or(429), "error": message}).to_string();
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nretry-after: 5\r\n\r\n{body}",
        body.len()
    );
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.write_all(answer.as_bytes())).await;
}
