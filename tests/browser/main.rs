//! The web client in a real browser: the built server binary serving the Trunk bundle
//! (`dist/`), fed with real OWLCMS payloads over `/ws`, and Debian's headless Chromium driven
//! over the DevTools protocol. Screenshots of every page kind, at phone and TV sizes, go to
//! `target/screenshots/`.
//!
//! Needs `dist/` (scripts/build-frontend.sh) and Chromium (scripts/install-wasm-toolchain.sh
//! --browser); `scripts/test` does both.

mod cdp;
mod displays;
mod keyed;
mod many;
mod owlcms;
mod patches;
mod records;
mod relay;
mod teams;
mod venue;
mod workbench;

use cdp::{Chrome, Page};
use e2e::Tracker;
use owlcms::Owlcms;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a page gets to show what a test expects.
const PATIENCE: Duration = Duration::from_secs(15);
/// The two screens every page kind is photographed on.
const PHONE: (u32, u32) = (390, 844);
const TV: (u32, u32) = (1920, 1080);

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn dist() -> PathBuf {
    let dist = repo().join("dist");
    assert!(
        dist.join("index.html").is_file(),
        "no web client in {}: build it with scripts/build-frontend.sh (scripts/test does)",
        dist.display()
    );
    dist
}

fn screenshots() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo().join("target"), PathBuf::from);
    target.join("screenshots")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A tracker with the project's plugins plus a generic-table plugin (the authoring guide's
/// worked example), fed with the captured competition; and a browser.
struct Rig {
    tracker: Tracker,
    owlcms: Owlcms,
    chrome: Chrome,
    plugins: tempfile::TempDir,
}

impl Rig {
    async fn start() -> Rig {
        Rig::start_on(0).await
    }

    async fn start_on(port: u16) -> Rig {
        let plugins = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("plugins"), plugins.path());
        let leaders = plugins.path().join("session-leaders");
        std::fs::create_dir_all(&leaders).unwrap();
        std::fs::write(
            leaders.join("config.json"),
            json!({"name": "Session leaders", "description": "The best totals of the session.",
                   "category": "scoreboards", "order": 50, "page": "generic-table",
                   "options": [{"key": "count", "label": "How many", "type": "number", "min": 1, "max": 20, "default": 3}]})
            .to_string(),
        )
        .unwrap();
        std::fs::write(
            leaders.join("mapping.jq"),
            r#"{ title: tx("Results.Rank"; "Rankings") + " – " + (.session.name // ""),
  columns: [tx("Scoreboard.Name"; "Name"), tx("Scoreboard.Team"; "Team"), tx("Scoreboard.Total"; "Total")],
  rows: [ .athletes | map(select(.totalKg > 0)) | sort_by(-.totalKg) | limit($options.count; .[])
          | [.fullName, .teamName, (.totalKg | tostring)] ] }"#,
        )
        .unwrap();
        let tracker = Tracker::start_on(
            port,
            &["--plugins-dir", plugins.path().to_str().unwrap(), "--dist-dir", dist().to_str().unwrap()],
            &[],
        );
        let owlcms = Owlcms::competition(&format!("ws://{}/ws", tracker.addr)).await;
        Rig { tracker, owlcms, chrome: Chrome::launch(), plugins }
    }

    async fn open(&self, path: &str, size: (u32, u32)) -> Page {
        let page = self.chrome.page().await;
        page.viewport(size.0, size.1).await;
        page.goto(&self.tracker.url(path)).await;
        page
    }
}

/// Screenshots of the page at phone and TV sizes: `<name>-phone.png`, `<name>-tv.png`.
async fn photograph(page: &Page, name: &str, ready: &str) {
    for (label, (w, h)) in [("phone", PHONE), ("tv", TV)] {
        page.viewport(w, h).await;
        page.wait_for(&format!("{name} at {w}x{h}"), ready, PATIENCE).await;
        // Let auto-fit settle (it measures after layout) and fonts render.
        tokio::time::sleep(Duration::from_millis(400)).await;
        page.screenshot(&screenshots().join(format!("{name}-{label}.png"))).await;
    }
}

