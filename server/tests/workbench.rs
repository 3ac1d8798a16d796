//! The plugin workbench's feed (`/api/workbench`) with a real server, a real OWLCMS client and
//! a real SSE client: input, output and timings of the view; a broken save on disk reported
//! with file, line, column and the lines around it while the last good output stays; the fix.

mod common;

use common::*;
use serde_json::Value;
use std::time::Duration;

/// The next `run` event that satisfies `pred`.
async fn run_where(sse: &mut SseClient, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let (run, _) = sse.next_of("run").await;
        if pred(&run) {
            return run;
        }
    }
}

#[tokio::test]
async fn the_feed_follows_a_broken_save_and_its_fix() {
    let (t, mut owlcms) = live().await;
    let mut sse = SseClient::connect(&t.http("/api/workbench?plugin=lifting-order&fop=A&lang=fr"), None).await;
    let first = run_where(&mut sse, |r| !r["output"].is_null()).await;
    assert_eq!(first["input"]["current"]["fullName"], "KJELLEVAND, Jørgen", "the mapping input");
    assert_eq!(first["input"]["lang"], "fr");
    assert_eq!(first["output"]["attemptBar"]["name"], "KJELLEVAND, Jørgen", "the mapping output");
    assert_eq!(first["page"], "standard-grid");
    assert!(first["problem"].is_null() && first["runtimeError"].is_null(), "{}", first["problem"]);
    let timings = &first["timings"];
    for field in ["inputMs", "mappingMs", "serializeMs"] {
        assert!(timings[field].as_f64().is_some_and(|ms| ms >= 0.0), "{field}: {timings}");
    }
    assert!(timings["mappingMs"].as_f64().unwrap() > 0.0, "a real mapping takes time: {timings}");
    let revision = first["revision"].as_u64().unwrap();

    // A syntax error saved on line 2.
    let file = t.dir.path().join("plugins/lifting-order/mapping.jq");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("# edited\n{{ broken: ( }}\n{good}")).unwrap();
    let broken = run_where(&mut sse, |r| !r["problem"].is_null()).await;
    let problem = &broken["problem"];
    assert!(problem["file"].as_str().unwrap().ends_with("plugins/lifting-order/mapping.jq"), "{problem}");
    assert_eq!(problem["line"], 2, "{problem}");
    assert!(problem["column"].as_u64().is_some(), "{problem}");
    let excerpt = problem["excerpt"].as_array().unwrap();
    assert_eq!(excerpt[0]["line"], 1);
    assert_eq!(excerpt[1]["text"], "{ broken: ( }", "the lines around the problem: {problem}");
    assert_eq!(broken["output"], first["output"], "the last good version keeps serving");
    assert_eq!(broken["revision"], revision);

    // Fixed with a visible change.
    std::fs::write(&file, format!("{good}\n| . + {{workbench: true}}\n")).unwrap();
    let fixed = run_where(&mut sse, |r| r["problem"].is_null() && r["output"]["workbench"] == true).await;
    assert!(fixed["revision"].as_u64().unwrap() > revision);

    // A data change re-sends the run with the new input.
    let mut update = sample(LIFTING_ORDER);
    update["weight"] = Value::from("171");
    assert_eq!(owlcms.request("update", &update).await["status"], 200);
    run_where(&mut sse, |r| r["input"]["state"]["weight"] == "171").await;
}

#[tokio::test]
async fn a_plugin_that_never_loaded_shows_its_problem_and_unknown_plugins_are_refused() {
    let t = TestServer::start().await;
    let dir = t.dir.path().join("plugins/new-board");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.json"), "{\n  \"name\": \"New\",\n  \"page\": 7\n}").unwrap();
    std::fs::write(dir.join("mapping.jq"), "{}").unwrap();
    let started = std::time::Instant::now();
    while reqwest::get(t.http("/api/plugins/new-board")).await.unwrap().status() != 200 {
        assert!(started.elapsed() < Duration::from_secs(10), "the folder is picked up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut sse = SseClient::connect(&t.http("/api/workbench?plugin=new-board"), None).await;
    let (run, _) = sse.next_of("run").await;
    assert!(run["problem"]["file"].as_str().unwrap().ends_with("new-board/config.json"), "{run}");
    assert_eq!(run["problem"]["line"], 3, "{run}");
    assert!(run["output"].is_null());
    std::fs::write(dir.join("config.json"), r#"{"name": "New", "page": "generic-table", "fopRequired": false}"#)
        .unwrap();
    let loaded = run_where(&mut sse, |r| r["output"].is_object()).await;
    assert!(loaded["problem"].is_null(), "{loaded}");

    let refused = reqwest::get(t.http("/api/workbench?plugin=nope")).await.unwrap();
    assert_eq!(refused.status(), 404);
}
