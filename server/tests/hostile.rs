//! Hostile HTTP input against a real server, over raw TCP so that nothing normalises the
//! requests: huge and non-UTF-8 URLs, thousands of headers, path traversal, slowloris
//! connections, and floods of connections and event streams from one address.

mod common;

use common::*;
use serde_json::Value;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Sends `head` (and nothing else) on a fresh connection; returns the status (0 when the
/// connection closed without an answer) and the body.
async fn raw(addr: SocketAddr, head: &[u8]) -> (u16, String) {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let head = head.to_vec();
    // Written concurrently: the server may answer and close before reading everything.
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&head).await;
        write
    });
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(PATIENCE, read.read_to_end(&mut answer)).await.expect("an answer or a close in time");
    drop(writer.await);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn get(path: &str) -> Vec<u8> {
    let mut head = b"GET ".to_vec();
    head.extend_from_slice(path.as_bytes());
    head.extend_from_slice(b" HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n");
    head
}

async fn still_serving(t: &TestServer) {
    let started = Instant::now();
    let (status, _) = raw(t.server().addr(), &get("/api/health?live")).await;
    assert_eq!(status, 200, "the server still answers");
    assert!(started.elapsed() < Duration::from_secs(1), "and promptly: {:?}", started.elapsed());
}

fn json_error(body: &str, status: u16) -> Value {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|_| panic!("a JSON body, got {body:?}"));
    assert_eq!(value["status"], status, "{value}");
    value
}

#[tokio::test]
async fn huge_and_non_utf8_urls_get_clear_errors_and_the_server_keeps_serving() {
    let (t, _owlcms) = live().await;
    let addr = t.server().addr();
    let long = format!("/api/view?plugin=lifting-order&fop=A&x={}", "a".repeat(16 * 1024));
    let (status, body) = raw(addr, &get(&long)).await;
    assert!(json_error(&body, 414)["error"].as_str().unwrap().contains("at most 8192"), "{body}");
    for path in ["/api/view?plugin=%ff%fe&fop=A", "/api/stream?plugin=lifting-order&fop=%80", "/api/plugins/%c3%28"] {
        let (status, body) = raw(addr, &get(path)).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(json_error(&body, 400)["error"].as_str().unwrap().contains("not valid UTF-8"), "{path}: {body}");
    }
    assert_eq!(status, 414);
    // Raw non-ASCII bytes in the request line never reach the router: hyper answers 400.
    let (status, _) = raw(addr, b"GET /api/\xff\xfe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    assert_eq!(status, 400);
    // 1 MB: beyond the 64 KiB head limit, hyper answers 431 before any handler runs.
    let started = Instant::now();
    let huge = format!("/api/view?plugin=lifting-order&fop=A&x={}", "%41".repeat(350_000));
    let (status, body) = raw(addr, &get(&huge)).await;
    eprintln!("1 MB query: status {status} in {:?}, body {body:?}", started.elapsed());
    assert_eq!(status, 431);
    still_serving(&t).await;
    let view = t.view_envelope("plugin=lifting-order&fop=A").await;
    assert_eq!(view["plugin"], "lifting-order");
}

#[tokio::test]
async fn thousands_of_headers_are_refused_with_431() {
    let t = TestServer::start().await;
    let with_headers = |n: usize| {
        let mut head = b"GET /api/health?live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".to_vec();
        for i in 0..n {
            head.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
        }
        head.extend_from_slice(b"\r\n");
        head
    };
    assert_eq!(raw(t.server().addr(), &with_headers(90)).await.0, 200, "90 headers are fine");
    for n in [101, 5_000, 50_000] {
        let started = Instant::now();
        let (status, _) = raw(t.server().addr(), &with_headers(n)).await;
        eprintln!("{n} headers: {status} in {:?}", started.elapsed());
        assert_eq!(status, 431, "{n} headers");
    }
    still_serving(&t).await;
}

#[tokio::test]
async fn path_traversal_never_leaves_the_served_folders() {
    let t = TestServer::start().await;
    let secret = "TOP-SECRET-7f3a";
    std::fs::write(t.dir.path().join("secret.txt"), secret).unwrap();
    std::fs::write(t.dir.path().join("plugins/secret.txt"), secret).unwrap();
    std::fs::write(t.dir.path().join("plugins/lifting-order/style.css"), "body { color: red }").unwrap();
    let addr = t.server().addr();
    let (status, body) = raw(addr, &get("/plugins/lifting-order/style.css")).await;
    assert_eq!(status, 200, "the control request is served: {body}");
    let tails = [
        "../secret.txt",
        "../../secret.txt",
        "..%2fsecret.txt",
        "..%2f..%2fsecret.txt",
        "%2e%2e/secret.txt",
        "%2e%2e%2f%2e%2e%2fsecret.txt",
        "%2E%2E%2Fsecret.txt",
        "..%5csecret.txt",
        "..\\secret.txt",
        "..\\..\\secret.txt",
        "..%252fsecret.txt",
        "....//secret.txt",
        "%2fetc%2fpasswd",
        "/etc/passwd",
        "//etc/passwd",
        "..%00/secret.txt",
        "lifting-order/../../secret.txt",
        "lifting-order/%2e%2e/%2e%2e/secret.txt",
        "lifting-order/style.css/../../../secret.txt",
        "lifting-order/..%2f..%2fsecret.txt",
    ];
    let mut tried = 0;
    for prefix in ["/local/flags/", "/local/pictures/", "/local/logos/", "/plugins/"] {
        for tail in tails {
            let path = format!("{prefix}{tail}");
            let (status, body) = raw(addr, &get(&path)).await;
            assert!(matches!(status, 400 | 404), "{path}: {status} {body}");
            assert!(!body.contains(secret) && !body.contains("root:"), "{path} leaked: {body}");
            tried += 1;
        }
    }
    eprintln!("{tried} traversal attempts, all 400/404");
    let (status, _) = raw(addr, &get("/plugins/secret.txt")).await;
    assert_eq!(status, 200, "a file inside the plugins folder is served (the control)");
    still_serving(&t).await;
}

/// Opens a connection that sends `start`, then one byte every 100 ms, never ending its head;
/// returns how long the server took to close it (or answer it).
async fn slow_client(addr: SocketAddr, start: &'static [u8]) -> Duration {
    let stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let (mut read, mut write) = stream.into_split();
    let drip = tokio::spawn(async move {
        let _ = write.write_all(start).await;
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if write.write_all(b"X").await.is_err() {
                break;
            }
        }
    });
    let mut buf = [0u8; 512];
    let _ = tokio::time::timeout(Duration::from_secs(8), read.read(&mut buf)).await.expect("closed within 8 s");
    drip.abort();
    started.elapsed()
}

