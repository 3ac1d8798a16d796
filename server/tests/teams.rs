//! Team plugins against a real server fed a small competition built by hand, so that every
//! expected place, team point and team score is worked out here: two teams of four men and one
//! man who is not a team member, in championship "Senior" (no `championships[]` settings: every
//! team member counts, R5.6; the competition's `mensTeamSize` 3 is the legacy setting, used
//! here through the `topMen` option). Session S1 is done, S2 (Amundsen) is not: his points are
//! live only. Then a live session update changes a result and both the team scoreboard and the
//! competition-wide team rankings follow.

mod common;

use common::*;
use owlcms_tracker::scoring::{Gender, SinclairYear, sinclair};
use serde_json::{Value, json};

const ZULU: i64 = 1;
const ALPHA: i64 = 2;

/// One lifter: key, name, team, category (SM_M<max>), body weight, snatches, clean & jerks
/// (negative = failed), team member, session.
struct Lifter(i64, &'static str, i64, i64, f64, [i64; 3], [i64; 3], bool, &'static str);

const LIFTERS: [Lifter; 9] = [
    // SM 81: a1 300 (1st, 28), b1 290 (2nd, 25), a2 280 (3rd, 23), b2 bombs the snatch (no place).
    Lifter(11, "Aaberg", ZULU, 81, 80.5, [130, 135, -140], [160, 165, -170], true, "S1"),
    Lifter(21, "Berg", ALPHA, 81, 79.9, [125, 130, -135], [155, 160, -165], true, "S1"),
    Lifter(12, "Aas", ZULU, 81, 78.2, [120, 125, -130], [150, 155, -160], true, "S1"),
    Lifter(22, "Bø", ALPHA, 81, 80.0, [-120, -120, -120], [150, 155, 160], true, "S1"),
    // SM 89: a3 310 (1st, 28), b3 300 (2nd, 25), b4 295 (3rd, 23), a4 290 (4th, 22).
    Lifter(13, "Aune", ZULU, 89, 88.1, [135, 140, -145], [165, 170, -175], true, "S1"),
    Lifter(23, "Brekke", ALPHA, 89, 87.0, [130, 135, -140], [160, 165, -170], true, "S1"),
    Lifter(24, "Bakke", ALPHA, 89, 85.5, [125, 130, -135], [160, 165, -170], true, "S1"),
    Lifter(14, "Amundsen", ZULU, 89, 86.2, [120, 125, -130], [160, 165, -170], true, "S2"),
    // SM 96: first place, but not a team member: no team points, never counted.
    Lifter(15, "Andersen", ZULU, 96, 95.0, [150, 155, 160], [180, 185, 190], false, "S1"),
];

fn athlete(l: &Lifter) -> Value {
    let mut a = json!({
        "key": l.0, "lastName": l.1, "firstName": "Ola", "gender": "M", "bodyWeight": l.4,
        "categoryCode": format!("SM_M{}", l.3), "team": l.2, "fullBirthDate": [1995, 5, 5],
        "startNumber": l.0, "lotNumber": l.0, "sessionName": l.8,
        "participations": [{"categoryCode": format!("SM_M{}", l.3), "teamMember": l.7}],
    });
    for (i, (s, c)) in l.5.iter().zip(l.6.iter()).enumerate() {
        a[format!("snatch{}ActualLift", i + 1)] = json!(s);
        a[format!("cleanJerk{}ActualLift", i + 1)] = json!(c);
    }
    a
}

fn database() -> Value {
    let categories: Vec<Value> = [81, 89, 96]
        .iter()
        .map(|max| json!({"maximumWeight": max, "gender": "M", "categoryName": format!("SM {max}"), "active": true}))
        .collect();
    json!({
        "formatVersion": "2.0",
        "competition": {"competitionName": "Team Cup", "competitionDate": [2025, 6, 1], "mensTeamSize": 3,
                        "womensTeamSize": 3, "sinclairYear": 2024, "snatchCJTotalMedals": false},
        "ageGroups": [{"code": "SM", "championshipName": "Senior", "championshipType": "IWF", "gender": "M",
                       "active": true, "categories": categories}],
        "teams": [{"id": ZULU, "name": "Zulu WC"}, {"id": ALPHA, "name": "Alpha BC"}],
        "sessions": [{"name": "S1", "platformName": "A", "done": true}, {"name": "S2", "platformName": "A", "done": false}],
        "platforms": [{"name": "A"}],
        "athletes": LIFTERS.iter().map(athlete).collect::<Vec<_>>(),
        "records": [],
    })
}

