//! A view update patches the page instead of rebuilding it: in the standard grid, rows whose
//! content did not change keep their DOM nodes even when the lifting order moves them (a list
//! patched by position would rewrite them in place), so do the table and the attempt bar's
//! flag, and the row that changed shows its new value.

use super::owlcms::{LIFTING_ORDER, sample};
use super::{PATIENCE, Rig, TV, no_errors, text};
use serde_json::json;

/// KVÆRNØ, Kim Aleksander: done lifting, last in the lifting order, neither current nor next.
const CHANGED: &str = "1612142203";
/// NESHEIM, Sindre K.: just before him in the lifting order.
const MOVED: &str = "-2072446646";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_view_update_keeps_the_dom_nodes_of_unchanged_rows() {
    let mut rig = Rig::start().await;
    let page = rig.open("/lifting-order?fop=A", TV).await;
    let row = format!("table.grid tbody tr.athlete:not(.leader)[data-key=\"{CHANGED}\"]");
    page.wait_for("the athlete's row", &format!("!!document.querySelector('{row}')"), PATIENCE).await;
    assert_eq!(text(&page, &format!("{row} td.name")).await, "KVÆRNØ, Kim Aleksander");
    // Tag the nodes with a JS property: a node that is rebuilt comes back without it.
    let tagged = page
        .eval(
            "(() => { const rows = [...document.querySelectorAll('table.grid tbody tr.athlete:not(.leader)')];
               rows.forEach(r => { r.__kept = r.dataset.key; });
               document.querySelector('table.grid').__kept = true;
               const flag = document.querySelector('.attempt-bar img.flag');
               if (flag) flag.__kept = true;
               return [rows.length, !!flag]; })()",
        )
        .await;
    assert!(tagged[0].as_u64().unwrap() >= 4, "{tagged}");
    assert_eq!(tagged[1], json!(true), "the current athlete has a flag: {tagged}");

    // OWLCMS corrects one athlete's first name, and he moves before NESHEIM in the lifting
    // order; nothing else changes.
    let mut update = sample(LIFTING_ORDER);
    let order = update["liftingOrderKeys"].as_array_mut().unwrap();
    let (changed, moved) = (json!(CHANGED.parse::<i64>().unwrap()), json!(MOVED.parse::<i64>().unwrap()));
    let at = order.iter().position(|k| *k == moved).unwrap();
    order.retain(|k| *k != changed);
    order.insert(at, changed);
    let athlete = update["sessionAthletes"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|a| a["athleteKey"] == CHANGED)
        .expect("the athlete is in the session");
    athlete["athlete"]["firstName"] = json!("Kim A.");
    athlete["displayInfo"]["fullName"] = json!("KVÆRNØ, Kim A.");
    rig.owlcms.update(&update).await;
    page.wait_for(
        "the new name",
        &format!("document.querySelector('{row} td.name')?.textContent === 'KVÆRNØ, Kim A.'"),
        PATIENCE,
    )
    .await;

    let rows = page
        .eval(
            "[...document.querySelectorAll('table.grid tbody tr.athlete:not(.leader)')]
               .map(r => [r.dataset.key, r.__kept === r.dataset.key])",
        )
        .await;
    let rows = rows.as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    let position = |key: &str| keys.iter().position(|k| *k == key).unwrap();
    assert_eq!(position(CHANGED) + 1, position(MOVED), "the new lifting order: {keys:?}");
    assert_eq!(rows.len() as u64, tagged[0].as_u64().unwrap(), "same rows: {rows:?}");
    for r in rows.iter().filter(|r| r[0] != CHANGED) {
        assert_eq!(r[1], json!(true), "an unchanged row keeps its node: {rows:?}");
    }
    assert_eq!(page.eval("document.querySelector('table.grid').__kept === true").await, json!(true));
    assert_eq!(
        page.eval("document.querySelector('.attempt-bar img.flag')?.__kept === true").await,
        json!(true),
        "the attempt bar did not change: its flag image is the same node"
    );
    no_errors(&page);
}
