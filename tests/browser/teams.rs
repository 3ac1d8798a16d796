//! Team boards (`team-board`), the printable results protocol (`document`) and the score column
//! of the standard grid, in the browser, against the views `/api/view` serves for the same
//! captured competition (no numbers written into the tests).

use super::{PATIENCE, PHONE, Rig, TV, no_errors, photograph, screenshots, text};
use serde_json::{Value, json};
use std::time::Duration;

/// The view `/api/view` serves for `query` (`plugin=…&fop=…`).
async fn api_view(rig: &Rig, query: &str) -> Value {
    let envelope: Value =
        reqwest::get(rig.tracker.url(&format!("/api/view?{query}"))).await.unwrap().json().await.unwrap();
    // The endpoint returns the stream's envelope; the mapping's output is its `view`.
    if envelope.get("view").is_some_and(Value::is_object) { envelope["view"].clone() } else { envelope }
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap_or_default().to_owned()).collect()
}

/// `Value` scalar as the page shows it.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_scoreboard_shows_the_teams_and_scores_of_its_view() {
    let rig = Rig::start().await;
    let view = api_view(&rig, "plugin=team-scoreboard&fop=A").await;
    let teams = view["teams"].as_array().unwrap_or_else(|| panic!("no teams in {view}"));
    assert!(!teams.is_empty(), "the captured competition has teams: {view}");
    let page = rig.open("/team-scoreboard?fop=A", TV).await;
    page.wait_for(
        "every team",
        &format!("document.querySelectorAll('section.team-card').length === {}", teams.len()),
        PATIENCE,
    )
    .await;
    // Teams in the view's order, each with its name and score.
    let names =
        page.eval("[...document.querySelectorAll('section.team-card .team-name')].map(e => e.textContent)").await;
    let expected: Vec<String> = teams.iter().map(|t| shown(&t["name"])).collect();
    assert_eq!(strings(&names), expected);
    let scores = page
        .eval("[...document.querySelectorAll('section.team-card .team-score-value')].map(e => e.textContent)")
        .await;
    let expected: Vec<String> = teams.iter().map(|t| shown(&t["score"])).collect();
    assert_eq!(strings(&scores), expected);
    let ranks =
        page.eval("[...document.querySelectorAll('section.team-card .team-rank')].map(e => e.textContent)").await;
    let expected: Vec<String> = teams.iter().map(|t| shown(&t["rank"])).collect();
    assert_eq!(strings(&ranks), expected);
    // Athletes of each team, the counted ones marked.
    let athletes: usize = teams.iter().map(|t| t["athletes"].as_array().map_or(0, Vec::len)).sum();
    let counted = teams
        .iter()
        .flat_map(|t| t["athletes"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["counted"] == true)
        .count();
    assert_eq!(page.eval("document.querySelectorAll('section.team-card tr.athlete').length").await, json!(athletes));
    assert_eq!(
        page.eval("document.querySelectorAll('section.team-card tr.athlete.counted').length").await,
        json!(counted)
    );
    // The current attempt bar of FOP A, and the lifter highlighted in his team.
    if view["attemptBar"]["visible"] == true {
        assert_eq!(
            page.eval("document.querySelector('.attempt-bar .ab-name')?.textContent").await,
            view["attemptBar"]["name"]
        );
    }
    let current: Vec<String> = teams
        .iter()
        .flat_map(|t| t["athletes"].as_array().cloned().unwrap_or_default())
        .filter(|a| a["current"] == true)
        .map(|a| shown(&a["name"]))
        .collect();
    let highlighted =
        page.eval("[...document.querySelectorAll('tr.athlete.current td.name')].map(e => e.textContent)").await;
    assert_eq!(strings(&highlighted), current);
    photograph(&page, "team-board", "document.querySelector('section.team-card')").await;
    no_errors(&page);
}