async fn competition() -> (TestServer, Owlcms) {
    TestServer::with_database(&database()).await
}

async fn view(t: &TestServer, query: &str) -> Value {
    t.view_envelope(query).await["view"].clone()
}

/// (team, score, rank, counted athletes' last names) in view order.
fn teams(view: &Value) -> Vec<(String, String, u64, Vec<String>)> {
    view["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|team| {
            let counted = team["athletes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["counted"] == true)
                .map(|a| a["name"].as_str().unwrap().split(',').next().unwrap().to_owned())
                .collect();
            (
                team["name"].as_str().unwrap().to_owned(),
                team["score"].as_str().unwrap().to_owned(),
                team["rank"].as_u64().unwrap(),
                counted,
            )
        })
        .collect()
}

fn team(name: &str, score: &str, rank: u64, counted: &[&str]) -> (String, String, u64, Vec<String>) {
    (name.to_owned(), score.to_owned(), rank, counted.iter().map(|s| s.to_uppercase()).collect())
}

#[tokio::test]
async fn team_points_follow_the_championship_and_the_options() {
    let (t, _owlcms) = competition().await;
    // The championship's rule: every man counts. Zulu: Aune 28 (SM 89 1st, 310 beats Aaberg's
    // 300 at rank 1), Aaberg 28, Aas 23, and Amundsen's 22 (4th) live only: 79 (live 101).
    // Alpha: Brekke 25 (2nd, 300), Berg 25 (2nd, 290), Bakke 23, Bø 0 (bomb-out, last) = 73.
    let v = view(&t, "plugin=team-scoreboard&fop=A&gender=M").await;
    assert_eq!((v["gender"].clone(), v["championship"].clone()), (json!("M"), json!("Senior")));
    assert_eq!(v["rule"], "all men, team points");
    assert_eq!(v["title"], "Team Results – Senior – Men");
    assert_eq!(
        teams(&v),
        vec![
            team("Zulu WC", "79 (live 101)", 1, &["Aune", "Aaberg", "Aas", "Amundsen"]),
            team("Alpha BC", "73", 2, &["Brekke", "Berg", "Bakke", "Bø"]),
        ]
    );
    // topMen=3 (the legacy team size): the best three by rank, all of S1: 79 and 73.
    let three = view(&t, "plugin=team-scoreboard&fop=A&gender=M&topMen=3").await;
    assert_eq!(three["rule"], "best 3 men, team points");
    assert_eq!(
        teams(&three),
        vec![
            team("Zulu WC", "79", 1, &["Aune", "Aaberg", "Aas"]),
            team("Alpha BC", "73", 2, &["Brekke", "Berg", "Bakke"]),
        ]
    );
    let zulu = three["teams"][0]["athletes"].as_array().unwrap();
    let names: Vec<&str> = zulu.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["AUNE, Ola", "AABERG, Ola", "AAS, Ola", "AMUNDSEN, Ola", "ANDERSEN, Ola"], "counted first");
    let andersen = &zulu[4];
    assert_eq!((andersen["points"].clone(), andersen["counted"].clone()), (json!("0"), json!(false)));
    assert_eq!((zulu[3]["points"].clone(), zulu[3]["counted"].clone()), (json!("22"), json!(false)));
    assert_eq!(zulu[1]["snatch"][2], json!({"value": 140, "status": "bad", "text": "(140)"}));
    assert_eq!(zulu[1]["total"], "300");
    // Fixed order: by team name, ranks unchanged.
    let fixed = view(&t, "plugin=team-scoreboard&fop=A&gender=M&order=fixed").await;
    assert_eq!(
        teams(&fixed).iter().map(|t| (t.0.as_str(), t.2)).collect::<Vec<_>>(),
        [("Alpha BC", 2), ("Zulu WC", 1)]
    );
    // Two counted per team: Zulu 28 + 28, Alpha 25 + 25.
    let two = view(&t, "plugin=team-scoreboard&fop=A&gender=M&topMen=2").await;
    assert_eq!(teams(&two)[0].1, "56");
    assert_eq!(teams(&two)[1].1, "50");
    assert!(view(&t, "plugin=team-scoreboard&fop=A&gender=F").await["teams"].as_array().unwrap().is_empty());
    let mixed = view(&t, "plugin=team-scoreboard&fop=A&gender=MF").await;
    assert_eq!(mixed["countingLabel"], "no mixed teams in this championship");
}

