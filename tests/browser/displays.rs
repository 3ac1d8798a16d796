//! Athlete-facing and jury displays, the top-score board, and the client's own texts in
//! French (OWLCMS's translations where a key exists) and Norwegian (the built-in table: the
//! test translations have no Norwegian, so the server answers `lang=no` in English).

use super::{PATIENCE, Rig, TV, no_errors, photograph, text};
use crate::cdp::Page;
use serde_json::json;

/// The referees' numbers left to right on screen, with each one's light.
async fn referees_left_to_right(page: &Page) -> serde_json::Value {
    page.eval(
        "[...document.querySelectorAll('.referee')]
           .map(r => [r.getBoundingClientRect().left, r.dataset.ref, r.querySelector('.light').className])
           .sort((a, b) => a[0] - b[0]).map(r => r[1] + ' ' + r[2])",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mirrored_lights_for_athletes_and_the_jury_board() {
    let mut rig = Rig::start().await;
    let athletes = rig.open("/athlete-decisions?fop=A", TV).await;
    let jury = rig.open("/jury-board?fop=A", TV).await;
    athletes.wait_for("athlete-facing board", "!!document.querySelector('.decisions.mirrored')", PATIENCE).await;
    jury.wait_for("jury board", "!!document.querySelector('.decisions.jury-board .da-name')", PATIENCE).await;
    assert_eq!(text(&jury, ".da-name").await, "KJELLEVAND, Jørgen");

    // Referees 1 and 2 have decided (OWLCMS does not show it yet): the jury sees it, the
    // athletes do not.
    rig.owlcms
        .decision(
            json!({"decisionEventType": "initialDecision", "d1": "true", "d2": "false", "decisionsVisible": "false"}),
        )
        .await;
    jury.wait_for("jury sees referee 2", "!!document.querySelector('.referee[data-ref=\"2\"] .light.bad')", PATIENCE)
        .await;
    assert_eq!(
        referees_left_to_right(&jury).await,
        json!(["1 light good", "2 light bad", "3 light pending"]),
        "the jury board is in referee order"
    );
    assert_eq!(
        jury.eval("[...document.querySelectorAll('.ref-label')].map(l => l.textContent)").await,
        json!(["Referee 1", "Referee 2", "Referee 3"])
    );
    assert!(athletes.eval("!document.querySelector('.decision-lights')").await.as_bool().unwrap());

    // The full decision, shown: the athletes see referee 3 on their left.
    rig.owlcms
        .decision(json!({"decisionEventType": "FULL_DECISION", "d1": "true", "d2": "false", "d3": "false", "decisionsVisible": "true"}))
        .await;
    athletes.wait_for("lights", "document.querySelectorAll('.decision-lights .light').length === 3", PATIENCE).await;
    assert_eq!(
        referees_left_to_right(&athletes).await,
        json!(["3 light bad", "2 light bad", "1 light good"]),
        "mirrored: referee 3 on the left"
    );
    // A tab in the background is not painted: bring it to the front for its screenshots.
    athletes.call("Page.bringToFront", json!({})).await;
    photograph(&athletes, "athlete-decisions", "document.querySelectorAll('.decision-lights .light').length === 3")
        .await;

    // The jury's own decision.
    rig.owlcms
        .decision(json!({"decisionEventType": "JURY_DECISION", "juryDecision": "GOOD_LIFT", "juryReversal": "true"}))
        .await;
    jury.wait_for("jury decision", "!!document.querySelector('.decisions-jury .jury.good')", PATIENCE).await;
    jury.call("Page.bringToFront", json!({})).await;
    photograph(&jury, "jury-board", "!!document.querySelector('.decisions-jury .jury.good')").await;

    // Not mirrored on request (a display on the referees' side).
    let plain = rig.open("/athlete-decisions?fop=A&mirrored=false", TV).await;
    plain.wait_for("lights", "document.querySelectorAll('.decision-lights .light').length === 3", PATIENCE).await;
    assert_eq!(referees_left_to_right(&plain).await, json!(["1 light good", "2 light bad", "3 light bad"]));
    for page in [&athletes, &jury, &plain] {
        no_errors(page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_scores_by_gender_against_the_served_view() {
    let rig = Rig::start().await;
    let view: serde_json::Value =
        reqwest::get(rig.tracker.url("/api/view?plugin=top-scores&count=3")).await.unwrap().json().await.unwrap();
    let rows = view["view"]["rows"].as_array().unwrap().clone();
    assert!(!rows.is_empty(), "scored athletes: {view}");
    let page = rig.open("/top-scores?count=3", TV).await;
    page.wait_for("table", "document.querySelectorAll('tbody tr').length > 0", PATIENCE).await;
    let shown = page.eval("document.querySelectorAll('tbody tr').length").await;
    assert_eq!(shown, json!(rows.len()));
    // Best first within each gender, at most three each.
    let mut by_gender: Vec<Vec<f64>> = Vec::new();
    for row in &rows {
        if !row[0].as_str().unwrap_or_default().is_empty() {
            by_gender.push(Vec::new());
        }
        by_gender.last_mut().unwrap().push(row[6].as_str().unwrap().parse().unwrap());
    }
    for scores in &by_gender {
        assert!(scores.len() <= 3 && scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }
    photograph(&page, "top-scores", "document.querySelectorAll('tbody tr').length > 0").await;
    no_errors(&page);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_texts_in_french_and_norwegian() {
    let rig = Rig::start().await;
    // French: OWLCMS's words where it has a key ("Plateforme", "Fermer"), built in otherwise.
    let fr = rig.open("/?lang=fr", TV).await;
    fr.wait_for(
        "French platform links",
        "document.querySelector('.card[data-plugin=\"lifting-order\"] .fop-link')?.textContent === 'Plateforme A'",
        PATIENCE,
    )
    .await;
    assert_eq!(fr.eval("document.documentElement.lang").await, json!("fr"));
    assert!(text(&fr, "#tagline").await.starts_with("Tableaux en direct pour OWLCMS"));
    fr.eval("document.querySelector('.card[data-plugin=\"lifting-order\"] .options-btn').click()").await;
    fr.wait_for("dialog", "!!document.querySelector('.dialog')", PATIENCE).await;
    assert_eq!(text(&fr, ".dialog-buttons button.secondary").await, "Fermer");
    assert_eq!(text(&fr, "#options-open").await, "Ouvrir");
    assert_eq!(text(&fr, "label.field span").await, "Plateforme (FOP)");
    photograph(&fr, "landing-fr", "!!document.querySelector('.dialog')").await;
    let print = rig.open("/results-protocol?fop=A&lang=fr", TV).await;
    print
        .wait_for("print button", "document.querySelector('.print-button')?.textContent === 'Imprimer'", PATIENCE)
        .await;
    let sound = rig.open("/attempt-board?fop=A&lang=fr&sound=true", TV).await;
    sound
        .wait_for(
            "sound overlay in French",
            "document.querySelector('.sound-title')?.textContent === 'Émettre avertissements sonores'",
            PATIENCE,
        )
        .await;

    // Norwegian: no OWLCMS table here, the built-in one.
    let no = rig.open("/?lang=no", TV).await;
    no.wait_for(
        "Norwegian platform links",
        "document.querySelector('.card[data-plugin=\"lifting-order\"] .fop-link')?.textContent === 'Plattform A'",
        PATIENCE,
    )
    .await;
    no.eval("document.querySelector('.card[data-plugin=\"lifting-order\"] .options-btn').click()").await;
    no.wait_for("dialog", "!!document.querySelector('.dialog')", PATIENCE).await;
    assert_eq!(text(&no, ".dialog-buttons button.secondary").await, "Lukk");
    assert_eq!(
        no.eval("[...document.querySelectorAll('label.field span')].map(s => s.textContent).slice(0, 2)").await,
        json!(["Plattform (FOP)", "Språk"])
    );
    photograph(&no, "landing-no", "!!document.querySelector('.dialog')").await;
    let board = rig.open("/lifting-order?fop=A&lang=no&sound=true", TV).await;
    board
        .wait_for(
            "sound overlay in Norwegian",
            "document.querySelector('.sound-title')?.textContent === 'Spill av varsellyder'",
            PATIENCE,
        )
        .await;
    let print = rig.open("/results-protocol?fop=A&lang=no", TV).await;
    print
        .wait_for("print button", "document.querySelector('.print-button')?.textContent === 'Skriv ut'", PATIENCE)
        .await;
    for page in [&fr, &print, &sound, &no, &board] {
        no_errors(page);
    }
    // The server goes away: "reconnecting…" in Norwegian.
    let Rig { tracker, owlcms, chrome: _chrome, plugins: _plugins } = rig;
    drop(owlcms);
    drop(tracker);
    board
        .wait_for(
            "Norwegian marker",
            "document.querySelector('.conn-marker')?.textContent === 'kobler til på nytt…'",
            PATIENCE,
        )
        .await;
}