fn no_errors(page: &Page) {
    let errors = page.errors();
    assert!(errors.is_empty(), "JavaScript errors or warnings: {errors:#?}");
}

async fn text(page: &Page, selector: &str) -> String {
    let js = format!("document.querySelector({})?.textContent ?? ''", json!(selector));
    page.eval(&js).await.as_str().unwrap_or_default().to_owned()
}

async fn style(page: &Page, selector: &str, property: &str) -> String {
    let js = format!("getComputedStyle(document.querySelector({}))[{}]", json!(selector), json!(property));
    page.eval(&js).await.as_str().unwrap_or_default().to_owned()
}

/// `M:SS` → seconds.
fn seconds(clock: &str) -> i64 {
    let (m, s) = clock.trim().split_once(':').unwrap_or_else(|| panic!("not a clock: {clock:?}"));
    m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifting_order_shows_the_session_live_clock_and_decisions() {
    let mut rig = Rig::start().await;
    let page = rig.open("/lifting-order?fop=A", TV).await;

    // The athletes of the captured session, with OWLCMS's colours.
    page.wait_for(
        "current athlete",
        "document.querySelector('tr.current td.name')?.textContent === 'KJELLEVAND, Jørgen'",
        PATIENCE,
    )
    .await;
    assert_eq!(text(&page, ".attempt-bar .ab-name").await, "KJELLEVAND, Jørgen");
    assert_eq!(text(&page, ".attempt-bar .ab-attempt").await, "C&J #3");
    assert_eq!(text(&page, ".attempt-bar .ab-weight").await, "170kg");
    assert!(text(&page, ".ab-session").await.starts_with("Session P4.3"));
    assert_eq!(text(&page, "tr.current td.att.current").await, "170");
    assert_eq!(style(&page, "tr.current td.att.current", "animationName").await, "blink", "the current attempt blinks");
    assert_eq!(text(&page, "tr.next td.name").await, "HOLME, Ragnar G.");
    assert_eq!(style(&page, "tr.next td.name", "color").await, "rgb(249, 115, 22)", "next athlete in orange");
    assert_eq!(style(&page, "tr.next td.att.next", "color").await, "rgb(249, 115, 22)");
    let bad = page.eval("[...document.querySelectorAll('tr.current td.att.bad')].map(c => c.textContent)").await;
    assert!(bad.as_array().unwrap().contains(&json!("(130)")), "failed lifts in parentheses: {bad}");
    assert_eq!(style(&page, "td.att.bad", "backgroundColor").await, "rgb(139, 26, 26)", "failed lift: dark red");
    assert_eq!(style(&page, "td.att.good", "backgroundColor").await, "rgb(255, 255, 255)", "good lift: white");
    assert!(page.eval("!!document.querySelector('.flag[src=\"/local/flags/Spydeberg%20Atletene.svg\"], .flag[src=\"/local/flags/Spydeberg Atletene.svg\"]')").await.as_bool().unwrap());
    assert!(text(&page, ".records-table").await.contains("Norgesrekord"), "records table");

    // OWLCMS starts the clock: it counts down.
    rig.owlcms
        .timer(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "60000", "timeAllowed": "60000"}))
        .await;
    let first = page
        .wait_for(
            "running clock",
            "document.querySelector('.attempt-bar .clock.athlete.running')?.textContent",
            PATIENCE,
        )
        .await;
    let first = seconds(first.as_str().unwrap());
    assert!((58..=60).contains(&first), "started at {first}");
    tokio::time::sleep(Duration::from_millis(2300)).await;
    let later = seconds(&text(&page, ".attempt-bar .clock.athlete").await);
    assert!((first - 3..=first - 2).contains(&later), "counts down: {first} then {later}");
    photograph(&page, "standard-grid", "document.querySelector('tr.current')").await;

    // Referees decide: two white, one red; then OWLCMS clears the lights.
    rig.owlcms.decision(json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "false", "d3": "true", "decisionsVisible": "true"})).await;
    page.wait_for("three lights", "document.querySelectorAll('.attempt-bar .lights .light').length === 3", PATIENCE)
        .await;
    assert_eq!(page.eval("document.querySelectorAll('.attempt-bar .light.good').length").await, json!(2));
    assert_eq!(page.eval("document.querySelectorAll('.attempt-bar .light.bad').length").await, json!(1));
    assert_eq!(style(&page, ".attempt-bar .light.bad", "backgroundColor").await, "rgb(220, 38, 38)");
    assert!(
        page.eval("!document.querySelector('.attempt-bar .clock')").await.as_bool().unwrap(),
        "lights replace the clock"
    );
    page.screenshot(&screenshots().join("standard-grid-decision-tv.png")).await;
    // After a RESET nothing shows until OWLCMS calls the next athlete (behaviour rule R4.6).
    rig.owlcms.decision(json!({"decisionEventType": "RESET", "decisionsVisible": "false"})).await;
    page.wait_for(
        "lights cleared",
        "!document.querySelector('.attempt-bar .lights') && !document.querySelector('.attempt-bar .clock')",
        PATIENCE,
    )
    .await;
    rig.owlcms.update(&owlcms::sample(owlcms::LIFTING_ORDER)).await;
    page.wait_for("clock back for the next athlete", "!!document.querySelector('.attempt-bar .clock')", PATIENCE).await;

    // The down signal alone is the big arrow.
    rig.owlcms.decision(json!({"decisionEventType": "DOWN_SIGNAL", "down": "true"})).await;
    page.wait_for("down arrow", "document.querySelector('.attempt-bar .down')?.textContent === '▼'", PATIENCE).await;

    // A single-referee competition shows the middle light only; a jury decision shows too.
    let single = owlcms::sample("http-era/decision-full.json");
    rig.owlcms
        .decision(json!({"decisionEventType": "FULL_DECISION", "d2": single["d2"], "decisionsVisible": "true"}))
        .await;
    page.wait_for("one light", "document.querySelector('.attempt-bar .lights')?.dataset.lights === '1'", PATIENCE)
        .await;
    assert_eq!(page.eval("document.querySelectorAll('.attempt-bar .light.good').length").await, json!(1));
    rig.owlcms
        .decision(json!({"decisionEventType": "JURY_DECISION", "juryDecision": "BAD_LIFT", "juryReversal": "true"}))
        .await;
    page.wait_for(
        "jury",
        "document.querySelector('.attempt-bar .jury.bad')?.dataset.jury === 'JURY_DECISION'",
        PATIENCE,
    )
    .await;
    no_errors(&page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_opened_mid_countdown_shows_the_right_time_even_with_a_wrong_browser_clock() {
    let mut rig = Rig::start().await;
    // 20 s into a 60 s countdown.
    rig.owlcms
        .timer(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "40000", "timeAllowed": "60000"}))
        .await;
    let sent = Instant::now();
    let page = rig.chrome.page().await;
    // This browser's clock is 5 minutes fast.
    page.before_load("(() => { const real = Date.now; Date.now = () => real.call(Date) + 300000; })();").await;
    page.viewport(TV.0, TV.1).await;
    page.goto(&rig.tracker.url("/attempt-board?fop=A")).await;
    let skew = page.eval("Date.now() - new Date().getTime()").await.as_f64().unwrap();
    assert!(skew >= 299_000.0, "the browser's clock is off by {skew} ms");
    let shown = page
        .wait_for(
            "running clock",
            "document.querySelector('.board-clock .clock.athlete.running')?.textContent",
            PATIENCE,
        )
        .await;
    let expected = 40.0 - sent.elapsed().as_secs_f64();
    // The display rounds up: "0:40" means 39 < remaining <= 40.
    let shown = seconds(shown.as_str().unwrap()) as f64;
    assert!((shown - 0.5 - expected).abs() <= 1.0, "shows {shown} s, expected {expected:.1} s");

    // The attempt board of the same moment, then its other modes.
    assert_eq!(text(&page, ".board-last").await, "KJELLEVAND");
    assert_eq!(text(&page, ".board-first").await, "Jørgen");
    assert_eq!(text(&page, ".board-start").await, "4");
    assert_eq!(text(&page, ".board-weight").await, "170kg");
    assert!(
        page.eval("document.querySelectorAll('.barbell .plate').length >= 10").await.as_bool().unwrap(),
        "barbell drawn"
    );
    assert!(
        page.eval(
            "!document.querySelector('.board-side .picture') || document.querySelector('.board-side .picture.gone')"
        )
        .await
        .as_bool()
        .unwrap_or(true),
        "a missing picture is hidden"
    );
    photograph(&page, "attempt-board", "document.querySelector('.board-clock .clock')").await;

    rig.owlcms.decision(json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "true", "d3": "false", "decisionsVisible": "true"})).await;
    page.wait_for(
        "lights instead of barbell and clock",
        "document.querySelectorAll('.board-decision .light').length === 3 && !document.querySelector('.barbell')",
        PATIENCE,
    )
    .await;
    page.screenshot(&screenshots().join("attempt-board-decision-tv.png")).await;
    rig.owlcms.decision(json!({"decisionEventType": "RESET"})).await;
    page.wait_for("barbell back", "!!document.querySelector('.board-middle .barbell')", PATIENCE).await;

    // Interruption: STOP instead of the clock.
    rig.owlcms
        .timer(json!({"mode": "INTERRUPTION", "fopState": "BREAK", "break": "true", "breakType": "TECHNICAL",
                      "breakTimerEventType": "BreakStarted", "breakMillisRemaining": null, "indefiniteBreak": "true",
                      "athleteTimerEventType": "StopTime", "athleteMillisRemaining": "35000"}))
        .await;
    page.wait_for("STOP", "document.querySelector('.board-clock .clock.stop')?.textContent === 'STOP'", PATIENCE).await;
    page.screenshot(&screenshots().join("attempt-board-interruption-tv.png")).await;

    // A break with a countdown: the break clock, in its own colour.
    rig.owlcms
        .timer(json!({"mode": "INTRO_COUNTDOWN", "fopState": "BREAK", "break": "true", "breakType": "FIRST_CJ",
                      "breakTimerEventType": "BreakStarted", "breakMillisRemaining": "600000", "indefiniteBreak": "false"}))
        .await;
    let clock = page
        .wait_for("break clock", "document.querySelector('.board-break-clock .clock.break')?.textContent", PATIENCE)
        .await;
    assert!((598..=600).contains(&seconds(clock.as_str().unwrap())), "break clock {clock}");
    page.screenshot(&screenshots().join("attempt-board-break-tv.png")).await;
    no_errors(&page);

    // The same clock on a scoreboard in the same (wrong-clock) browser.
    let grid = rig.chrome.page().await;
    grid.before_load("(() => { const real = Date.now; Date.now = () => real.call(Date) + 300000; })();").await;
    grid.viewport(PHONE.0, PHONE.1).await;
    grid.goto(&rig.tracker.url("/start-order?fop=A")).await;
    let shown = grid
        .wait_for(
            "break clock on the grid",
            "document.querySelector('.attempt-bar .clock.break')?.textContent",
            PATIENCE,
        )
        .await;
    assert!((596..=600).contains(&seconds(shown.as_str().unwrap())), "break clock {shown}");
    no_errors(&grid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_lists_plugins_and_builds_option_urls() {
    let rig = Rig::start().await;
    let page = rig.open("/", TV).await;
    page.wait_for(
        "competition name",
        "document.querySelector('#competition')?.textContent === 'NORGESMSTERSKAP FOR LAG'",
        PATIENCE,
    )
    .await;
    // Sections: the known categories first, in their fixed order.
    let sections = page.eval("[...document.querySelectorAll('section.category')].map(s => s.dataset.category)").await;
    let known = ["scoreboards", "attempt-board", "overlays", "teams", "documents"];
    let sections: Vec<&str> = sections.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    let first_known: Vec<&str> = sections.iter().copied().take_while(|s| known.contains(s)).collect();
    let expected: Vec<&str> = known.iter().copied().filter(|k| sections.contains(k)).collect();
    assert_eq!(first_known, expected, "sections {sections:?}");
    assert_eq!(&sections[..3], ["scoreboards", "attempt-board", "overlays"]);
    // A card for every plugin that is not hidden; within a section, by order.
    let cards = page.eval("[...document.querySelectorAll('.card')].map(c => c.dataset.plugin)").await;
    let cards: Vec<&str> = cards.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let catalog: Value = reqwest::get(rig.tracker.url("/api/plugins")).await.unwrap().json().await.unwrap();
    for plugin in catalog["plugins"].as_array().unwrap().iter().filter(|p| p["hidden"] != true) {
        assert!(cards.contains(&plugin["id"].as_str().unwrap()), "no card for {}", plugin["id"]);
    }
    let position = |id: &str| cards.iter().position(|c| *c == id).unwrap_or_else(|| panic!("no card {id}"));
    for pair in [
        ["start-order", "lifting-order"],
        ["lifting-order", "rankings"],
        ["rankings", "session-leaders"],
        ["lower-third", "attempt-bar"],
    ] {
        assert!(position(pair[0]) < position(pair[1]), "{pair:?} in {cards:?}");
    }
    let links = page.eval("[...document.querySelectorAll('.card[data-plugin=\"lifting-order\"] a.fop-link')].map(a => a.getAttribute('href'))").await;
    assert_eq!(links, json!(["/lifting-order?fop=A"]));
    assert!(
        page.eval("!document.querySelector('.banner')").await.as_bool().unwrap(),
        "no banner with OWLCMS connected"
    );
    photograph(&page, "landing", "document.querySelector('.card')").await;

    // The options dialog: only values that differ from the defaults go into the URL.
    page.eval("document.querySelector('.card[data-plugin=\"lifting-order\"] .options-btn').click()").await;
    page.wait_for("dialog", "document.querySelector('#options-url')?.textContent === '/lifting-order?fop=A'", PATIENCE)
        .await;
    let languages = page.eval("[...document.querySelectorAll('#opt-lang option')].map(o => o.value)").await;
    assert!(
        languages.as_array().unwrap().len() > 5 && languages.as_array().unwrap().contains(&json!("fr")),
        "{languages}"
    );
    assert!(
        page.eval("[...document.querySelectorAll('#opt-lang option')].some(o => o.textContent === 'Français')")
            .await
            .as_bool()
            .unwrap()
    );
    let set = |selector: &str, value: &str, event: &str| {
        format!(
            "(() => {{ const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event({}, {{bubbles: true}})); return true; }})()",
            json!(selector),
            json!(value),
            json!(event)
        )
    };
    page.eval("document.querySelector('#opt-showRecords').click()").await;
    page.eval(&set("#opt-size", "1.5", "input")).await;
    page.eval(&set("#opt-lang", "fr", "change")).await;
    page.eval(&set("#opt-theme", "dark", "change")).await;
    let expected = "/lifting-order?fop=A&lang=fr&showRecords=false&size=1.5";
    page.wait_for(
        "URL with the chosen options",
        &format!("document.querySelector('#options-url').textContent === {}", json!(expected)),
        PATIENCE,
    )
    .await;
    assert_eq!(page.eval("document.querySelector('#options-open').getAttribute('href')").await, json!(expected));
    page.screenshot(&screenshots().join("landing-options-tv.png")).await;
    page.viewport(PHONE.0, PHONE.1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    page.screenshot(&screenshots().join("landing-options-phone.png")).await;
    // Back to the default size: it leaves the URL; an out-of-range value never enters it.
    page.eval(&set("#opt-size", "1", "input")).await;
    page.wait_for(
        "size gone",
        "document.querySelector('#options-url').textContent === '/lifting-order?fop=A&lang=fr&showRecords=false'",
        PATIENCE,
    )
    .await;
    page.eval(&set("#opt-size", "7", "input")).await;
    page.wait_for(
        "out of range ignored",
        "document.querySelector('#opt-size').classList.contains('invalid')",
        PATIENCE,
    )
    .await;
    assert_eq!(text(&page, "#options-url").await, "/lifting-order?fop=A&lang=fr&showRecords=false");

    // The page the link opens uses those options: French texts, no records.
    let board = rig.chrome.page().await;
    board.viewport(TV.0, TV.1).await;
    board.goto(&rig.tracker.url(expected)).await;
    board.wait_for("French headers", "document.querySelector('th.lift')?.textContent === 'Arraché'", PATIENCE).await;
    assert!(board.eval("!document.querySelector('.records-table')").await.as_bool().unwrap());
    assert_eq!(
        board.eval("getComputedStyle(document.documentElement).getPropertyValue('--size').trim()").await,
        json!("1.5")
    );
    assert!(!board.eval("document.body.innerText").await.as_str().unwrap().contains('!'), "no untranslated !keys");
    // A plugin saved with a mistake shows up at once, with its error on its card.
    let broken = rig.plugins.path().join("broken-board");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("config.json"),
        r#"{"name": "Broken", "page": "generic-table", "category": "scoreboards"}"#,
    )
    .unwrap();
    std::fs::write(broken.join("mapping.jq"), "{ title: .fop | }").unwrap();
    let error = page
        .wait_for(
            "broken plugin's card",
            "document.querySelector('.card[data-plugin=\"broken-board\"] .card-error')?.textContent",
            PATIENCE,
        )
        .await;
    assert!(error.as_str().unwrap().contains("mapping.jq"), "{error}");
    no_errors(&page);
    no_errors(&board);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn landing_page_banners_before_data_and_on_a_protocol_mismatch() {
    let tracker = Tracker::start(&["--dist-dir", dist().to_str().unwrap()], &[]);
    let chrome = Chrome::launch();
    let page = chrome.page().await;
    page.viewport(PHONE.0, PHONE.1).await;
    page.goto(&tracker.url("/")).await;
    page.wait_for(
        "waiting banner",
        "document.querySelector('[data-banner=\"waiting\"]')?.textContent.includes('Waiting for OWLCMS')",
        PATIENCE,
    )
    .await;
    assert!(text(&page, ".card[data-plugin=\"start-order\"]").await.contains("Awaiting OWLCMS"));
    page.screenshot(&screenshots().join("landing-waiting-phone.png")).await;
    // An OWLCMS that is too old: the mismatch is latched and shown.
    let mut old = Owlcms::connect(&format!("ws://{}/ws", tracker.addr)).await;
    let reply =
        old.request_raw(&json!({"version": "63.0.0", "type": "update", "payload": {"fop": "A"}}).to_string()).await;
    assert_eq!(reply["status"], 400, "{reply}");
    page.wait_for(
        "protocol banner",
        "document.querySelector('[data-banner=\"protocol\"]')?.textContent.includes('mismatch')",
        PATIENCE,
    )
    .await;
    // A board opened now says so too.
    let board = chrome.page().await;
    board.viewport(TV.0, TV.1).await;
    board.goto(&tracker.url("/lifting-order?fop=A")).await;
    board
        .wait_for("board status", "document.querySelector('.banner[data-status=\"protocol-mismatch\"]')", PATIENCE)
        .await;
    no_errors(&page);
    no_errors(&board);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlays_and_the_generic_table() {
    let rig = Rig::start().await;
    // Attempt bar: transparent page for OBS, the bar at the bottom.
    let page = rig.open("/attempt-bar?fop=A", TV).await;
    page.wait_for(
        "bar",
        "document.querySelector('.overlay-bar.bottom .ab-name')?.textContent === 'KJELLEVAND, Jørgen'",
        PATIENCE,
    )
    .await;
    assert_eq!(style(&page, "body", "backgroundColor").await, "rgba(0, 0, 0, 0)", "transparent for OBS");
    assert_eq!(style(&page, "html", "backgroundColor").await, "rgba(0, 0, 0, 0)");
    page.backdrop((70, 110, 90, 1.0)).await;
    photograph(&page, "attempt-bar", "document.querySelector('.overlay-bar')").await;

    // Lower third, top left, large.
    let lower = rig.open("/lower-third?fop=A&position=top-left&fontSize=large", TV).await;
    lower
        .wait_for(
            "lower third",
            "document.querySelector('.lower-third.top-left.large .lt-name')?.textContent === 'KJELLEVAND, Jørgen'",
            PATIENCE,
        )
        .await;
    assert_eq!(text(&lower, ".lt-weight").await, "170 kg");
    assert_eq!(style(&lower, "body", "backgroundColor").await, "rgba(0, 0, 0, 0)");
    lower.backdrop((70, 110, 90, 1.0)).await;
    photograph(&lower, "lower-third", "document.querySelector('.lower-third')").await;

    // A plugin with no Rust: the generic table.
    let table = rig.open("/session-leaders?fop=A&count=2", TV).await;
    table.wait_for("table rows", "document.querySelectorAll('table.generic tbody tr').length === 2", PATIENCE).await;
    let rows = table
        .eval("[...document.querySelectorAll('table.generic tbody tr')].map(r => [...r.cells].map(c => c.textContent))")
        .await;
    assert_eq!(
        rows,
        json!([["HOLME, Ragnar G.", "Tambarskjelvar IL", "368"], ["NESHEIM, Sindre K.", "AK Bjørgvin", "295"]])
    );
    photograph(&table, "generic-table", "document.querySelector('table.generic')").await;

    // A page kind this client does not draw: its view as readable JSON, with the plugin's
    // own style sheet applied (no rebuild).
    let raw = rig.plugins.path().join("raw-document");
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(raw.join("config.json"), r#"{"name": "Raw", "page": "document", "category": "documents"}"#).unwrap();
    std::fs::write(raw.join("mapping.jq"), "{ fop: .fop, athletes: (.athletes | length) }").unwrap();
    std::fs::write(raw.join("style.css"), ".json-dump { color: rgb(1, 2, 3); }").unwrap();
    let doc = rig.chrome.page().await;
    doc.viewport(TV.0, TV.1).await;
    let started = Instant::now();
    loop {
        // The plugin folder is watched: it appears within a second or so.
        let status = reqwest::get(rig.tracker.url("/api/plugins/raw-document")).await.unwrap().status();
        if status == 200 || started.elapsed() > PATIENCE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    doc.goto(&rig.tracker.url("/raw-document?fop=A")).await;
    let dump = doc.wait_for("JSON dump", "document.querySelector('.json-dump')?.textContent", PATIENCE).await;
    assert!(dump.as_str().unwrap().contains("\"athletes\": 4"), "{dump}");
    doc.wait_for(
        "plugin style",
        "getComputedStyle(document.querySelector('.json-dump')).color === 'rgb(1, 2, 3)'",
        PATIENCE,
    )
    .await;

    // A FOP that does not exist: the page says so and links to the ones that do.
    let wrong = rig.open("/lifting-order?fop=Z&lang=fr", PHONE).await;
    let message = wrong.wait_for("refusal", "document.querySelector('.refused h1')?.textContent", PATIENCE).await;
    assert!(message.as_str().unwrap().contains("unknown FOP"), "{message}");
    assert_eq!(
        wrong.eval("document.querySelector('.refused a.fop-link').getAttribute('href')").await,
        json!("/lifting-order?fop=A&lang=fr")
    );

    // A light-theme scoreboard on a phone.
    let light = rig.open("/rankings?fop=A&theme=light", PHONE).await;
    light
        .wait_for(
            "light theme",
            "document.documentElement.classList.contains('theme-light') && document.querySelector('tr.athlete')",
            PATIENCE,
        )
        .await;
    assert_eq!(style(&light, "body", "backgroundColor").await, "rgb(255, 255, 255)");
    light.screenshot(&screenshots().join("standard-grid-light-phone.png")).await;
    for p in [&page, &lower, &table, &doc, &wrong, &light] {
        no_errors(p);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_board_shows_it_is_stale_while_the_server_is_away_and_recovers() {
    let rig = Rig::start().await;
    let port = rig.tracker.addr.port();
    let page = rig.open("/lifting-order?fop=A", TV).await;
    page.wait_for(
        "board",
        "document.querySelector('tr.current td.name')?.textContent === 'KJELLEVAND, Jørgen'",
        PATIENCE,
    )
    .await;
    assert!(page.eval("!document.querySelector('.conn-marker')").await.as_bool().unwrap());
    let Rig { tracker, owlcms, chrome, plugins: _plugins } = rig;
    drop(owlcms);
    drop(tracker);
    page.wait_for("stale board", "document.documentElement.classList.contains('stale') && document.querySelector('.conn-marker')?.textContent === 'reconnecting…'", PATIENCE)
        .await;
    page.wait_for(
        "dimmed while disconnected",
        "getComputedStyle(document.querySelector('.fit-root')).opacity === '0.45'",
        PATIENCE,
    )
    .await;
    assert_eq!(text(&page, "tr.current td.name").await, "KJELLEVAND, Jørgen", "last data kept");
    page.screenshot(&screenshots().join("standard-grid-reconnecting-tv.png")).await;

    // The server comes back on the same port with the competition: the page resyncs.
    let mut back = Rig::start_on(port).await;
    back.owlcms.timer(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": "30000"})).await;
    page.wait_for("live again", "!document.documentElement.classList.contains('stale') && !document.querySelector('.conn-marker') && document.querySelector('.attempt-bar .clock.running')", Duration::from_secs(20))
        .await;
    drop(chrome);
    let errors: Vec<Value> = page.errors().into_iter().map(Value::from).collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_demo_session_fits_a_tv_and_stays_readable_on_a_phone() {
    // The built-in simulated OWLCMS plays a whole competition through /ws (it connects to the
    // configured port, so the port is chosen here).
    let tracker = Tracker::start_on(e2e::free_port(), &["--dist-dir", dist().to_str().unwrap(), "--demo=true"], &[]);
    let chrome = Chrome::launch();
    let page = chrome.page().await;
    page.viewport(TV.0, TV.1).await;
    page.goto(&tracker.url("/start-order?fop=A")).await;
    page.wait_for("a long session", "document.querySelectorAll('tr.athlete').length >= 12", Duration::from_secs(30))
        .await;
    // TV: everything on screen, nothing to scroll, text not tiny.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fit = page
        .eval(
            "(() => { const c = document.querySelector('.fit-content'); const r = c.getBoundingClientRect();
               return { height: r.height, width: c.scrollWidth, font: parseFloat(getComputedStyle(c).fontSize) }; })()",
        )
        .await;
    assert!(fit["height"].as_f64().unwrap() <= f64::from(TV.1) + 1.0, "fits the TV's height: {fit}");
    assert!(fit["width"].as_f64().unwrap() <= f64::from(TV.0), "fits the TV's width: {fit}");
    assert!(fit["font"].as_f64().unwrap() >= 14.0, "readable on a TV: {fit}");
    photograph(&page, "standard-grid-demo", "document.querySelector('tr.athlete')").await;
    // Phone: no column cut off on the right, text at least 11 px, the rest scrolls.
    let phone = page
        .eval(
            "(() => { const c = document.querySelector('.fit-content');
               return { width: c.scrollWidth, client: c.clientWidth, font: parseFloat(getComputedStyle(c).fontSize) }; })()",
        )
        .await;
    assert!(
        phone["width"].as_f64().unwrap() <= phone["client"].as_f64().unwrap() + 1.0,
        "no horizontal overflow: {phone}"
    );
    assert!(phone["font"].as_f64().unwrap() >= 10.9, "readable on a phone: {phone}");
    let board = chrome.page().await;
    board.viewport(TV.0, TV.1).await;
    board.goto(&tracker.url("/attempt-board?fop=B")).await;
    board.wait_for("attempt board", "document.querySelector('.board')", PATIENCE).await;
    photograph(&board, "attempt-board-demo", "document.querySelector('.board')").await;
    no_errors(&page);
    no_errors(&board);
}
