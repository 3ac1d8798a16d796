//! `/api/streams` (several boards on one event stream) with a real server, a real OWLCMS
//! client and raw HTTP readers: every board's frames arrive tagged with its index and are
//! byte for byte the frames its own `/api/stream` carries; bad boards and caps are refused
//! with a JSON error naming the board.

mod common;

use common::*;
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The boards of these tests, as the pages give them to `/api/stream`.
const ORDER: &str = "plugin=lifting-order&fop=A";
const BAR: &str = "plugin=attempt-bar&fop=A&lang=fr";

fn encode(query: &str) -> String {
    percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn streams_url(t: &TestServer, boards: &[&str]) -> String {
    let query: Vec<String> = boards.iter().map(|b| format!("b={}", encode(b))).collect();
    t.http(&format!("/api/streams?{}", query.join("&")))
}

/// An event stream read as raw blocks (the bytes between blank lines), with the `retry:`
/// line a single stream starts with taken off.
struct Blocks {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<axum::body::Bytes>> + Send>>,
    buffer: Vec<u8>,
}

impl Blocks {
    async fn open(url: &str) -> Blocks {
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), 200, "{url}: {}", response.text().await.unwrap_or_default());
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Blocks { body: Box::pin(response.bytes_stream()), buffer: Vec::new() }
    }

    /// The next block, with its final blank line.
    async fn next(&mut self) -> Vec<u8> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = match block.strip_prefix(b"retry: 2000\n") {
                    Some(rest) => rest.to_vec(),
                    None => block,
                };
                return block;
            }
            let chunk = tokio::time::timeout(PATIENCE, self.body.next())
                .await
                .expect("a frame in time")
                .expect("stream open")
                .unwrap();
            self.buffer.extend_from_slice(&chunk);
        }
    }

    /// The next block whose event name is `name`.
    async fn next_named(&mut self, name: &str) -> Vec<u8> {
        loop {
            let block = self.next().await;
            if event_name(&block) == Some(name) {
                return block;
            }
        }
    }
}

fn event_name(block: &[u8]) -> Option<&str> {
    std::str::from_utf8(block).ok()?.lines().next()?.strip_prefix("event: ")
}

/// A multiplexed block as its board's own stream writes it: `(board, block)`.
fn untagged(block: &[u8]) -> (usize, Vec<u8>) {
    let name = event_name(block).unwrap_or_else(|| panic!("not an event: {}", String::from_utf8_lossy(block)));
    let (board, _) = owlcms_tracker::views::multi::untag(name).unwrap_or_else(|| panic!("untagged event {name}"));
    let prefix = format!("event: {board}.");
    (board, [b"event: ".as_slice(), &block[prefix.len()..]].concat())
}

/// Reads the multiplexed stream until every board in `want` gave a block named `name`.
async fn next_of_each(multi: &mut Blocks, name: &str, boards: usize) -> HashMap<usize, Vec<u8>> {
    let mut got = HashMap::new();
    while got.len() < boards {
        let (board, block) = untagged(&multi.next().await);
        assert!(board < boards, "board index {board} of {boards}");
        if event_name(&block) == Some(name) {
            got.entry(board).or_insert(block);
        }
    }
    got
}

#[tokio::test]
async fn each_board_gets_its_own_streams_frames_tagged_with_its_index() {
    let (t, mut owlcms) = live().await;
    let mut order = Blocks::open(&t.http(&format!("/api/stream?{ORDER}"))).await;
    let mut bar = Blocks::open(&t.http(&format!("/api/stream?{BAR}"))).await;
    let mut multi = Blocks::open(&streams_url(&t, &[ORDER, BAR])).await;
    let views = next_of_each(&mut multi, "view", 2).await;
    assert_eq!(views[&0], order.next_named("view").await, "board 0: the lifting order's own view frame");
    assert_eq!(views[&1], bar.next_named("view").await, "board 1: the attempt bar's own view frame");
    assert!(String::from_utf8_lossy(&views[&1]).contains("\"lang\":\"fr\""), "each board keeps its options");
    // The live frames of the FOP go to both boards, as the shared bytes every viewer gets.
    for single in [&mut order, &mut bar] {
        single.next_named("clock").await;
    }
    next_of_each(&mut multi, "clock", 2).await;
    owlcms
        .request(
            "timer",
            &json!({"fopName": "A", "athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000"}),
        )
        .await;
    let clocks = next_of_each(&mut multi, "clock", 2).await;
    let own = order.next_named("clock").await;
    assert!(String::from_utf8_lossy(&own).contains("running"), "{}", String::from_utf8_lossy(&own));
    assert_eq!(clocks[&0], own, "the clock delta, byte for byte");
    assert_eq!(clocks[&1], bar.next_named("clock").await);
    // A view change reaches the board that shows it, as its own stream's frame (a patch).
    let mut update = sample(LIFTING_ORDER);
    update["weight"] = json!("171");
    owlcms.request("update", &update).await;
    let own = loop {
        let block = order.next().await;
        if matches!(event_name(&block), Some("view" | "patch")) {
            break block;
        }
    };
    let tagged = loop {
        let (board, block) = untagged(&multi.next().await);
        if board == 0 && matches!(event_name(&block), Some("view" | "patch")) {
            break block;
        }
    };
    assert_eq!(tagged, own, "board 0's new version, byte for byte");
}

