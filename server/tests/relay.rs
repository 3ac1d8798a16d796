//! Relay nodes over a real nats-server (issue 14): the real binary as one ingest node (its
//! built-in simulated OWLCMS plays a session) and as relays, viewers on each, compared frame
//! by frame and byte for byte; a relay started mid-session, a view nobody watched, a relay
//! killed, NATS stopped and restarted, the ingest node killed with -9 and restarted.

mod common;
#[path = "common/nats.rs"]
mod nats;
#[path = "common/raw_sse.rs"]
mod raw_sse;

use common::binary::Tracker;
use nats::Nats;
use raw_sse::{RawFrame, RawStream};
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const VIEW: &str = "plugin=lifting-order&fop=A";

fn ingest(dir: &Path, nats: &Nats) -> Tracker {
    Tracker::start(dir, &["--nats-url", &nats.url(), "--demo", "--demo-speed", "20"])
}

fn relay(dir: &Path, nats: &Nats, id: &str) -> Tracker {
    let relay = Tracker::start(dir, &["--nats-url", &nats.url(), "--relay-id", id, "relay"]);
    let started = Instant::now();
    while reqwest::blocking_get_status(&relay.http("/healthz")) != 200 {
        assert!(started.elapsed() < Duration::from_secs(10), "relay {id} reaches NATS");
        std::thread::sleep(Duration::from_millis(50));
    }
    relay
}

/// A small blocking GET (the harness starts processes from sync code).
mod reqwest {
    pub(crate) use ::reqwest::*;
    pub(crate) fn blocking_get_status(url: &str) -> u16 {
        let url = url.strip_prefix("http://").unwrap();
        let (host, path) = url.split_once('/').unwrap();
        use std::io::{Read, Write};
        let Ok(mut socket) = std::net::TcpStream::connect(host) else { return 0 };
        let _ = write!(socket, "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let mut answer = String::new();
        let _ = socket.read_to_string(&mut answer);
        answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
    }
}

async fn get(url: &str) -> (u16, String, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, etag, response.text().await.unwrap())
}

