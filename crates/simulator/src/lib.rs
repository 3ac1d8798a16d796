//! OWLCMS's side of the wire, for the tracker's demo mode, its tests and its benchmark: a
//! simulator that plays OWLCMS for a whole competition against a tracker URL over the real
//! WebSocket protocol — startup data, then every FOP's sessions in parallel with countdowns,
//! clocks, decisions, weight changes, records and jury — at real time, N× or as fast as the
//! tracker answers; a competition generator; replay of learning-mode captures; and the one
//! OWLCMS WebSocket client ([`client`]) that the simulator ([`link`]) and every test suite
//! ([`test_client`]) use.
//!
//! It depends on nothing of the tracker (the tracker binary depends on it): what it shares
//! with the tracker is the protocol, written here from OWLCMS's side ([`wire`]).

pub mod assets;
pub mod client;
pub mod display;
pub mod generator;
pub mod link;
pub mod meet;
pub mod model;
pub mod payload;
pub mod replay;
pub mod session;
pub mod speed;
pub mod test_client;
pub mod wire;

use link::{Link, LinkError, Resends, VERSION};
use meet::Meet;
use parking_lot::Mutex;
use session::Shared;
use speed::Speed;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use tokio_util::sync::CancellationToken;
use tracing::{Instrument, info, info_span};

/// How to run a simulation.
#[derive(Debug, Clone)]
pub struct SimulatorOptions {
    /// Tracker WebSocket URL (`ws://host:8096/ws`).
    pub url: String,
    /// Pace.
    pub speed: Speed,
    /// Seed of the random outcomes (same seed, same competition).
    pub seed: u64,
    /// Update key OWLCMS would send.
    pub update_key: Option<String>,
    /// Start again from the first session when the competition ends.
    pub loop_forever: bool,
    /// Only these FOPs (all when `None`).
    pub fops: Option<Vec<String>>,
    /// At most this many sessions per FOP (all when `None`).
    pub max_sessions: Option<usize>,
    /// One referee instead of three.
    pub single_referee: bool,
}

impl SimulatorOptions {
    /// Options for a URL with defaults: as fast as possible, seed 1, once.
    pub fn new(url: &str) -> SimulatorOptions {
        SimulatorOptions {
            url: url.to_owned(),
            speed: Speed::Max,
            seed: 1,
            update_key: None,
            loop_forever: false,
            fops: None,
            max_sessions: None,
            single_referee: false,
        }
    }
}