#[tokio::test]
async fn a_board_that_holds_the_current_version_gets_no_view_again() {
    let (t, _owlcms) = live().await;
    let mut first = Blocks::open(&streams_url(&t, &[ORDER])).await;
    let (_, view) = untagged(&first.next_named("0.view").await);
    let id = String::from_utf8_lossy(&view).lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    // As the shared worker reopens the stream when a board joins: board 0 says what it holds.
    let url = format!("{}&b={}&last={id}&last=", streams_url(&t, &[ORDER]), encode(BAR));
    let mut second = Blocks::open(&url).await;
    let mut names = Vec::new();
    // Board 1's view comes; board 0 gets its status and live frames, but not its view.
    while !names.contains(&"1.view".to_owned()) || !names.contains(&"0.clock".to_owned()) {
        names.push(event_name(&second.next().await).unwrap().to_owned());
    }
    assert!(!names.contains(&"0.view".to_owned()), "{names:?}");
    assert!(names.contains(&"0.status".to_owned()), "{names:?}");
}

async fn refusal(url: &str) -> (u16, Value) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    assert_eq!(response.headers()["content-type"], "application/json", "{url}");
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_bad_board_is_refused_by_its_index_with_the_error_its_own_stream_gives() {
    let (t, _owlcms) = live().await;
    let (status, body) = refusal(&streams_url(&t, &[ORDER, "plugin=nope", BAR])).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["details"]["board"], 1, "{body}");
    assert!(body["error"].as_str().unwrap().starts_with("board 1 (plugin=nope): unknown plugin"), "{body}");
    assert!(body["details"]["plugins"].as_array().unwrap().contains(&json!("lifting-order")), "{body}");
    // The same board alone on /api/stream: the same error, without the board's name.
    let (own_status, own) = refusal(&t.http("/api/stream?plugin=nope")).await;
    assert_eq!((own_status, own["error"].clone()), (404, json!("unknown plugin \"nope\"")));
    let (status, body) = refusal(&streams_url(&t, &[ORDER, "plugin=lifting-order&fop=Z"])).await;
    assert_eq!((status, body["details"]["board"].clone()), (400, json!(1)), "{body}");
    assert!(body["error"].as_str().unwrap().contains("unknown FOP \"Z\""), "{body}");
    let (status, body) = refusal(&t.http("/api/streams")).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"].as_str().unwrap().contains("missing ?b="), "{body}");
    let seventeen = vec![ORDER; 17];
    let (status, body) = refusal(&streams_url(&t, &seventeen)).await;
    assert_eq!((status, body["details"]["maxBoards"].clone()), (400, json!(16)), "{body}");
    let (status, body) = refusal(&format!("{}&last=", streams_url(&t, &[ORDER, BAR]))).await;
    assert_eq!(status, 400, "one `last` for two boards: {body}");
    // Sixteen boards are fine.
    let mut sixteen = Blocks::open(&streams_url(&t, &[ORDER; 16])).await;
    next_of_each(&mut sixteen, "view", 16).await;
}

#[tokio::test]
async fn every_board_takes_a_stream_slot_of_its_address() {
    let t = TestServer::with(|o| o.http.max_streams_per_address = 3).await;
    let mut owlcms = t.owlcms().await;
    startup(&mut owlcms).await;
    owlcms.request("update", &sample(LIFTING_ORDER)).await;
    let mut two = Blocks::open(&streams_url(&t, &[ORDER, BAR])).await;
    two.next_named("0.view").await;
    let (status, body) = refusal(&streams_url(&t, &[ORDER, BAR])).await;
    assert_eq!(status, 429, "two boards more than the address's 3 slots: {body}");
    assert!(body["error"].as_str().unwrap().starts_with("board 1 ("), "the board that did not fit is named: {body}");
    assert!(body["error"].as_str().unwrap().contains("MAX_STREAMS_PER_ADDRESS"), "{body}");
    // One board more still fits, on either endpoint; the slots come back when a stream closes.
    let mut third = Blocks::open(&streams_url(&t, &[BAR])).await;
    third.next_named("0.view").await;
    drop(two);
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let response = reqwest::get(&streams_url(&t, &[ORDER, BAR])).await.unwrap();
        if response.status() == 200 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the slots of a closed stream came back");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}