#[tokio::test]
async fn a_score_system_sums_the_best_scores() {
    let (t, _owlcms) = competition().await;
    let v = view(&t, "plugin=team-scoreboard&fop=A&gender=M&scoring=sinclair&topMen=3").await;
    assert_eq!(v["rule"], "best 3 men, Sinclair 2024");
    // The expected sums, from the engine's Sinclair of each lifter: confirmed = best 3 of the
    // finished session S1, live = best 3 of everyone.
    let score = |l: &Lifter| {
        let best = |lifts: &[i64; 3]| lifts.iter().copied().filter(|w| *w > 0).max().unwrap_or(0);
        let (s, c) = (best(&l.5), best(&l.6));
        let total = if s > 0 && c > 0 { s + c } else { 0 };
        sinclair(total as f64, l.4, Gender::Male, SinclairYear::Y2024)
    };
    let best3 = |team_id: i64, done_only: bool| {
        let mut scores: Vec<f64> =
            LIFTERS.iter().filter(|l| l.2 == team_id && l.7 && (!done_only || l.8 == "S1")).map(score).collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        format!("{:.2}", scores.iter().take(3).sum::<f64>())
    };
    let shown = |team_id: i64| {
        let (confirmed, live) = (best3(team_id, true), best3(team_id, false));
        if confirmed == live { confirmed } else { format!("{confirmed} (live {live})") }
    };
    let got: Vec<(String, String)> = teams(&v).into_iter().map(|t| (t.0, t.1)).collect();
    let mut want = vec![("Zulu WC".to_owned(), shown(ZULU)), ("Alpha BC".to_owned(), shown(ALPHA))];
    let confirmed = |s: &str| s.split(' ').next().unwrap().parse::<f64>().unwrap();
    want.sort_by(|a, b| confirmed(&b.1).total_cmp(&confirmed(&a.1)));
    assert_eq!(got, want);
    assert_eq!(v["showPredicted"], true);
    let zulu = v["teams"].as_array().unwrap().iter().find(|t| t["name"] == "Zulu WC").unwrap();
    assert_eq!(zulu["predicted"], json!(best3(ZULU, false)), "every attempt is taken: predicted = live");
    assert_eq!(v["headers"]["teamScore"], "Sinclair");
    // The bomb-out rule: with "any lift counts" Bø's 160 clean & jerk scores for Alpha.
    let any = view(&t, "plugin=team-scoreboard&fop=A&gender=M&scoring=sinclair&enforceBombout=false").await;
    let bo = |v: &Value| {
        let alpha = v["teams"].as_array().unwrap().iter().find(|t| t["name"] == "Alpha BC").unwrap().clone();
        alpha["athletes"].as_array().unwrap().iter().find(|a| a["name"] == "BØ, Ola").unwrap()["score"].clone()
    };
    assert_eq!(bo(&v), "-");
    let bo_lifter = LIFTERS.iter().find(|l| l.1 == "Bø").unwrap();
    let expected = sinclair(160.0, bo_lifter.4, Gender::Male, SinclairYear::Y2024);
    assert_eq!(bo(&any), json!(format!("{expected:.3}")));
}

fn session_update(total_cj3: i64) -> Value {
    let amundsen = LIFTERS.iter().find(|l| l.1 == "Amundsen").unwrap();
    let mut record = athlete(amundsen);
    record["cleanJerk3ActualLift"] = json!(total_cj3);
    json!({
        "fop": "A", "uiEvent": "LiftingOrderUpdated", "fopState": "CURRENT_ATHLETE_DISPLAYED", "sessionName": "S2",
        "currentAthleteKey": 14, "startOrderKeys": [14], "liftingOrderKeys": [14],
        "sessionAthletes": [{"athleteKey": "14", "athlete": record,
                             "displayInfo": {"fullName": "AMUNDSEN, Ola", "teamName": "Zulu WC", "category": "SM 89"}}],
    })
}

