//! Several boards on one event stream (`/api/streams`): browsers open at most ~6 HTTP/1.1
//! connections per host, so the boards of one browser share one. Each board is a [`Pump`]
//! exactly as on its own stream; their frames are interleaved as they come, each tagged with
//! the board's index by writing `event: <i>.` and then the shared frame bytes after their own
//! `event: ` (the frames built once per view are never rebuilt or copied). One heartbeat per
//! connection. Nothing here reads the hub, so a relay node can mount it too.

use super::frames::HEARTBEAT;
use super::stream::Pump;
use axum::body::Bytes;
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;

/// Boards one connection may carry: more than any browser shows at once, few enough that one
/// request cannot open unbounded work.
pub const MAX_BOARDS: usize = 16;

/// What every frame a [`Pump`] gives starts with (see [`super::frames::sse`]).
const EVENT: &[u8] = b"event: ";

/// The two chunks of board `index`'s `frame` on a multiplexed stream: `event: <index>.` and
/// the frame after its `event: `. `None` for anything that is not an event block (a
/// multiplexed pump gives none).
pub fn tag(index: usize, frame: &Bytes) -> Option<[Bytes; 2]> {
    frame.starts_with(EVENT).then(|| [Bytes::from(format!("event: {index}.")), frame.slice(EVENT.len()..)])
}

/// The board index and event name of a tagged event name (`3.clock` → `(3, "clock")`), as a
/// client splits it.
pub fn untag(event: &str) -> Option<(usize, &str)> {
    let (index, name) = event.split_once('.')?;
    Some((index.parse().ok()?, name))
}

/// The interleaved, tagged frames of `boards` (made [`Pump::multiplexed`] here) with one
/// heartbeat from `heartbeat`; ends when any board's stream ends (its view or the server is
/// going away), as a single board's stream would, so the client reconnects them all.
pub fn multiplex(boards: Vec<Pump>, mut heartbeat: watch::Receiver<u64>) -> impl Stream<Item = Bytes> + Send {
    let mut merged = futures_util::stream::select_all(boards.into_iter().enumerate().map(|(index, pump)| {
        // The pump lives inside the stream: a frame being awaited is never dropped half-way.
        futures_util::stream::unfold(pump.multiplexed(), |mut pump| async move {
            let frame = pump.next().await;
            Some((frame, pump))
        })
        .map(move |frame| (index, frame))
        .boxed()
    }));
    async_stream::stream! {
        loop {
            tokio::select! {
                next = merged.next() => match next {
                    Some((index, Some(frame))) => {
                        for chunk in tag(index, &frame).into_iter().flatten() {
                            yield chunk;
                        }
                    }
                    _ => break,
                },
                changed = heartbeat.changed() => {
                    if changed.is_err() {
                        break;
                    }
                    yield Bytes::from_static(HEARTBEAT);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::frames::sse;

    #[test]
    fn a_tagged_frame_is_the_shared_frame_after_a_board_prefix() {
        let frame = sse("view", Some("ab"), b"{\"x\":1}");
        let [prefix, rest] = tag(3, &frame).unwrap();
        assert_eq!(&prefix[..], b"event: 3.");
        assert_eq!([&prefix[..], &rest[..]].concat(), b"event: 3.view\nid: ab\ndata: {\"x\":1}\n\n");
        // The same memory as the shared frame: nothing was copied.
        assert_eq!(rest.as_ptr(), frame[EVENT.len()..].as_ptr());
        assert!(tag(0, &Bytes::from_static(HEARTBEAT)).is_none());
        assert_eq!(untag("12.patch"), Some((12, "patch")));
        assert_eq!(untag("patch"), None);
    }
}
