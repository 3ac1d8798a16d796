//! A raw SSE reader that keeps every frame's bytes (for byte-for-byte comparisons between
//! an ingest node and its relays).
// Each test crate uses a part of it.
#![allow(dead_code)]

use futures_util::StreamExt;
use std::time::Duration;

/// One SSE frame as received: its event name, id and the exact bytes of the block.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawFrame {
    pub event: String,
    pub id: String,
    pub data: String,
    pub bytes: Vec<u8>,
}

/// Frames of one stream, read in the background into a channel.
pub(crate) struct RawStream {
    rx: tokio::sync::mpsc::UnboundedReceiver<RawFrame>,
}

impl RawStream {
    pub(crate) async fn connect(url: &str) -> RawStream {
        let response = reqwest::Client::new().get(url).send().await.unwrap();
        assert_eq!(response.status(), 200, "stream {url}");
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut buffer: Vec<u8> = Vec::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.extend_from_slice(&chunk);
                while let Some(end) = buffer.windows(2).position(|w| w == b"\n\n") {
                    let block: Vec<u8> = buffer.drain(..end + 2).collect();
                    // The `retry:` line rides on the first frame: it is not part of the frame.
                    let text = String::from_utf8_lossy(&block).into_owned();
                    let text = text.strip_prefix("retry: 2000\n").unwrap_or(&text).to_owned();
                    let field =
                        |name: &str| text.lines().filter_map(|l| l.strip_prefix(name)).collect::<Vec<_>>().join("\n");
                    let frame = RawFrame {
                        event: field("event: "),
                        id: field("id: "),
                        data: field("data: "),
                        bytes: text.as_bytes().to_vec(),
                    };
                    if tx.send(frame).is_err() {
                        return;
                    }
                }
            }
        });
        RawStream { rx }
    }

    /// The next frame within `wait`.
    pub(crate) async fn next(&mut self, wait: Duration) -> Option<RawFrame> {
        tokio::time::timeout(wait, self.rx.recv()).await.ok().flatten()
    }

    /// Every frame that arrives within `wait`.
    pub(crate) async fn collect(&mut self, wait: Duration) -> Vec<RawFrame> {
        let until = tokio::time::Instant::now() + wait;
        let mut out = Vec::new();
        while let Ok(Some(frame)) = tokio::time::timeout_at(until, self.rx.recv()).await {
            out.push(frame);
        }
        out
    }
}