// The team scoreboard follows the same championship rules: SM men of the captured database
// (every team member counts, team points) with P4.3 still lifting, so some teams show their
// confirmed points followed by the live ones; the rule is named under the title.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_scoreboard_shows_confirmed_and_live_values_and_its_rule() {
    let rig = Rig::start().await;
    let query = "championships=SM&gender=M";
    let view = api_view(&rig, &format!("plugin=team-scoreboard&fop=A&{query}")).await;
    assert_eq!(
        (view["title"].clone(), view["countingLabel"].clone()),
        (json!("Team Results – SM – Men"), json!("all men, team points"))
    );
    let teams = view["teams"].as_array().unwrap();
    let scores: Vec<String> = teams.iter().map(|t| shown(&t["score"])).collect();
    assert!(scores.iter().any(|s| s.contains(" (live ")), "P4.3 is not done: {scores:?}");
    // The same standing as the team rankings (confirmed points, ties by name).
    let rankings = api_view(&rig, "plugin=team-rankings&championships=SM").await;
    let ranked: Vec<(String, String)> = rankings["pages"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (shown(&r["team"]), shown(&r["score"])))
        .collect();
    let boarded: Vec<(String, String)> = teams.iter().map(|t| (shown(&t["name"]), shown(&t["score"]))).collect();
    assert_eq!(boarded, ranked);
    let page = rig.open(&format!("/team-scoreboard?fop=A&{query}"), TV).await;
    page.wait_for(
        "every team",
        &format!("document.querySelectorAll('section.team-card').length === {}", teams.len()),
        PATIENCE,
    )
    .await;
    let on_screen = page
        .eval(
            "(() => ({ title: document.querySelector('.team-title .team-board-title').textContent,
               rule: document.querySelector('.team-title .muted').textContent,
               scores: [...document.querySelectorAll('section.team-card .team-score-value')].map(e => e.textContent) }))()",
        )
        .await;
    assert_eq!(
        (on_screen["title"].clone(), on_screen["rule"].clone()),
        (view["title"].clone(), view["countingLabel"].clone())
    );
    assert_eq!(strings(&on_screen["scores"]), scores);
    photograph(&page, "team-scoreboard-live", "document.querySelector('section.team-card')").await;
    no_errors(&page);
    // Options override the rule: Sinclair, best 3, with predicted scores.
    let sinclair = "championships=SM&gender=M&scoring=sinclair&topMen=3";
    let view = api_view(&rig, &format!("plugin=team-scoreboard&fop=A&{sinclair}")).await;
    assert_eq!(view["countingLabel"], "best 3 men, Sinclair 2024");
    let page = rig.open(&format!("/team-scoreboard?fop=A&{sinclair}"), TV).await;
    page.wait_for(
        "the rule",
        "document.querySelector('.team-title .muted')?.textContent === 'best 3 men, Sinclair 2024'",
        PATIENCE,
    )
    .await;
    let predicted = page.eval("document.querySelectorAll('section.team-card .team-predicted').length").await;
    assert_eq!(predicted, json!(view["teams"].as_array().unwrap().len()), "predicted team scores shown");
    photograph(&page, "team-scoreboard-sinclair", "document.querySelector('section.team-card .team-predicted')").await;
    no_errors(&page);
    // GAMX-M has no shipped table and the rig's OWLCMS sends none: "not available", not 0.
    let gamx = "championships=SM&gender=M&scoring=gamx-m";
    let page = rig.open(&format!("/team-scoreboard?fop=A&{gamx}"), TV).await;
    page.wait_for(
        "not available",
        "document.querySelector('section.team-card .team-score-value')?.textContent === 'not available'",
        PATIENCE,
    )
    .await;
    assert_eq!(text(&page, ".team-title .muted").await, "all men, GAMX-M – not available (no table from OWLCMS)");
    photograph(&page, "team-scoreboard-unavailable", "document.querySelector('section.team-card')").await;
    no_errors(&page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_rankings_rotate_through_their_pages() {
    let rig = Rig::start().await;
    // Short pages so the rotation shows within the test.
    let query = "plugin=team-rankings&rows=3&pageSeconds=2";
    let view = api_view(&rig, query).await;
    let pages = view["pages"].as_array().unwrap_or_else(|| panic!("no pages in {view}"));
    assert!(!pages.is_empty(), "{view}");
    let page = rig.open("/team-rankings?rows=3&pageSeconds=2", TV).await;
    page.wait_for("a standing", "document.querySelector('.standing .standing-row')", PATIENCE).await;
    // Whatever page is on screen shows that page's teams and scores.
    let mut seen = std::collections::BTreeSet::new();
    let started = std::time::Instant::now();
    while seen.len() < pages.len().min(2) && started.elapsed() < Duration::from_secs(10) {
        let on_screen = page
            .eval(
                "(() => { const s = document.querySelector('.standing'); return { page: Number(s.dataset.page),
                   teams: [...s.querySelectorAll('.standing-row .team-name')].map(e => e.textContent),
                   scores: [...s.querySelectorAll('.standing-row td.score')].map(e => e.textContent) }; })()",
            )
            .await;
        let index = on_screen["page"].as_u64().unwrap() as usize;
        let rows = pages[index]["rows"].as_array().unwrap();
        let teams: Vec<String> = rows.iter().map(|r| shown(&r["team"])).collect();
        let scores: Vec<String> = rows.iter().map(|r| shown(&r["score"])).collect();
        assert_eq!(strings(&on_screen["teams"]), teams, "page {index}");
        assert_eq!(strings(&on_screen["scores"]), scores, "page {index}");
        seen.insert(index);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(seen.len() >= pages.len().min(2), "pages rotate: saw {seen:?} of {}", pages.len());
    photograph(&page, "team-rankings", "document.querySelector('.standing .standing-row')").await;
    no_errors(&page);
}

