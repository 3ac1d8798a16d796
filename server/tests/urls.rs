//! Items 8 and 9: URLs made for the original tracker keep working (`language=`, no `fop` with
//! one platform, the original's option names, unknown options ignored), and OWLCMS configured
//! with a wrong URL gets a clear JSON answer and shows in `/diagnostics` with the URL to use.

mod common;

use common::*;
use serde_json::{Value, json};

async fn get(t: &TestServer, path: &str) -> (u16, Value) {
    let response = reqwest::get(t.http(path)).await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn diagnostics(t: &TestServer) -> Value {
    reqwest::get(t.http("/api/diagnostics")).await.unwrap().json().await.unwrap()
}

fn hints(report: &Value) -> Vec<String> {
    report["hints"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn item8_language_is_an_alias_of_lang() {
    let (t, _owlcms) = live().await;
    let envelope = t.view_envelope("plugin=lifting-order&fop=A&language=fr").await;
    assert_eq!(envelope["lang"], "fr");
    assert_eq!(envelope["view"]["headers"]["cleanJerk"], "Épaulé-jeté", "{}", envelope["view"]["headers"]);
    assert_eq!(t.view_envelope("plugin=lifting-order&fop=A&lang=de&language=fr").await["lang"], "de", "lang wins");
    let mut stream = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A&language=fr"), None).await;
    assert_eq!(stream.next_of("view").await.0["lang"], "fr");
}

#[tokio::test]
async fn item8_fop_may_be_left_out_when_the_competition_has_one_platform() {
    let (t, mut owlcms) = live().await;
    let envelope = t.view_envelope("plugin=lifting-order").await;
    assert_eq!(envelope["fop"], "A");
    assert_eq!(envelope["view"]["rows"][1]["name"], "KJELLEVAND, Jørgen");
    let mut stream = SseClient::connect(&t.http("/api/stream?plugin=attempt-board"), None).await;
    assert_eq!(stream.next_of("view").await.0["fop"], "A");
    // A second platform: the FOP must be named again, and the error lists both.
    let mut other = sample(LIFTING_ORDER);
    other["fop"] = json!("B");
    other["fopName"] = json!("B");
    assert_eq!(owlcms.request("update", &other).await["status"], 200);
    let (status, body) = get(&t, "/api/view?plugin=lifting-order").await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"]["fops"], json!(["A", "B"]));
}

#[tokio::test]
async fn item8_the_original_option_names_work() {
    let (t, _owlcms) = live().await;
    let ours = t.view_envelope("plugin=team-scoreboard&fop=A&scoring=qpoints&order=fixed&showAttemptBar=false").await;
    let original = t
        .view_envelope(
            "plugin=team-scoreboard&fop=A&scoringSystem=Q-Points&fixedTeamOrder=true&currentAttemptInfo=false",
        )
        .await;
    assert_eq!(original["options"]["scoring"], "qpoints");
    assert_eq!(original["options"]["order"], "fixed");
    assert_eq!(original["options"]["showAttemptBar"], false);
    assert_eq!(original, ours, "the same view");
    let teams = t.view_envelope("plugin=team-scoreboard&fop=A&scoringSystem=TeamPoints&topM=3&topF=2").await;
    assert_eq!(
        (teams["options"]["scoring"].clone(), teams["options"]["topMen"].clone(), teams["options"]["topWomen"].clone()),
        (json!("teamPoints"), json!(3), json!(2))
    );
    let rankings = t.view_envelope("plugin=team-rankings&pageSize=12&pagePauseMs=5000&language=fr").await;
    assert_eq!(
        (rankings["options"]["rows"].clone(), rankings["options"]["pageSeconds"].clone(), rankings["lang"].clone()),
        (json!(12), json!(5), json!("fr"))
    );
    // Our own name wins over the original's.
    let both = t.view_envelope("plugin=team-rankings&rows=4&pageSize=12").await;
    assert_eq!(both["options"]["rows"], 4);
    // The original's GAMX variants are choices now; unknown values fall back to the default.
    assert_eq!(
        t.view_envelope("plugin=team-scoreboard&fop=A&scoringSystem=GAMX-U").await["options"]["scoring"],
        "gamx-u"
    );
    assert_eq!(
        t.view_envelope("plugin=team-scoreboard&fop=A&scoringSystem=Robi").await["options"]["scoring"],
        "championship"
    );
    let bombout = t.view_envelope("plugin=team-scoreboard&fop=A&enforceBombout=true").await;
    assert_eq!(bombout["options"]["bombOut"], "enforce");
}

#[tokio::test]
async fn item8_unknown_options_are_ignored() {
    let (t, _owlcms) = live().await;
    let plain = t.view_envelope("plugin=lifting-order&fop=A").await;
    let noisy =
        t.view_envelope("plugin=lifting-order&fop=A&clientId=abc123&vFill=false&type=lifting-order&x=%C3%A5").await;
    assert_eq!(noisy, plain);
    let mut stream = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A&clientId=1&bogus"), None).await;
    assert_eq!(stream.next_of("view").await.0, plain);
    // Only the viewed combinations exist: the noise made no extra view.
    let views: Vec<Value> = diagnostics(&t).await["views"].as_array().unwrap().clone();
    assert_eq!(views.iter().filter(|v| v["plugin"] == "lifting-order").count(), 1, "{views:?}");
}

#[tokio::test]
async fn item9_publicresults_http_posts_answer_with_the_websocket_url() {
    let t = TestServer::start().await;
    let client = reqwest::Client::new();
    for path in ["/update", "/timer", "/decision", "/database", "/config", "/ws/update"] {
        // OWLCMS's HTTP forwarder posts form data under the configured URL.
        let response = client
            .post(t.http(path))
            .header("host", "tracker.example:8096")
            .form(&[("updateKey", "k"), ("fopName", "A")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["url"], "ws://tracker.example:8096/ws", "{path}: {body}");
        assert_eq!(body["hint"], "set OWLCMS's URL for Video Data to ws://tracker.example:8096/ws");
        assert!(body["error"].as_str().unwrap().contains(path), "{body}");
    }
    // Behind a TLS proxy the answer says wss://.
    let response = client
        .post(t.http("/update"))
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-host", "results.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["url"], "wss://results.example.org/ws");
    // Browsers' GETs still reach the pages.
    assert_ne!(client.get(t.http("/update")).send().await.unwrap().status(), 404);

    let report = diagnostics(&t).await;
    assert_eq!(report["wrongUrls"]["httpPost"]["count"], 7, "{report}");
    assert_eq!(report["wrongUrls"]["httpPost"]["lastRequest"], "POST /update");
    let hint = hints(&report).into_iter().find(|h| h.contains("http://")).expect("an HTTP hint");
    assert!(hint.contains("\"URL for Video Data\" to wss://results.example.org/ws"), "{hint}");
    let page = reqwest::get(t.http("/diagnostics")).await.unwrap().text().await.unwrap();
    assert!(page.contains("wss://results.example.org/ws"), "{page}");
    let metrics = reqwest::get(t.http("/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("owlcms_tracker_wrong_urls_total{kind=\"httpPost\"} 7"), "{metrics}");
}

#[tokio::test]
async fn item9_a_websocket_on_a_wrong_path_answers_404_with_the_right_url() {
    let t = TestServer::start().await;
    for path in ["/", "/update", "/ws/"] {
        let url = format!("ws://{}{path}", t.server().addr());
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 404, "{path}");
                let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
                assert_eq!(body["url"], format!("ws://{}/ws", t.server().addr()), "{body}");
            }
            other => panic!("{path}: expected an HTTP 404, got {other:?}"),
        }
    }
    let report = diagnostics(&t).await;
    assert_eq!(report["wrongUrls"]["webSocketPath"]["count"], 3, "{report}");
    let hint = hints(&report).into_iter().find(|h| h.contains("wrong path")).expect("a path hint");
    assert!(hint.contains(&format!("ws://{}/ws", t.server().addr())), "{hint}");
    // The right path still works and adds nothing.
    let mut owlcms = t.owlcms().await;
    owlcms.sync().await;
    assert_eq!(diagnostics(&t).await["wrongUrls"]["webSocketPath"]["count"], 3);
}

#[tokio::test]
async fn item9_a_key_sent_to_a_tracker_without_one_is_accepted_and_reported() {
    let t = TestServer::start().await;
    let mut owlcms = t.owlcms().await.with_key("Louis-Cyr");
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("update", &without_key(sample(LIFTING_ORDER))).await["status"], 200, "accepted");
    let report = diagnostics(&t).await;
    assert_eq!(report["unexpectedUpdateKey"], true);
    let hint = hints(&report).into_iter().find(|h| h.contains("update key")).expect("a key hint");
    assert!(hint.contains("OWLCMS_UPDATEKEY") && hint.contains('A'), "{hint}");
    assert!(!report.to_string().contains("Louis-Cyr"), "the key itself is never shown");
    // Nor does it reach browsers through the mapping input.
    let input = t.view_envelope("plugin=lifting-order&fop=A&debug=input").await;
    assert!(!input.to_string().contains("Louis-Cyr"), "{}", input["state"]);

    // With the same key configured, nothing to report.
    let keyed = TestServer::with(|o| o.update_key = Some("Louis-Cyr".into())).await;
    let mut owlcms = keyed.owlcms().await.with_key("Louis-Cyr");
    assert_eq!(owlcms.request("update", &without_key(sample(LIFTING_ORDER))).await["status"], 428);
    let report = diagnostics(&keyed).await;
    assert_eq!(report["unexpectedUpdateKey"], false);
    assert!(!hints(&report).iter().any(|h| h.contains("sends an update key")), "{report}");
}
