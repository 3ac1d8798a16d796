//! Item 7: flags and pictures as OWLCMS names them. Every `/local/...` URL a board shows must
//! exist: none before OWLCMS sent flags (although its updates name flag files), and the right
//! files after — a name in another case, a team name with characters OWLCMS replaces in file
//! names, a country resolved through the `mappings/` file OWLCMS puts in `flags_zip`.

mod common;

use common::*;
use serde_json::{Value, json};

/// Every built-in board of FOP A, as JSON.
async fn all_views(t: &TestServer) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for plugin in ["lifting-order", "start-order", "rankings", "attempt-board", "attempt-bar", "lower-third"] {
        out.push((plugin.to_owned(), t.view_envelope(&format!("plugin={plugin}&fop=A")).await["view"].clone()));
    }
    for plugin in ["team-scoreboard&fop=A", "team-rankings", "medal-count", "results-protocol"] {
        out.push((plugin.to_owned(), t.view_envelope(&format!("plugin={plugin}")).await["view"].clone()));
    }
    out
}

/// Every string of a view that points into `/local/`.
fn local_urls(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.starts_with("/local/") => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| local_urls(v, out)),
        Value::Object(map) => map.values().for_each(|v| local_urls(v, out)),
        _ => {}
    }
}

/// The `/local/` URLs of every board, each checked to exist.
async fn urls_that_all_exist(t: &TestServer) -> Vec<String> {
    let mut all = Vec::new();
    for (plugin, view) in all_views(t).await {
        let mut urls = Vec::new();
        local_urls(&view, &mut urls);
        for url in &urls {
            let status = reqwest::get(t.http(url)).await.unwrap().status();
            assert_eq!(status, 200, "{plugin} points at {url}, which does not exist");
        }
        all.extend(urls);
    }
    all.sort();
    all.dedup();
    all
}

/// The captured lifting order with teams OWLCMS would name differently: a team whose name has
/// a character OWLCMS replaces in file names, and a country, both without an OWLCMS flag URL.
fn lifting_order_with_teams() -> Value {
    let mut update = sample(LIFTING_ORDER);
    for entry in update["sessionAthletes"].as_array_mut().unwrap() {
        let display = &mut entry["displayInfo"];
        let renamed = match display["teamName"].as_str().unwrap() {
            "AK Bjørgvin" => "AK Bjørgvin/Bergen",
            "Tambarskjelvar IL" => "Norway",
            _ => continue,
        };
        display["teamName"] = json!(renamed);
        display["flagURL"] = json!("");
    }
    update
}

#[tokio::test]
async fn item7_no_flags_sent_means_no_flag_or_picture_urls() {
    let (t, mut owlcms) = TestServer::with_database(&database_json()).await;
    // OWLCMS's updates name `/local/flags/<team>.svg` for every athlete, but sent no flags.
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 428);
    let input = t.view_envelope("plugin=attempt-board&fop=A&debug=input").await;
    for athlete in input["athletes"].as_array().unwrap() {
        assert_eq!((athlete["flagURL"].as_str(), athlete["pictureURL"].as_str()), (Some(""), Some("")), "{athlete}");
    }
    let board = t.view_envelope("plugin=attempt-board&fop=A").await;
    assert_eq!(board["view"]["athlete"]["lastName"], "KJELLEVAND");
    assert_eq!(
        (board["view"]["athlete"]["flag"].as_str(), board["view"]["athlete"]["picture"].as_str()),
        (Some(""), Some(""))
    );
    assert_eq!(urls_that_all_exist(&t).await, Vec::<String>::new());
}

#[tokio::test]
async fn item7_flags_resolve_like_owlcms_case_replaced_characters_and_mappings() {
    let (t, mut owlcms) = TestServer::with_database(&database_json()).await;
    assert_eq!(owlcms.request("update", &lifting_order_with_teams()).await["status"], 428);
    let mut stream = SseClient::connect(&t.http("/api/stream?plugin=lifting-order&fop=A"), None).await;
    let (first, _) = stream.next_of("view").await;
    let flags = |view: &Value| -> Vec<String> {
        view["view"]["rows"].as_array().unwrap().iter().filter_map(|r| r["flag"].as_str().map(str::to_owned)).collect()
    };
    assert_eq!(flags(&first), ["", "", "", ""]);

    let map = json!({
        "flagCodeToName": {"NOR": "Norway"},
        "flagAliasToCode": {"Norway": "NOR", "Kingdom of Norway": "NOR"},
        "normalizedFlagAliasToCode": {"norway": "NOR"}
    });
    owlcms
        .send_binary(flags_zip_frame(&[
            // OWLCMS on Windows finds `HITRA VK.svg` for team `Hitra VK` and names it as typed.
            ("HITRA VK.svg", b"<svg/>"),
            ("AK Bjørgvin_Bergen.png", b"png"),
            ("NOR.svg", b"<svg/>"),
            ("mappings/", b""),
            ("mappings/country-code-map.json", map.to_string().as_bytes()),
        ]))
        .await;
    owlcms.send_binary(encode_frame(VERSION, "pictures_zip", &zip_of(&[("1992019.jpg", b"jpeg")]))).await;
    owlcms.sync().await;
    // The open board gets the flags without a new update from OWLCMS.
    let updated = loop {
        let (view, _) = stream.next_of("view").await;
        if flags(&view).iter().any(|f| !f.is_empty()) {
            break view;
        }
    };
    // Lifting order: Spydeberg (its flag was not sent), Tambarskjelvar → Norway, AK Bjørgvin/Bergen, Hitra.
    let by_team: Vec<(String, String)> = updated["view"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["spacer"] != true)
        .map(|r| (r["team"].as_str().unwrap_or_default().to_owned(), r["flag"].as_str().unwrap().to_owned()))
        .collect();
    let flag_of = |team: &str| by_team.iter().find(|(t, _)| t == team).map(|(_, f)| f.clone()).unwrap();
    assert_eq!(flag_of("Spydeberg Atletene"), "", "{by_team:?}");
    assert_eq!(flag_of("Hitra VK"), "/local/flags/HITRA VK.svg");
    assert_eq!(flag_of("AK Bjørgvin/Bergen"), "/local/flags/AK Bjørgvin_Bergen.png");
    assert_eq!(flag_of("Norway"), "/local/flags/NOR.svg");
    let board = t.view_envelope("plugin=attempt-board&fop=A").await;
    assert_eq!(board["view"]["athlete"]["picture"], "/local/pictures/1992019.jpg", "membership of the current athlete");
    let urls = urls_that_all_exist(&t).await;
    assert!(urls.contains(&"/local/flags/NOR.svg".to_owned()), "{urls:?}");
    assert!(urls.contains(&"/local/pictures/1992019.jpg".to_owned()), "{urls:?}");
}
