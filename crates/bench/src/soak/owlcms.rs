//! OWLCMS during the soak: the simulator plays the generated meet at maximum speed over one
//! WebSocket, and "reconnects" by being stopped and started again: each connection runs on a
//! runtime of its own, dropped at the end, so that its socket goes away without a close frame
//! (OWLCMS restarted, network lost) and none of its FOP tasks outlives it. A new connection
//! sends the startup data again and goes on with the sessions not finished yet.

use owlcms_simulator::meet::Meet;
use owlcms_simulator::speed::Speed;
use owlcms_simulator::{SimulatorOptions, link::LinkError};
use tokio_util::sync::CancellationToken;

/// One OWLCMS connection playing the meet until stopped.
pub struct Connection {
    stop: CancellationToken,
    thread: std::thread::JoinHandle<Result<Meet, LinkError>>,
}

impl Connection {
    /// Connects to `url` and plays `meet` (looping over the competition when it ends).
    pub fn open(url: &str, meet: Meet, seed: u64) -> Connection {
        let stop = CancellationToken::new();
        let mut options = SimulatorOptions::new(url);
        options.speed = Speed::Max;
        options.loop_forever = true;
        options.seed = seed;
        let token = stop.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| LinkError::Connect { url: options.url.clone(), error: e.to_string() })?;
            // Dropping the runtime afterwards ends the FOP tasks and closes the socket.
            runtime.block_on(owlcms_simulator::run(meet, options, token))
        });
        Connection { stop, thread }
    }

    /// Whether the simulator stopped by itself (the tracker closed the connection, say).
    pub fn finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Stops it; returns the meet as far as it got (`Err` when the link had failed).
    pub async fn close(self) -> Result<Meet, LinkError> {
        self.stop.cancel();
        let thread = self.thread;
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .map_err(|_| LinkError::Closed)?
            .map_err(|_| LinkError::Closed)?
    }
}

/// What the next connection plays: the sessions not finished yet, or the whole competition
/// again (a new day) when every session is done.
pub fn remaining(played: Meet, original: &Meet) -> Meet {
    let mut next = played;
    let done = next.done_sessions.clone();
    for sessions in next.sessions.values_mut() {
        sessions.retain(|s| !done.contains(s));
    }
    if next.sessions.values().all(Vec::is_empty) { original.clone() } else { next }
}

#[cfg(test)]
mod tests {
    use owlcms_simulator::generator::{Size, generate};
    use owlcms_simulator::meet::Meet;

    #[test]
    fn the_next_connection_plays_what_is_left() {
        let original = Meet::from_database(generate(Size { fops: 2, sessions: 3, athletes: 4 }, 7)).unwrap();
        let mut played = original.clone();
        let first_a = played.sessions["A"][0].clone();
        played.done_sessions.insert(first_a.clone());
        let next = super::remaining(played.clone(), &original);
        assert_eq!(next.sessions["A"].len(), 2);
        assert!(!next.sessions["A"].contains(&first_a));
        assert_eq!(next.sessions["B"].len(), 3);
        let all: Vec<String> = original.sessions.values().flatten().cloned().collect();
        played.done_sessions.extend(all);
        let again = super::remaining(played, &original);
        assert_eq!(again.sessions, original.sessions, "a new day when everything is done");
    }
}
