//! Venue behaviours in the browser: the sound cues (Web Audio observed through a stub of the
//! audio nodes injected before the page's own scripts, never by listening) and OWLCMS's
//! ceremonies on public and warm-up boards, driven by real OWLCMS payloads.

use super::owlcms::{LIFTING_ORDER, sample};
use super::{PATIENCE, Rig, TV, no_errors, photograph, screenshots, text};
use crate::cdp::Page;
use serde_json::{Value, json};

/// Replaces `AudioContext` by a recorder: every oscillator started is logged with its
/// frequency and, 50 ms later (after the page's effects of that tick), the clock as shown.
const AUDIO_STUB: &str = r#"
window.__tones = [];
window.__contexts = 0;
class StubParam { constructor(v) { this.value = v; } setValueAtTime(v) { this.value = v; } }
class StubNode { connect(n) { return n; } disconnect() {} }
class StubOscillator extends StubNode {
  constructor() { super(); this.frequency = new StubParam(440); this.type = 'sine'; }
  start(when) {
    const entry = { freq: this.frequency.value, when, clock: null };
    window.__tones.push(entry);
    setTimeout(() => { entry.clock = document.querySelector('[data-clock=athlete]')?.textContent ?? ''; }, 50);
  }
  stop() {}
}
class StubGain extends StubNode { constructor() { super(); this.gain = new StubParam(1); } }
window.AudioContext = class {
  constructor() { window.__contexts++; this.currentTime = 0; this.destination = new StubNode(); this.state = 'running'; }
  createOscillator() { return new StubOscillator(); }
  createGain() { return new StubGain(); }
  resume() { return Promise.resolve(); }
};
"#;

async fn stubbed(rig: &Rig, path: &str) -> Page {
    let page = rig.chrome.page().await;
    page.before_load(AUDIO_STUB).await;
    page.viewport(TV.0, TV.1).await;
    page.goto(&rig.tracker.url(path)).await;
    page
}

/// The tones of frequency `freq` once their clock was read: `[clock, …]`.
async fn tones(page: &Page, freq: u32) -> Vec<String> {
    let js = format!("window.__tones.filter(t => Math.round(t.freq) === {freq} && t.clock !== null).map(t => t.clock)");
    page.eval(&js).await.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_owned()).collect()
}

async fn wait_tones(page: &Page, what: &str, freq: u32, count: usize) -> Vec<String> {
    let js = format!("window.__tones.filter(t => Math.round(t.freq) === {freq} && t.clock !== null).length >= {count}");
    page.wait_for(what, &js, PATIENCE).await;
    tones(page, freq).await
}

async fn start_clock(rig: &mut Rig, remaining_ms: u32, allowed_ms: u32) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    rig.owlcms
        .timer(json!({"athleteTimerEventType": "StartTime", "athleteMillisRemaining": remaining_ms.to_string(),
                      "athleteStartTimeMillis": now.to_string(), "timeAllowed": allowed_ms.to_string()}))
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sound_cues_fire_at_the_clock_thresholds_after_one_tap() {
    let mut rig = Rig::start().await;
    let page = stubbed(&rig, "/lifting-order?fop=A&sound=true").await;
    page.wait_for("sound overlay", "!!document.querySelector('#sound-enable')", PATIENCE).await;
    photograph(&page, "sound-overlay", "!!document.querySelector('#sound-enable')").await;
    page.viewport(TV.0, TV.1).await;
    assert_eq!(page.eval("window.__contexts").await, json!(0), "no audio before the tap");
    page.eval("document.querySelector('#sound-enable').click()").await;
    page.wait_for("overlay gone", "!document.querySelector('#sound-enable') && window.__contexts === 1", PATIENCE)
        .await;

    // A one-minute clock started at 31.5 s: the final warning (30 s) once, as two beeps.
    start_clock(&mut rig, 31_500, 60_000).await;
    let finals = wait_tones(&page, "final warning", 880, 2).await;
    assert_eq!(finals, ["0:30", "0:30"], "final warning at 0:30");
    assert!(tones(&page, 660).await.is_empty(), "a one-minute clock has no initial warning");

    // A two-minute clock at 91.5 s: the initial warning at 1:30 (the jump up is quiet).
    start_clock(&mut rig, 91_500, 120_000).await;
    let initial = wait_tones(&page, "initial warning", 660, 1).await;
    assert_eq!(initial, ["1:30"]);
    assert_eq!(tones(&page, 880).await.len(), 2, "no new final warning on a re-started clock");

    // Time over at 0:00: three tones.
    start_clock(&mut rig, 1_500, 60_000).await;
    let over = wait_tones(&page, "time over", 440, 3).await;
    assert_eq!(over, ["0:00", "0:00", "0:00"]);

    // The referees' down signal.
    rig.owlcms.decision(json!({"decisionEventType": "DOWN_SIGNAL", "down": "true"})).await;
    wait_tones(&page, "down signal", 1320, 1).await;
    let all = page.eval("window.__tones.length").await;
    assert_eq!(all, json!(2 + 1 + 3 + 1), "no other tone: {}", page.eval("JSON.stringify(window.__tones)").await);
    no_errors(&page);

    // Never on overlays, never without the option.
    let overlay = stubbed(&rig, "/attempt-bar?fop=A&sound=true").await;
    let quiet = stubbed(&rig, "/lifting-order?fop=A").await;
    for p in [&overlay, &quiet] {
        p.wait_for("drawn", "!!document.querySelector('.attempt-bar')", PATIENCE).await;
        assert!(p.eval("!document.querySelector('#sound-enable')").await.as_bool().unwrap());
    }
}

