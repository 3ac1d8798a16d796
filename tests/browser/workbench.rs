//! The plugin workbench (`/_workbench`) on a plugin in the rig's temporary plugins folder:
//! input, output and board of the captured competition; a broken `mapping.jq` saved on disk
//! shows its error with the line within a second; the fix updates the output and the board.

use super::{PATIENCE, PHONE, Rig, TV, no_errors, screenshots, text};
use serde_json::json;
use std::time::{Duration, Instant};

/// A laptop screen.
const LAPTOP: (u32, u32) = (1440, 900);

/// JavaScript: the board iframe's document.
const BOARD: &str = "document.querySelector('#wb-board').contentDocument";

/// Saves a PNG of one element of the page (the board pane at phone or TV size).
async fn shoot_element(page: &super::cdp::Page, selector: &str, name: &str) {
    use base64::Engine;
    let rect = page
        .eval(&format!(
            "(() => {{ const r = document.querySelector({}).getBoundingClientRect(); return {{x: r.x, y: r.y, width: r.width, height: r.height, scale: 1}}; }})()",
            json!(selector)
        ))
        .await;
    let shot = page.call("Page.captureScreenshot", json!({"format": "png", "clip": rect})).await;
    let data = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().unwrap()).unwrap();
    std::fs::create_dir_all(screenshots()).unwrap();
    std::fs::write(screenshots().join(name), data).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workbench_shows_a_broken_mapping_within_a_second_and_follows_the_fix() {
    let rig = Rig::start().await;
    let page = rig.open("/_workbench?plugin=session-leaders&fop=A&count=2", LAPTOP).await;
    // Output and board of the captured session.
    page.wait_for(
        "output",
        "document.querySelector('#wb-output')?.textContent.includes('rows [\u{2026}] 2 items')",
        PATIENCE,
    )
    .await;
    page.wait_for("board rows", &format!("{BOARD}?.querySelectorAll('table.generic tbody tr').length === 2"), PATIENCE)
        .await;
    let first = page.eval(&format!("{BOARD}.querySelector('table.generic tbody td').textContent")).await;
    assert_eq!(first, json!("HOLME, Ragnar G."));
    assert!(text(&page, "#wb-timings").await.contains("mapping"), "timings shown");
    assert_eq!(page.eval("document.querySelector('#opt-count').value").await, json!("2"), "the options form");
    assert_eq!(page.eval("document.querySelector('#wb-plugin').value").await, json!("session-leaders"));
    // The input: collapsible, and searchable.
    page.eval("document.querySelector('#wb-input summary').click()").await;
    page.wait_for("an opened node", "document.querySelector('#wb-input details[open] li')", PATIENCE).await;
    page.eval(
        "(() => { const e = document.querySelector('#wb-search'); e.value = 'KJELLEVAND'; e.dispatchEvent(new Event('input', {bubbles: true})); })()",
    )
    .await;
    let hit = page
        .wait_for(
            "search hits",
            "[...document.querySelectorAll('.wb-hits code.path')].map(c => c.textContent).join(' ')",
            PATIENCE,
        )
        .await;
    assert!(hit.as_str().unwrap().contains(".current.lastName"), "{hit}");
    page.eval(
        "(() => { const e = document.querySelector('#wb-search'); e.value = ''; e.dispatchEvent(new Event('input', {bubbles: true})); })()",
    )
    .await;
    // Open the output's rows, as an author would.
    page.eval(
        "[...document.querySelectorAll('#wb-output summary')].find(s => s.textContent.startsWith('rows')).click()",
    )
    .await;
    page.wait_for("rows opened", "document.querySelector('#wb-output details[open] li')", PATIENCE).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    page.screenshot(&screenshots().join("workbench-laptop.png")).await;

    // Break the mapping on disk, as an editor would save it: line 3 has a syntax error.
    let mapping = rig.plugins.path().join("session-leaders/mapping.jq");
    let good = std::fs::read_to_string(&mapping).unwrap();
    let broken = good.replacen("columns: [", "columns: [ | ,", 1);
    assert_ne!(broken, good);
    let saved = Instant::now();
    std::fs::write(&mapping, &broken).unwrap();
    let line = page
        .wait_for(
            "the error with its line",
            "document.querySelector('#wb-problem .wb-loc .line')?.textContent",
            Duration::from_secs(1),
        )
        .await;
    let shown_after = saved.elapsed();
    assert!(shown_after < Duration::from_secs(1), "shown after {shown_after:?}");
    assert_eq!(line, json!("2"), "columns: is on line 2");
    let location = text(&page, "#wb-problem .wb-loc").await;
    assert!(location.contains("session-leaders/mapping.jq:2:"), "file:line:column, got {location}");
    assert!(page.eval("!!document.querySelector('#wb-problem .wb-loc .col')").await.as_bool().unwrap(), "a column");
    assert!(text(&page, "#wb-problem .src.hit").await.contains("columns: [ | ,"), "the line is highlighted");
    tokio::time::sleep(Duration::from_millis(300)).await;
    page.screenshot(&screenshots().join("workbench-error-laptop.png")).await;
    // The last good version keeps serving on the board.
    assert_eq!(page.eval(&format!("{BOARD}.querySelectorAll('table.generic tbody tr').length")).await, json!(2));

    // Fix it, with a visible change: output and board follow.
    std::fs::write(&mapping, good.replacen("tx(\"Results.Rank\"; \"Rankings\")", "\"Leaders\"", 1)).unwrap();
    page.wait_for("problem gone", "!document.querySelector('#wb-problem')", PATIENCE).await;
    page.wait_for("new output", "document.querySelector('#wb-output')?.textContent.includes('\"Leaders – ')", PATIENCE)
        .await;
    page.wait_for(
        "new board",
        &format!("{BOARD}?.querySelector('.table-title')?.textContent.startsWith('Leaders – ')"),
        PATIENCE,
    )
    .await;

    // The board pane at phone and TV sizes, scaled to fit.
    page.eval("document.querySelector('button[data-screen=\"phone\"]').click()").await;
    page.wait_for(
        "phone frame",
        &format!("document.querySelector('#wb-board').style.width === '{}px'", PHONE.0),
        PATIENCE,
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot_element(&page, ".wb-board", "workbench-board-phone.png").await;
    page.eval("document.querySelector('button[data-screen=\"TV\"]').click()").await;
    page.wait_for("TV frame", &format!("document.querySelector('#wb-board').style.width === '{}px'", TV.0), PATIENCE)
        .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    shoot_element(&page, ".wb-board", "workbench-board-tv.png").await;
    let fits = page
        .eval("(() => { const s = document.querySelector('.wb-stage').getBoundingClientRect(); const f = document.querySelector('.wb-frame').getBoundingClientRect(); return f.width <= s.width + 1 && f.height <= s.height + 1; })()")
        .await;
    assert_eq!(fits, json!(true), "the board is scaled to fit its pane");
    page.screenshot(&screenshots().join("workbench-tv-laptop.png")).await;

    // The landing page links the workbench.
    let landing = rig.open("/", LAPTOP).await;
    let href = landing
        .wait_for("workbench link", "document.querySelector('#workbench-link')?.getAttribute('href')", PATIENCE)
        .await;
    assert_eq!(href, json!("/_workbench"));
    no_errors(&page);
    no_errors(&landing);
}