/// Plays the competition; returns the meet with its results when done (or stopped).
pub async fn run(meet: Meet, options: SimulatorOptions, shutdown: CancellationToken) -> Result<Meet, LinkError> {
    // What OWLCMS exports before anything is lifted: no results (whatever the source holds).
    let (metadata, database) = assets::database_frames(VERSION, &meet.export());
    let translations = assets::translations_frame(VERSION, &assets::translations_json());
    let flags = assets::flags_frame(VERSION, &meet.teams);
    let empty = |kind: &str| (kind.to_owned(), wire::encode_frame(VERSION, kind, &wire::zip_of(&[])));
    let meet = Arc::new(Mutex::new(meet));
    let resends = Resends {
        metadata: metadata.clone(),
        database: database.clone(),
        meet: Some(meet.clone()),
        translations: translations.clone(),
        flags: flags.clone(),
        empty: vec![empty("logos_zip"), empty("pictures_zip")],
    };
    let link = Link::connect(&options.url, resends, options.update_key.clone()).await?;
    info!(url = %options.url, speed = ?options.speed, fops = ?meet.lock().sessions.keys().collect::<Vec<_>>(), "simulated OWLCMS connected");
    // OWLCMS's startup sequence on every connection. Later, platforms move from session to
    // session without the database being sent again, as OWLCMS does (behaviour rule R1).
    link.raw_text(with_key(&metadata, &options.update_key)).await?;
    link.binary(database).await?;
    link.binary(translations).await?;
    link.binary(flags).await?;
    let shared = Shared {
        meet,
        link,
        speed: options.speed,
        lift_seq: Arc::new(AtomicU64::new(0)),
        update_key: options.update_key.clone(),
        single_referee: options.single_referee,
    };
    let mut round = 0u64;
    loop {
        let plan: Vec<(String, Vec<String>)> = shared
            .meet
            .lock()
            .sessions
            .iter()
            .filter(|(fop, _)| options.fops.as_ref().is_none_or(|f| f.contains(fop)))
            .map(|(fop, sessions)| {
                (fop.clone(), sessions.iter().take(options.max_sessions.unwrap_or(usize::MAX)).cloned().collect())
            })
            .collect();
        let tasks: Vec<_> = plan
            .into_iter()
            .enumerate()
            .map(|(i, (fop, sessions))| {
                let span = info_span!("simulated_fop", fop = %fop);
                let seed = options.seed.wrapping_add(round * 1000 + i as u64);
                tokio::spawn(session::run_fop(shared.clone(), fop, sessions, seed).instrument(span))
            })
            .collect();
        let all = futures_util::future::join_all(tasks);
        tokio::select! {
            results = all => {
                for result in results {
                    result.map_err(|_| LinkError::Closed)??;
                }
            }
            () = shutdown.cancelled() => break,
        }
        if !options.loop_forever {
            break;
        }
        round += 1;
        info!(round, "competition finished; starting again");
        // A new round is a new competition: its database (no results yet) replaces the last.
        let export = {
            let mut meet = shared.meet.lock();
            meet.reset();
            meet.export()
        };
        let (metadata, database) = assets::database_frames(VERSION, &export);
        shared.link.raw_text(with_key(&metadata, &options.update_key)).await?;
        shared.link.binary(database).await?;
    }
    let meet = shared.meet.lock().clone();
    Ok(meet)
}

fn with_key(text: &str, key: &Option<String>) -> String {
    let mut value: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    if let Some(key) = key {
        value["payload"]["updateKey"] = serde_json::json!(key);
    }
    value.to_string()
}

/// The Sinclair score OWLCMS shows in `displayInfo.sinclair`: its default, the 2021–2024
/// cycle (OWLCMS `sinclair2024.properties`: men A 0.722762521, b 193.609 kg; women A
/// 0.787004341, b 153.757 kg). OWLCMS computes it, so the simulator does too; the tracker's
/// own scoring is checked against it in server/tests/simulator.rs.
pub fn sinclair_2024(gender: &str, body_weight: f64, total: i64) -> f64 {
    let (a, b) = match gender.trim().to_ascii_lowercase().as_str() {
        "m" | "male" | "men" => (0.722_762_521, 193.609),
        "f" | "w" | "female" | "women" => (0.787_004_341, 153.757),
        _ => return 0.0,
    };
    if total <= 0 || body_weight.is_nan() || body_weight <= 0.0 {
        return 0.0;
    }
    let factor = if body_weight >= b { 1.0 } else { 10f64.powf(a * (body_weight / b).log10().powi(2)) };
    total as f64 * factor
}

#[cfg(test)]
mod tests {
    // jflamy/owlcms4 AthleteTest.testFemaleSinclair2024: 144 kg at 68.5 kg → 180.0536; and a
    // value OWLCMS 64 sent (samples/owlcms/ws-2025-12/…-UPDATE-SWITCHGROUP.json: 318.861).
    #[test]
    fn sinclair_matches_owlcms() {
        assert!((super::sinclair_2024("F", 68.5, 144) - 180.0536).abs() < 0.0005);
        assert!((super::sinclair_2024("M", 61.09, 210) - 318.861).abs() < 0.0005);
        assert_eq!(super::sinclair_2024("M", 0.0, 210), 0.0);
        assert_eq!(super::sinclair_2024("M", 250.0, 300), 300.0);
    }
}