/// `/api/view` on every node until all answer the same (the session moves on meanwhile).
async fn same_view_everywhere(nodes: &[&Tracker], limit: Duration) -> String {
    let started = Instant::now();
    loop {
        let mut answers = Vec::new();
        for node in nodes {
            answers.push(get(&node.http(&format!("/api/view?{VIEW}"))).await);
        }
        if answers.iter().all(|a| a.0 == 200 && a == &answers[0]) {
            return answers[0].1.clone();
        }
        assert!(
            started.elapsed() < limit,
            "/api/view never agreed: {:?}",
            answers.iter().map(|a| (a.0, &a.1)).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn versions(frames: &[RawFrame]) -> Vec<&str> {
    frames.iter().filter(|f| f.event == "view" || f.event == "patch").map(|f| f.id.as_str()).collect()
}

/// Every view version a relay viewer got, the ingest viewer got too, in the same order; every
/// patch frame is the ingest's byte for byte, and every full view frame is when the ingest
/// viewer got that version whole. Returns how many frames were compared byte for byte.
fn assert_same_frames(ingest: &[RawFrame], relay: &[RawFrame]) -> usize {
    let by_key: HashMap<(&str, &str), &RawFrame> = ingest
        .iter()
        .filter(|f| f.event == "view" || f.event == "patch")
        .map(|f| ((f.event.as_str(), f.id.as_str()), f))
        .collect();
    let ingest_versions = versions(ingest);
    let mut at = 0;
    let mut compared = 0;
    for frame in relay.iter().filter(|f| f.event == "view" || f.event == "patch") {
        if frame.event == "view" {
            assert_eq!(owlcms_tracker::views::frames::content_id(frame.data.as_bytes()), frame.id, "whole view");
        }
        let found = ingest_versions[at..].iter().position(|v| *v == frame.id);
        let Some(found) = found else {
            panic!("relay version {} unknown to the ingest viewer (or out of order): {ingest_versions:?}", frame.id)
        };
        at += found;
        if let Some(same) = by_key.get(&(frame.event.as_str(), frame.id.as_str())) {
            assert_eq!(same.bytes, frame.bytes, "{} {} byte for byte", frame.event, frame.id);
            compared += 1;
        } else {
            assert_eq!(frame.event, "view", "a patch the ingest viewer did not get");
        }
    }
    compared
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn relays_serve_the_ingest_nodes_frames_byte_for_byte() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let ingest = ingest(dir.path(), &nats);
    let relays = [relay(dir.path(), &nats, "one"), relay(dir.path(), &nats, "two")];
    // The session is under way.
    same_view_everywhere(&[&ingest], Duration::from_secs(20)).await;

    // A view nobody watched yet, opened on a relay: the ingest node opens it on demand.
    let asked = Instant::now();
    let mut first = RawStream::connect(&relays[0].http("/api/stream?plugin=attempt-board&fop=A")).await;
    let frame = first.next(Duration::from_secs(5)).await.expect("a first frame");
    let waited = asked.elapsed();
    assert_eq!(frame.event, "view");
    assert!(waited < Duration::from_secs(1), "a view nobody watched came after {waited:?}");
    eprintln!("relay demand: first view after {waited:?}");

    let mut on_ingest = RawStream::connect(&ingest.http(&format!("/api/stream?{VIEW}"))).await;
    let mut on_one = RawStream::connect(&relays[0].http(&format!("/api/stream?{VIEW}"))).await;
    let mut on_two = RawStream::connect(&relays[1].http(&format!("/api/stream?{VIEW}"))).await;
    let window = Duration::from_secs(10);
    let (ingest_frames, one, two) = tokio::join!(
        on_ingest.collect(window + Duration::from_secs(1)),
        on_one.collect(window),
        on_two.collect(window)
    );
    let compared = assert_same_frames(&ingest_frames, &one) + assert_same_frames(&ingest_frames, &two);
    let patches = one.iter().chain(&two).filter(|f| f.event == "patch").count();
    eprintln!(
        "ingest {} frames, relays {} / {}; {compared} compared byte for byte, {patches} patches",
        ingest_frames.len(),
        one.len(),
        two.len()
    );
    assert!(versions(&one).len() >= 3 && versions(&two).len() >= 3, "the session moved on every relay");
    assert!(compared >= 4 && patches >= 1, "enough frames compared: {compared}, patches {patches}");
    same_view_everywhere(&[&ingest, &relays[0], &relays[1]], Duration::from_secs(10)).await;

    // A relay started mid-session shows the current board at once, from the last values.
    let late = relay(dir.path(), &nats, "late");
    let asked = Instant::now();
    let mut on_late = RawStream::connect(&late.http(&format!("/api/stream?{VIEW}"))).await;
    let frame = on_late.next(Duration::from_secs(5)).await.expect("a first frame");
    let waited = asked.elapsed();
    assert_eq!(frame.event, "view");
    assert!(waited < Duration::from_millis(500), "the late relay's first view took {waited:?}");
    eprintln!("late relay: first view after {waited:?}");

    // A relay killed: the other one's viewers go on.
    let [mut one_relay, two_relay] = relays;
    one_relay.kill9();
    let (more, two) = tokio::join!(on_ingest.collect(Duration::from_secs(7)), on_two.collect(Duration::from_secs(6)));
    assert!(!versions(&two).is_empty(), "relay two goes on after relay one died");
    // The ingest viewer's whole history: its first batch ran a second longer.
    let seen: Vec<RawFrame> = ingest_frames.into_iter().chain(more).collect();
    assert_same_frames(&seen, &two);
    same_view_everywhere(&[&ingest, &two_relay, &late], Duration::from_secs(10)).await;
    // Restarted, it catches up.
    let again = relay(dir.path(), &nats, "one");
    same_view_everywhere(&[&ingest, &again], Duration::from_secs(10)).await;
    drop(first);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relay_outlives_a_nats_outage_and_an_ingest_crash() {
    let mut nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let mut ingest_node = ingest(dir.path(), &nats);
    let relay = relay(dir.path(), &nats, "steady");
    same_view_everywhere(&[&ingest_node, &relay], Duration::from_secs(20)).await;
    let mut viewer = RawStream::connect(&relay.http(&format!("/api/stream?{VIEW}"))).await;
    assert_eq!(viewer.next(Duration::from_secs(5)).await.unwrap().event, "view");

    // NATS away for a few seconds: the board stays, the viewer is told, then it all resumes.
    nats.stop();
    let started = Instant::now();
    loop {
        let frame = viewer.next(Duration::from_secs(5)).await.expect("a status within 5 s");
        if frame.event == "status" && frame.data.contains("interrupted") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no status about the lost link");
    }
    let (status, _, body) = get(&relay.http(&format!("/api/view?{VIEW}"))).await;
    assert_eq!(status, 200, "the last board keeps serving: {body}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    nats.resume();
    let started = Instant::now();
    let mut recovered = false;
    let mut moved = false;
    while !(recovered && moved) {
        let frame = viewer.next(Duration::from_secs(20)).await.expect("frames after NATS came back");
        recovered |= frame.event == "status" && !frame.data.contains("interrupted");
        moved |= recovered && (frame.event == "view" || frame.event == "patch");
        assert!(started.elapsed() < Duration::from_secs(30), "no recovery (status {recovered}, view {moved})");
    }
    same_view_everywhere(&[&ingest_node, &relay], Duration::from_secs(10)).await;

    // The ingest node killed: the relay keeps the last board; restarted from its saved state,
    // the relay follows it again.
    ingest_node.kill9();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, _, _) = get(&relay.http(&format!("/api/view?{VIEW}"))).await;
    assert_eq!(status, 200, "the last board while the ingest node is down");
    let restarted = self::ingest(dir.path(), &nats);
    same_view_everywhere(&[&restarted, &relay], Duration::from_secs(20)).await;
    let frames = viewer.collect(Duration::from_secs(3)).await;
    assert!(
        !versions(&frames).is_empty() || frames.iter().any(|f| f.event == "clock"),
        "the viewer follows the restarted node"
    );
}