#[tokio::test]
async fn live_session_results_override_the_database_everywhere() {
    let (t, mut owlcms) = competition().await;
    let mut rankings = SseClient::connect(&t.http("/api/stream?plugin=team-rankings"), None).await;
    let (first, _) = rankings.next_of("view").await;
    let standings = |v: &Value| -> Vec<(String, String)> {
        v["view"]["pages"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["team"].as_str().unwrap().to_owned(), r["score"].as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(first["view"]["pages"][0]["championship"], "Senior");
    // By default the rankings follow the championship's rules: "Senior" has no settings, so every
    // team member counts, and only finished sessions are confirmed. Zulu: Aaberg 28 + Aas 23 +
    // Aune 28 = 79, with Amundsen's 4th place (22, session S2 still lifting) live only: 101.
    // Alpha: Berg 25 + Bø 0 + Brekke 25 + Bakke 23 = 73.
    assert_eq!(first["view"]["pages"][0]["genderLabel"], "Men (all men, team points)");
    assert_eq!(
        standings(&first),
        [("Zulu WC".to_owned(), "79 (live 101)".to_owned()), ("Alpha BC".to_owned(), "73".to_owned())]
    );
    let builds = || async { t.health().await.1["views"]["rosterBuilds"].as_u64().unwrap() };
    let before = builds().await;
    // Amundsen's last clean & jerk (180) in the running session: 305, 2nd in SM 89 (25 points).
    owlcms.request("update", &session_update(180)).await;
    let v = view(&t, "plugin=team-scoreboard&fop=A&gender=Current").await;
    assert_eq!(v["gender"], "M", "the current session is all men");
    // Amundsen 2nd (25, live only) pushes Brekke to 3rd (23) and Bakke to 4th (22).
    assert_eq!(
        teams(&v),
        vec![
            team("Zulu WC", "79 (live 104)", 1, &["Aune", "Aaberg", "Amundsen", "Aas"]),
            team("Alpha BC", "70", 2, &["Berg", "Brekke", "Bakke", "Bø"]),
        ]
    );
    let amundsen = v["teams"][0]["athletes"].as_array().unwrap().iter().find(|a| a["name"] == "AMUNDSEN, Ola").unwrap();
    assert_eq!((amundsen["current"].clone(), amundsen["total"].clone()), (json!(true), json!("305")));
    // The rankings view has no FOP, yet follows the FOP's change.
    let (next, _) = rankings.next_of("view").await;
    // Amundsen 2nd (25, live only) pushes Brekke to 3rd (23) and Bakke to 4th (22): Alpha 70.
    assert_eq!(
        standings(&next),
        [("Zulu WC".to_owned(), "79 (live 104)".to_owned()), ("Alpha BC".to_owned(), "70".to_owned())]
    );
    // Options override the championship: best 3 by rank — Zulu Aune 28, Aaberg 28 and
    // Amundsen 25 (live only): 56 (live 81); Alpha Berg 25, Brekke 23, Bakke 22 = 70, first on
    // confirmed points (R5.8).
    let chosen = view(&t, "plugin=team-rankings&scoring=teamPoints&topMen=3").await;
    assert_eq!(chosen["pages"][0]["genderLabel"], "Men (best 3 men, team points)");
    let chosen = json!({"view": chosen});
    assert_eq!(
        standings(&chosen),
        [("Alpha BC".to_owned(), "70".to_owned()), ("Zulu WC".to_owned(), "56 (live 81)".to_owned())]
    );
    let women = view(&t, "plugin=team-rankings&gender=F").await;
    assert!(women["pages"].as_array().unwrap().is_empty(), "no women's teams: {women}");
    assert_eq!(builds().await, before + 1, "one roster per data change, shared by every view");
    let input: Value =
        reqwest::get(t.http("/api/view?plugin=team-rankings&debug=input")).await.unwrap().json().await.unwrap();
    let places: Vec<(String, Value, Value)> = input["competitionAthletes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["lastName"].as_str().unwrap().to_owned(), a["place"].clone(), a["teamPoints"].clone()))
        .collect();
    assert!(places.contains(&("Amundsen".into(), json!(2), json!(25))), "{places:?}");
    assert!(places.contains(&("Bø".into(), Value::Null, json!(0))), "a bomb-out has no place: {places:?}");
    assert!(places.contains(&("Andersen".into(), json!(1), json!(0))), "not a team member: {places:?}");
}
