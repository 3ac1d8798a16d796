//! A view update patches the page instead of rebuilding it: in the standard grid, rows whose
//! content did not change keep their DOM nodes (so do the table and the attempt bar's flag),
//! and only the row that changed is redrawn with its new value.

use super::owlcms::{LIFTING_ORDER, sample};
use super::{PATIENCE, Rig, TV, no_errors, text};
use serde_json::json;

/// KVÆRNØ, Kim Aleksander: done lifting, neither current nor next.
const CHANGED: &str = "1612142203";

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

    // OWLCMS corrects one athlete's first name; nothing else changes.
    let mut update = sample(LIFTING_ORDER);
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
    assert_eq!(rows.len() as u64, tagged[0].as_u64().unwrap(), "same rows: {rows:?}");
    for r in rows {
        let (key, kept) = (r[0].as_str().unwrap(), r[1].as_bool().unwrap());
        assert_eq!(kept, key != CHANGED, "row {key}: kept {kept} (only the changed row is redrawn): {rows:?}");
    }
    assert_eq!(page.eval("document.querySelector('table.grid').__kept === true").await, json!(true));
    assert_eq!(
        page.eval("document.querySelector('.attempt-bar img.flag')?.__kept === true").await,
        json!(true),
        "the attempt bar did not change: its flag image is the same node"
    );
    no_errors(&page);
}
