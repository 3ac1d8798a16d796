//! The records section of the standard grid in the browser (behaviour rule R7): open-ended
//! categories read `+109`, the athlete's personal bests stand apart from the federations'
//! records, and OWLCMS's record message shows while the athlete lifts.

use super::owlcms::{LIFTING_ORDER, sample};
use super::{PATIENCE, Rig, TV, no_errors, photograph, text};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_show_personal_bests_apart_and_the_record_message() {
    let mut rig = Rig::start().await;
    let page = rig.open("/lifting-order?fop=A", TV).await;
    page.wait_for("records", "!!document.querySelector('.records-table')", PATIENCE).await;
    let records = json!({"recordNames": ["Norgesrekord"], "recordTable": [
        {"cat": "SM >109", "records": [{"SNATCH": 165, "CLEANJERK": 208, "TOTAL": 369, "totalHighlight": "highlight"}], "recordClass": "recordBox"},
        {"cat": "Personlig rekord", "records": [{"SNATCH": 131, "CLEANJERK": 170, "TOTAL": 300}], "recordClass": "recordBoxPersonal"}]});
    let mut update = sample(LIFTING_ORDER);
    update["records"] = json!(records.to_string());
    update["recordKind"] = json!("attempt");
    update["recordMessage"] = json!("Rekordforsøk");
    rig.owlcms.update(&update).await;
    page.wait_for("personal bests", "!!document.querySelector('.personal-best')", PATIENCE).await;
    assert_eq!(text(&page, ".records-table th.rec-cat").await, "SM +109", "one column group, relabelled");
    let pb = text(&page, ".personal-best").await;
    assert!(pb.contains("Personlig rekord") && pb.contains("300"), "{pb}");
    assert!(!text(&page, ".records-table").await.contains("Personlig"), "not a federation's column");
    assert_eq!(text(&page, ".record-notice.attempt").await, "Rekordforsøk");
    assert_eq!(text(&page, ".records-table .rec.highlight").await, "369", "OWLCMS's \"highlight\" marks the total");
    photograph(&page, "records-personal-best", "!!document.querySelector('.personal-best')").await;
    no_errors(&page);
}