/// The captured update, turned into OWLCMS's ceremony update (same session and athletes).
fn ceremony(kind: &str, edge: &str) -> Value {
    let mut payload = sample(LIFTING_ORDER);
    let fields = json!({"uiEvent": if edge == "ceremonyStarted" { "CeremonyStarted" } else { "CeremonyDone" },
        "fopState": "BREAK", "break": "true", "breakType": "CEREMONY", "mode": "CEREMONY",
        "ceremonyType": kind, "ceremonyEventType": edge, "ceremonyCategory": "SM >109",
        "ceremonySession": payload["sessionName"].clone()});
    payload.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    payload
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceremony_switches_public_boards_and_leaves_warm_up_boards() {
    let mut rig = Rig::start().await;
    let public = rig.open("/lifting-order?fop=A", TV).await;
    let warmup = rig.open("/lifting-order?fop=A&warmup=true", TV).await;
    for page in [&public, &warmup] {
        page.wait_for(
            "grid",
            "document.querySelector('tr.current td.name')?.textContent === 'KJELLEVAND, Jørgen'",
            PATIENCE,
        )
        .await;
    }

    // Medals of SM >109: OWLCMS's places of the session (HOLME 1st, KJELLEVAND 2nd).
    rig.owlcms.update(&ceremony("MEDALS", "ceremonyStarted")).await;
    public.wait_for("medal ceremony", "!!document.querySelector('.ceremony[data-ceremony=MEDALS]')", PATIENCE).await;
    let medallists = public
        .eval("[...document.querySelectorAll('.medallists li')].map(l => l.dataset.place + ' ' + l.querySelector('.medal-name').textContent)")
        .await;
    assert_eq!(medallists, json!(["1 HOLME, Ragnar G.", "2 KJELLEVAND, Jørgen"]));
    assert_eq!(text(&public, ".ceremony-category").await, "SM >109");
    assert_eq!(text(&public, ".ceremony-title").await, "Medal Ceremony");
    assert!(public.eval("!document.querySelector('table')").await.as_bool().unwrap(), "the grid gives way");
    photograph(&public, "ceremony-medals", "!!document.querySelector('.medallists')").await;
    public.viewport(TV.0, TV.1).await;
    // The warm-up board keeps the lifting order.
    assert!(warmup.eval("!document.querySelector('.ceremony')").await.as_bool().unwrap());
    assert_eq!(text(&warmup, "tr.current td.name").await, "KJELLEVAND, Jørgen");

    // The introduction: the session's athletes in start order.
    rig.owlcms.update(&ceremony("INTRODUCTION", "ceremonyStarted")).await;
    public
        .wait_for(
            "introduction",
            "document.querySelectorAll('.ceremony[data-ceremony=INTRODUCTION] .introduced li').length === 4",
            PATIENCE,
        )
        .await;
    photograph(&public, "ceremony-introduction", "!!document.querySelector('.introduced')").await;
    assert!(warmup.eval("!document.querySelector('.ceremony')").await.as_bool().unwrap());

    // Ceremony done, lifting again: the public board is the grid again.
    rig.owlcms.update(&ceremony("MEDALS", "ceremonyDone")).await;
    rig.owlcms.update(&sample(LIFTING_ORDER)).await;
    public
        .wait_for(
            "grid back",
            "!document.querySelector('.ceremony') && !!document.querySelector('tr.current')",
            PATIENCE,
        )
        .await;
    public.screenshot(&screenshots().join("ceremony-done-tv.png")).await;
    no_errors(&public);
    no_errors(&warmup);
}
