//! The browser side of the sound cues (see `sound`): the one-tap "enable sound" overlay that
//! browsers require before a page may play audio, and the Web Audio tones.

use crate::live::Live;
use crate::sound::{Cue, CueTracker, reading};
use crate::texts::t;
use leptos::prelude::*;
use web_sys::AudioContext;

/// Loudness of the tones (0–1): audible in a hall without clipping small speakers.
const VOLUME: f32 = 0.4;

/// Plays the cues of `live`'s clock and decisions while `wanted` (the board asked for
/// sound); shows the overlay until someone taps it.
pub fn sound_cues(live: Live, wanted: Memo<bool>) -> impl IntoView {
    let context: StoredValue<Option<AudioContext>, LocalStorage> = StoredValue::new_local(None);
    let enabled = RwSignal::new(false);
    let tracker = StoredValue::new(CueTracker::default());
    let play_cue = move |cue: Option<Cue>| {
        if let Some(cue) = cue {
            context.with_value(|c| c.as_ref().map(|c| play(c, cue)));
        }
    };
    // Every clock tick: a threshold crossed since the last one? Readings are taken even
    // before sound is enabled, so enabling it mid-countdown does not fire a stale cue.
    Effect::new(move |_| {
        if !wanted.get() {
            return;
        }
        let now = live.now.get();
        let now = live.clock.with(|c| c.as_ref().map(|c| reading(c, now)));
        play_cue(tracker.try_update_value(|t| t.clock(now)).flatten());
    });
    Effect::new(move |first: Option<()>| {
        let down = live.decision.with(|d| d.as_ref().is_some_and(|d| d.down));
        if wanted.get() {
            play_cue(tracker.try_update_value(|t| t.down(down, first.is_none())).flatten());
        }
    });
    let enable = move |_| {
        // Created inside the tap: browsers only let a page start audio from a user gesture.
        if let Ok(c) = AudioContext::new() {
            let _ = c.resume();
            context.set_value(Some(c));
        }
        enabled.set(true);
    };
    move || {
        // The speaker is drawn, not an emoji: TV browsers often lack an emoji font.
        (wanted.get() && !enabled.get()).then(|| {
            view! {
                <button class="sound-overlay" type="button" id="sound-enable" on:click=enable>
                    <svg class="sound-icon" viewBox="0 0 24 24" aria-hidden="true">
                        <path d="M3 9h4l5-4v14l-5-4H3z" fill="currentColor" />
                        <path d="M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12" stroke="currentColor" stroke-width="2" fill="none" stroke-linecap="round" />
                    </svg>
                    <span class="sound-title">{move || t("sound")}</span>
                    <span class="sound-tap">{t("soundTap")}</span>
                </button>
            }
        })
    }
}

/// Schedules the tones of `cue` on `context`.
fn play(context: &AudioContext, cue: Cue) {
    let start = context.current_time();
    for &(frequency, at, duration) in cue.tones() {
        let (Ok(oscillator), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else { return };
        oscillator.frequency().set_value(frequency);
        gain.gain().set_value(VOLUME);
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&context.destination());
        let _ = oscillator.start_with_when(start + at);
        let _ = oscillator.stop_with_when(start + at + duration);
    }
}
