//! What a page loads from a relay besides the streams (issue 14): the catalogue answers
//! (`/api/plugins`, `/api/plugins/<id>`, `/api/fops`, `/api/languages`), the `/local/…` files
//! OWLCMS sent to the ingest node as ZIPs, the plugins' own files and their edits, all equal
//! to the ingest node's answers byte for byte; a file over the cap refused with a log line; the
//! per-address stream cap. Real binary as ingest node and relay, a real nats-server.

mod common;
#[path = "common/nats.rs"]
mod nats;

use common::binary::Tracker;
use common::{DATABASE, LIFTING_ORDER, Owlcms, copy_dir, encode_frame, sample, zip_of};
use nats::Nats;
use std::path::Path;
use std::time::{Duration, Instant};

fn relay(dir: &Path, nats: &Nats, id: &str, extra: &[&str]) -> Tracker {
    let url = nats.url();
    let mut args = vec!["--nats-url", &url, "--relay-id", id];
    args.extend(extra);
    args.push("relay");
    Tracker::start(dir, &args)
}

/// Status, the headers that describe the body, and the body.
async fn answer(url: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    let headers = ["content-type", "cache-control", "etag", "last-modified"]
        .iter()
        .filter_map(|name| Some((name.to_string(), response.headers().get(*name)?.to_str().ok()?.to_owned())))
        .collect();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

/// Waits until the relay answers `path` as the ingest node does; returns the answer.
async fn same_answer(ingest: &Tracker, relay: &Tracker, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let started = Instant::now();
    loop {
        let (a, b) = (answer(&ingest.http(path)).await, answer(&relay.http(path)).await);
        if a == b {
            return a;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{path}: relay {} {:?} {}\n  ingest {} {:?} {}",
            b.0,
            b.1,
            String::from_utf8_lossy(&b.2[..b.2.len().min(300)]),
            a.0,
            a.1,
            String::from_utf8_lossy(&a.2[..a.2.len().min(300)])
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A picture that is a picture (PNG signature and an IHDR, enough for the content type).
const PICTURE: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relay_answers_the_catalogue_and_the_files_as_the_ingest_node_does() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins-copy");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins"), &plugins);
    let ingest = Tracker::start_with_plugins(dir.path(), &plugins, &["--nats-url", &nats.url()]);
    let relay = relay(dir.path(), &nats, "pages", &[]);

    // OWLCMS connects to the ingest node: database, translations, flags (one over the cap for
    // relays), pictures, then the session.
    let mut owlcms = Owlcms::connect(&ingest.ws_url()).await;
    owlcms.send_binary(common::database_zip_frame(&sample(DATABASE)["database"])).await;
    owlcms.send_binary(common::translations_zip_frame(&common::translations_json())).await;
    let big = vec![b' '; 1536 * 1024];
    let flag: &[u8] =
        b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 3 2\"><rect width=\"3\" height=\"2\"/></svg>";
    owlcms.send_binary(common::flags_zip_frame(&[("Bjørgvin IL.svg", flag), ("huge.svg", &big)])).await;
    owlcms.send_binary(encode_frame(common::VERSION, "pictures_zip", &zip_of(&[("4242.png", PICTURE)]))).await;
    owlcms.sync().await;
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 200);

    // The catalogue, the FOP list, the languages, one plugin, an unknown one.
    let (status, headers, body) = same_answer(&ingest, &relay, "/api/plugins").await;
    assert_eq!(status, 200);
    assert!(headers.contains(&("content-type".into(), "application/json".into())), "{headers:?}");
    let catalog: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(catalog["plugins"].as_array().unwrap().len() >= 10, "the whole catalogue: {catalog}");
    assert!(catalog["fops"].as_array().unwrap().contains(&"A".into()), "FOP A is in: {}", catalog["fops"]);
    let (_, _, fops) = same_answer(&ingest, &relay, "/api/fops").await;
    assert!(String::from_utf8_lossy(&fops).contains("\"name\":\"A\""));
    let (_, _, languages) = same_answer(&ingest, &relay, "/api/languages").await;
    assert!(
        String::from_utf8_lossy(&languages).contains("\"fr\""),
        "OWLCMS's locales: {}",
        String::from_utf8_lossy(&languages)
    );
    assert_eq!(same_answer(&ingest, &relay, "/api/plugins/lifting-order").await.0, 200);
    assert_eq!(same_answer(&ingest, &relay, "/api/plugins/no-such-plugin").await.0, 404);
    assert_eq!(same_answer(&ingest, &relay, "/api/nothing-here").await.0, 404);

    // The files OWLCMS sent: by name, by name without extension, percent-encoded.
    let (status, headers, bytes) = same_answer(&ingest, &relay, "/local/flags/Bj%C3%B8rgvin%20IL.svg").await;
    assert_eq!((status, bytes.as_slice()), (200, flag));
    assert!(headers.iter().any(|(n, v)| n == "content-type" && v == "image/svg+xml"), "{headers:?}");
    assert!(headers.iter().any(|(n, _)| n == "last-modified"), "same Last-Modified: {headers:?}");
    assert_eq!(same_answer(&ingest, &relay, "/local/flags/Bj%C3%B8rgvin%20IL").await.2, flag);
    let (status, headers, bytes) = same_answer(&ingest, &relay, "/local/pictures/4242").await;
    assert_eq!((status, bytes.as_slice()), (200, PICTURE));
    assert!(headers.contains(&("content-type".into(), "image/png".into())), "{headers:?}");
    assert_eq!(same_answer(&ingest, &relay, "/local/pictures/none.png").await.0, 404);
    // Over the cap: the ingest node serves it, the relay does not, and the ingest node says so.
    assert_eq!(answer(&ingest.http("/local/flags/huge.svg")).await.0, 200);
    assert_eq!(answer(&relay.http("/local/flags/huge.svg")).await.0, 404);
    assert!(ingest.wait_for_log("file too large for relays", Duration::from_secs(5)).is_some(), "a log line");

    // A plugin's style sheet written on the ingest node, then edited: the relay follows.
    let style = plugins.join("lifting-order/style.css");
    std::fs::write(&style, "table.grid { color: red }\n").unwrap();
    let started = Instant::now();
    loop {
        let (_, _, info) = same_answer(&ingest, &relay, "/api/plugins/lifting-order").await;
        let info: serde_json::Value = serde_json::from_slice(&info).unwrap();
        if info["style"] == "/plugins/lifting-order/style.css" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(15), "the catalogue never named the style: {info}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        same_answer(&ingest, &relay, "/plugins/lifting-order/style.css").await.2,
        b"table.grid { color: red }\n"
    );
    // Same size, new content, a second later (file times have coarse steps on some systems).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    std::fs::write(&style, "table.grid { color: blue}\n").unwrap();
    let started = Instant::now();
    while answer(&relay.http("/plugins/lifting-order/style.css")).await.2 != b"table.grid { color: blue}\n" {
        assert!(started.elapsed() < Duration::from_secs(10), "the edit never reached the relay");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    same_answer(&ingest, &relay, "/plugins/lifting-order/style.css").await;
    eprintln!("style edit on the relay after {:?}", started.elapsed());
    std::fs::remove_file(&style).unwrap();
    let started = Instant::now();
    while answer(&relay.http("/plugins/lifting-order/style.css")).await.0 != 404 {
        assert!(started.elapsed() < Duration::from_secs(10), "a removed file stays on the relay");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The mapping's input is the ingest node's alone: the relay says so instead of a view.
    let (status, _, body) = answer(&relay.http("/api/view?plugin=lifting-order&fop=A&debug=input")).await;
    assert_eq!(status, 501, "{}", String::from_utf8_lossy(&body));
    // The web client's files, with the same cache headers.
    same_answer(&ingest, &relay, "/lifting-order").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_relay_caps_the_streams_of_one_address_as_the_ingest_node_does() {
    let nats = Nats::start();
    let dir = tempfile::tempdir().unwrap();
    let cap = ["--max-streams-per-address", "2"];
    let url = nats.url();
    let mut args = vec!["--nats-url", url.as_str(), "--demo", "--demo-speed", "20"];
    args.extend(cap);
    let ingest = Tracker::start(dir.path(), &args);
    let relay = relay(dir.path(), &nats, "capped", &cap);
    let view = "/api/stream?plugin=lifting-order&fop=A";
    for node in [&ingest, &relay] {
        let started = Instant::now();
        let first = loop {
            let response = reqwest::get(node.http(view)).await.unwrap();
            if response.status() == 200 {
                break response;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no stream: {}", response.status());
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let second = reqwest::get(node.http(view)).await.unwrap();
        assert_eq!(second.status(), 200);
        let third = reqwest::get(node.http(view)).await.unwrap();
        assert_eq!(third.status(), 429, "a third stream from one address");
        let body = third.text().await.unwrap();
        assert!(body.contains("holds the maximum of 2 open streams"), "{body}");
        drop(first);
        // The slot comes back when the stream ends.
        let started = Instant::now();
        while reqwest::get(node.http(view)).await.unwrap().status() != 200 {
            assert!(started.elapsed() < Duration::from_secs(5), "a closed stream's slot never came back");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        drop(second);
    }
    assert!(relay.wait_for_log("per-address cap reached", Duration::from_secs(2)).is_some(), "the relay logs it");
}