// The captured database has no `championships[]`: SM counts every team member (team points,
// total only), and P4.3 is not done, so its athletes' points are live only. Confirmed, from the
// sample's OWLCMS ranks of the done sessions: Hitra VK 28 + 28 + 25 = 81, Spydeberg Atletene
// 28 + 28 + 25 + 0 = 81 (tie: team name), AK Bjørgvin 25 + 25 + 23 = 73, Tambarskjelvar IL 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_rankings_show_confirmed_and_live_values() {
    let rig = Rig::start().await;
    let view = api_view(&rig, "plugin=team-rankings&championships=SM").await;
    let page = &view["pages"][0];
    assert_eq!(page["genderLabel"], "Men (all men, team points)");
    let rows = page["rows"].as_array().unwrap();
    let confirmed: Vec<(String, f64)> =
        rows.iter().map(|r| (shown(&r["team"]), r["confirmed"].as_f64().unwrap())).collect();
    let want = [("Hitra VK", 81.0), ("Spydeberg Atletene", 81.0), ("AK Bjørgvin", 73.0), ("Tambarskjelvar IL", 0.0)];
    assert_eq!(confirmed, want.map(|(t, v)| (t.to_owned(), v)));
    assert!(rows.iter().all(|r| r["live"].as_f64().unwrap() >= r["confirmed"].as_f64().unwrap()), "{rows:?}");
    assert!(shown(&rows[3]["score"]).starts_with("0 (live "), "Holme lifts in P4.3: {}", rows[3]["score"]);
    let page = rig.open("/team-rankings?championships=SM", TV).await;
    page.wait_for("a standing", "document.querySelector('.standing .standing-row')", PATIENCE).await;
    let on_screen = page
        .eval(
            "(() => { const s = document.querySelector('.standing'); return {
               head: s.querySelector('.standing-name').textContent,
               scores: [...s.querySelectorAll('.standing-row td.score')].map(e => e.textContent) }; })()",
        )
        .await;
    assert_eq!(on_screen["head"], "SM – Men (all men, team points)");
    assert_eq!(strings(&on_screen["scores"]), rows.iter().map(|r| shown(&r["score"])).collect::<Vec<_>>());
    photograph(&page, "team-rankings-live", "document.querySelector('.standing .standing-row')").await;
    no_errors(&page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_protocol_prints_on_a4() {
    use base64::Engine;
    let rig = Rig::start().await;
    let view = api_view(&rig, "plugin=results-protocol").await;
    let sessions = view["sessions"].as_array().cloned().unwrap_or_default();
    let page = rig.open("/results-protocol", TV).await;
    page.wait_for("the document", "document.querySelector('.document .print-button')", PATIENCE).await;
    page.wait_for(
        "every session",
        &format!("document.querySelectorAll('.doc-session').length === {}", sessions.len()),
        PATIENCE,
    )
    .await;
    let athletes: usize = sessions
        .iter()
        .flat_map(|s| s["categories"].as_array().cloned().unwrap_or_default())
        .map(|c| c["athletes"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(page.eval("document.querySelectorAll('tr.doc-athlete').length").await, json!(athletes));
    if let Some(first) = sessions.first().and_then(|s| s["categories"][0]["athletes"][0].as_object()) {
        assert_eq!(
            page.eval("document.querySelector('tr.doc-athlete td.name').textContent").await,
            json!(shown(&first["name"]))
        );
    }
    assert!(
        page.eval("document.querySelector('.doc-competition').textContent").await == json!(shown(&view["competition"]))
    );
    photograph(&page, "document", "document.querySelector('.document')").await;

    // The print layout: no Print button on paper, headers repeated, A4 pages.
    page.call("Emulation.setEmulatedMedia", json!({"media": "print"})).await;
    assert_eq!(
        page.eval("getComputedStyle(document.querySelector('.print-button')).display").await,
        json!("none"),
        "the Print button is not printed"
    );
    if !sessions.is_empty() {
        assert_eq!(
            page.eval("getComputedStyle(document.querySelector('.protocol thead')).display").await,
            json!("table-header-group")
        );
        assert_eq!(
            page.eval("getComputedStyle(document.querySelector('.protocol tr.running-header th')).display").await,
            json!("table-cell"),
            "running header printed"
        );
    }
    // What the first sheet looks like: A4 at 96 dpi.
    page.viewport(794, 1123).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    page.screenshot(&screenshots().join("document-print-a4.png")).await;
    page.call("Emulation.setEmulatedMedia", json!({"media": ""})).await;
    // A4 in inches; the page's own @page size wins when preferCSSPageSize is set.
    let pdf = page
        .call(
            "Page.printToPDF",
            json!({"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": true, "printBackground": true}),
        )
        .await;
    let bytes = base64::engine::general_purpose::STANDARD.decode(pdf["data"].as_str().expect("PDF data")).unwrap();
    std::fs::create_dir_all(screenshots()).unwrap();
    std::fs::write(screenshots().join("results-protocol.pdf"), &bytes).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    let pages = pages.max(text.matches("/Type/Page").count() - text.matches("/Type/Pages").count());
    assert!(pages >= 1, "at least one page");
    if sessions.len() > 1 {
        assert!(pages >= sessions.len(), "a page break between sessions: {pages} pages, {} sessions", sessions.len());
    }
    // A4 = 595 × 842 points (Chromium writes e.g. `/MediaBox [0 0 594.95996 841.91998]`).
    let boxes: Vec<(f64, f64)> = text
        .split("/MediaBox")
        .skip(1)
        .filter_map(|rest| {
            let inner = rest.trim_start().strip_prefix('[')?.split(']').next()?;
            let n: Vec<f64> = inner.split_whitespace().filter_map(|v| v.parse().ok()).collect();
            (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
        })
        .collect();
    assert!(!boxes.is_empty(), "page sizes in the PDF");
    assert!(boxes.iter().all(|(w, h)| (w - 595.3).abs() < 2.0 && (h - 841.9).abs() < 2.0), "A4 pages: {boxes:?}");
    eprintln!("results-protocol: {} sessions, {athletes} athletes, {pages} PDF pages", sessions.len());
    page.viewport(PHONE.0, PHONE.1).await;
    no_errors(&page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_grid_shows_a_score_column_on_request() {
    let rig = Rig::start().await;
    let view = api_view(&rig, "plugin=lifting-order&fop=A&score=sinclair").await;
    let title = view["columns"]["score"].as_str().unwrap_or_else(|| panic!("no score column in {}", view["columns"]));
    let page = rig.open("/lifting-order?fop=A&score=sinclair", TV).await;
    page.wait_for("score column", "document.querySelector('th.score')", PATIENCE).await;
    assert_eq!(page.eval("document.querySelector('th.score').textContent").await, json!(title));
    assert!(page.eval("!!document.querySelector('th.score-rank')").await.as_bool().unwrap());
    let row = view["rows"].as_array().unwrap().iter().find(|r| r["spacer"] != true && !r["key"].is_null()).unwrap();
    let key = shown(&row["key"]);
    let cells = page
        .eval(&format!(
            "(() => {{ const r = document.querySelector('tr.athlete[data-key=\"' + {} + '\"]');
               return [r.querySelector('td.score').textContent, r.querySelector('td.score-rank').textContent]; }})()",
            json!(key)
        ))
        .await;
    assert_eq!(strings(&cells), vec![shown(&row["score"]), shown(&row["scoreRank"])]);
    // Without the option, no score column.
    let plain = rig.open("/lifting-order?fop=A", TV).await;
    plain.wait_for("grid", "document.querySelector('tr.athlete')", PATIENCE).await;
    assert!(plain.eval("!document.querySelector('th.score')").await.as_bool().unwrap());
    page.screenshot(&screenshots().join("standard-grid-score-tv.png")).await;
    no_errors(&page);
    no_errors(&plain);
}