#[tokio::test]
async fn slowloris_connections_are_closed_after_the_header_timeout() {
    let t = TestServer::with(|o| o.http.header_read_timeout = Duration::from_secs(1)).await;
    let addr = t.server().addr();
    let mut clients = Vec::new();
    for i in 0..40 {
        let start: &'static [u8] = if i % 2 == 0 { b"GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: " } else { b"" };
        clients.push(tokio::spawn(slow_client(addr, start)));
    }
    // Meanwhile a normal client is served at once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    still_serving(&t).await;
    let mut closed = Vec::new();
    for client in clients {
        closed.push(client.await.unwrap());
    }
    let slowest = closed.iter().max().unwrap();
    let fastest = closed.iter().min().unwrap();
    eprintln!("40 slow clients (20 half-sent heads, 20 silent, all dripping): closed after {fastest:?}..{slowest:?}");
    assert!(*fastest >= Duration::from_millis(900), "not before the timeout: {fastest:?}");
    assert!(*slowest < Duration::from_millis(2500), "all within the 1 s timeout and a margin: {slowest:?}");
    // Silent, without dripping: an idle connection holds no slot for long either.
    let mut silent = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), silent.read(&mut buf)).await;
    eprintln!("silent connection: {read:?} after {:?}", started.elapsed());
    assert!(read.is_ok(), "a silent connection is closed within 5 s");
    // After a served request, a keep-alive connection waiting for its next one is closed too.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /api/health?live HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = kept.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let mut rest = Vec::new();
    let idle = tokio::time::timeout(Duration::from_secs(5), kept.read_to_end(&mut rest)).await;
    eprintln!("idle keep-alive connection closed after {:?}: {idle:?}", started.elapsed());
    assert!(idle.is_ok(), "an idle keep-alive connection is closed within 5 s");
}

#[tokio::test]
async fn connections_from_one_address_are_capped_with_a_429() {
    let t = TestServer::with(|o| o.http.max_connections_per_address = 20).await;
    let addr = t.server().addr();
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = raw(addr, &get("/api/health?live")).await;
    assert_eq!(status, 429, "{body}");
    assert!(json_error(&body, 429)["error"].as_str().unwrap().contains("20 open connections"), "{body}");
    held.truncate(10);
    tokio::time::sleep(Duration::from_millis(100)).await;
    still_serving(&t).await;
}

#[tokio::test]
async fn a_flood_of_event_streams_from_one_address_gets_a_429() {
    let t = TestServer::with(|o| {
        o.http.max_streams_per_address = 10;
        o.http.client_ip_header = Some("fly-client-ip".into());
    })
    .await;
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let url = t.http("/api/stream?plugin=lifting-order&fop=A");
    let mut streams = Vec::new();
    for _ in 0..10 {
        streams.push(SseClient::connect(&url, None).await);
    }
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut refused = 0;
    for _ in 0..200 {
        let response = client.get(&url).send().await.unwrap();
        if response.status() == 429 {
            refused += 1;
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("maximum of 10 open streams"), "{body}");
        }
    }
    eprintln!("200 extra streams from one address: {refused} refused with 429 in {:?}", started.elapsed());
    assert_eq!(refused, 200);
    // Another client behind the trusted proxy header is its own address.
    let other = client.get(&url).header("fly-client-ip", "203.0.113.7").send().await.unwrap();
    assert_eq!(other.status(), 200);
    drop(other);
    // Closing streams gives their places back.
    streams.truncate(5);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let response = client.get(&url).send().await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "closed streams were given back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    streams[0].next_of("view").await;
}
