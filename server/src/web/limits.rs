//! Limits against hostile or runaway clients: HTTP parser caps, open connections in total and
//! per address, SSE streams per address, and a guard that answers over-long or non-UTF-8 URLs
//! with a JSON error before any handler sees them.

use crate::error::AppError;
use crate::throttle::Throttle;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// Caps on what clients may hold or send. `0` in a count means no cap.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Time a client has to send a request's head (slowloris defence; also bounds idle
    /// keep-alive connections waiting for their next request).
    pub header_read_timeout: Duration,
    /// Most header lines in a request (hyper answers 431 beyond).
    pub max_headers: usize,
    /// Most bytes in a request's head, request line included (hyper answers 431 beyond).
    pub max_head_bytes: usize,
    /// Longest path plus query answered; longer gets a JSON 414.
    pub max_uri_bytes: usize,
    /// Open HTTP connections in total; beyond, new ones get a 503 and are closed.
    pub max_connections: usize,
    /// Open HTTP connections from one address; beyond, new ones get a 429 and are closed.
    pub max_connections_per_address: usize,
    /// Open event streams (`/api/stream`) from one address; beyond, a JSON 429.
    pub max_streams_per_address: usize,
    /// A header a trusted proxy sets to the client's address (`Fly-Client-IP`): used for the
    /// per-address stream cap, since behind a proxy every connection comes from the proxy.
    pub client_ip_header: Option<String>,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            max_headers: 100,
            max_head_bytes: 64 * 1024,
            max_uri_bytes: 8 * 1024,
            // Under the fd limit the server raises itself to, with room for files and OWLCMS.
            max_connections: 20_000,
            // A venue behind one NAT: every screen and phone holds a stream and, briefly, a
            // few fetches; 1 000 screens stay well inside both caps.
            max_connections_per_address: 4_000,
            max_streams_per_address: 2_000,
            client_ip_header: None,
        }
    }
}

/// Open slots per address, with totals; a [`Slot`] gives its place back when dropped.
#[derive(Debug)]
pub struct Slots {
    what: &'static str,
    total_cap: usize,
    per_address_cap: usize,
    held: Mutex<(usize, HashMap<IpAddr, usize>)>,
    log: Throttle,
}

/// Why a slot was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The total cap is reached.
    Total(usize),
    /// The address holds its cap.
    PerAddress(usize),
}

impl Slots {
    /// Slots for `what` (named in log lines), with the given caps (`0`: none).
    pub fn new(what: &'static str, total_cap: usize, per_address_cap: usize) -> Arc<Slots> {
        Arc::new(Slots {
            what,
            total_cap,
            per_address_cap,
            held: Mutex::new((0, HashMap::new())),
            log: Throttle::new(),
        })
    }

    /// Takes a slot for `address`, or says which cap refused it (and logs, at most every few
    /// seconds, how many were refused).
    pub fn acquire(self: &Arc<Slots>, address: IpAddr) -> Result<Slot, Refused> {
        let mut held = self.held.lock();
        let from_address = held.1.get(&address).copied().unwrap_or(0);
        let refused = if self.total_cap > 0 && held.0 >= self.total_cap {
            Some(Refused::Total(self.total_cap))
        } else if self.per_address_cap > 0 && from_address >= self.per_address_cap {
            Some(Refused::PerAddress(self.per_address_cap))
        } else {
            None
        };
        if let Some(refused) = refused {
            drop(held);
            if let Some(count) = self.log.due() {
                match refused {
                    Refused::Total(cap) => {
                        tracing::warn!(what = self.what, cap, refused = count, %address, "refused: total cap reached")
                    }
                    Refused::PerAddress(cap) => {
                        tracing::warn!(what = self.what, cap, refused = count, %address, "refused: per-address cap reached")
                    }
                }
            }
            return Err(refused);
        }
        held.0 += 1;
        *held.1.entry(address).or_insert(0) += 1;
        Ok(Slot { slots: self.clone(), address })
    }

    /// Slots held in total.
    pub fn held(&self) -> usize {
        self.held.lock().0
    }
}

/// A held place; given back on drop.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
    address: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock();
        held.0 = held.0.saturating_sub(1);
        if let Some(n) = held.1.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                held.1.remove(&self.address);
            }
        }
    }
}

/// An event-stream slot for the client of a request (the address as [`client_address`] reads
/// it), or the JSON 429 that says which cap refused it. Ingest node and relays share it.
pub fn stream_slot(
    slots: &Arc<Slots>,
    limits: &HttpLimits,
    headers: &HeaderMap,
    peer: SocketAddr,
) -> Result<Slot, AppError> {
    slot_for(slots, limits, client_address(limits, headers, peer))
}

/// A stream slot of `address`, or the 429 that names the cap.
pub fn slot_for(slots: &Arc<Slots>, limits: &HttpLimits, address: IpAddr) -> Result<Slot, AppError> {
    slots.acquire(address).map_err(|_| {
        AppError::TooManyRequests(format!(
            "{address} holds the maximum of {} open streams; close some boards or raise MAX_STREAMS_PER_ADDRESS",
            limits.max_streams_per_address
        ))
    })
}

/// The client's address: the trusted proxy header when configured and valid, else the peer.
pub fn client_address(limits: &HttpLimits, headers: &HeaderMap, peer: SocketAddr) -> IpAddr {
    limits
        .client_ip_header
        .as_deref()
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(peer.ip())
}

/// Answers over-long URLs (414) and paths or queries whose percent-escapes are not UTF-8 (400)
/// with JSON, before routing: extractors would answer them in plain text, or lossily.
pub async fn url_guard(
    axum::extract::State(max_uri_bytes): axum::extract::State<usize>,
    request: Request,
    next: Next,
) -> Response {
    let uri = request.uri();
    let length = uri.path().len() + uri.query().map_or(0, |q| q.len() + 1);
    if length > max_uri_bytes {
        return AppError::UriTooLong(format!("the URL is {length} bytes long; at most {max_uri_bytes} are accepted"))
            .into_response();
    }
    let utf8 = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8().is_ok();
    if !utf8(uri.path()) {
        return AppError::BadRequest {
            message: "the path is not valid UTF-8 once percent-decoded".into(),
            details: serde_json::Value::Null,
        }
        .into_response();
    }
    if let Some(query) = uri.query()
        && !query.split('&').all(|part| utf8(&part.replace('+', " ")))
    {
        return AppError::BadRequest {
            message: "the query string is not valid UTF-8 once percent-decoded".into(),
            details: serde_json::Value::Null,
        }
        .into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cap_per_address_and_in_total_and_come_back() {
        let slots = Slots::new("test", 3, 2);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let first = slots.acquire(a).unwrap();
        let _second = slots.acquire(a).unwrap();
        assert_eq!(slots.acquire(a).unwrap_err(), Refused::PerAddress(2));
        let _third = slots.acquire(b).unwrap();
        assert_eq!(slots.acquire(b).unwrap_err(), Refused::Total(3));
        drop(first);
        let _again = slots.acquire(a).expect("a dropped slot is given back");
        assert_eq!(slots.held(), 3);
    }
}
