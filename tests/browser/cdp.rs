//! A minimal Chrome DevTools Protocol client: starts Debian's headless Chromium with a fresh
//! profile and drives one tab per `Page` over its own WebSocket (navigate, evaluate, wait,
//! viewport, screenshots, scripts injected before page load, JavaScript errors).

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// The Debian package's browser; `CHROMIUM` overrides.
fn chromium_path() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return PathBuf::from(path);
    }
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!("Chromium is not installed: run `scripts/install-wasm-toolchain.sh --browser` (apt package chromium)");
}

/// A headless Chromium process; killed on drop.
pub(crate) struct Chrome {
    child: Child,
    port: u16,
    _profile: tempfile::TempDir,
}

impl Chrome {
    /// Starts Chromium with the flags of a hermetic test run and waits for its DevTools port.
    pub(crate) fn launch() -> Chrome {
        let profile = tempfile::tempdir().expect("profile dir");
        let child = Command::new(chromium_path())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--window-size=1920,1080",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromium");
        // Chromium writes its port in the profile folder once it listens.
        let file = profile.path().join("DevToolsActivePort");
        let started = Instant::now();
        let port = loop {
            if let Some(port) = std::fs::read_to_string(&file).ok().and_then(|t| t.lines().next()?.parse().ok()) {
                break port;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "chromium did not open its DevTools port");
            std::thread::sleep(Duration::from_millis(50));
        };
        Chrome { child, port, _profile: profile }
    }

    /// Opens a new tab.
    pub(crate) async fn page(&self) -> Page {
        let url = format!("http://127.0.0.1:{}/json/new?about:blank", self.port);
        let target: Value =
            reqwest::Client::new().put(&url).send().await.expect("new tab").json().await.expect("tab JSON");
        let ws = target["webSocketDebuggerUrl"].as_str().expect("tab WebSocket URL");
        let page = Page::connect(ws).await;
        page.call("Page.enable", json!({})).await;
        page.call("Runtime.enable", json!({})).await;
        page
    }
}

impl Drop for Chrome {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

type Pending = Arc<Mutex<HashMap<u64, oneshot::Sender<Value>>>>;

/// One browser tab.
pub(crate) struct Page {
    out: mpsc::UnboundedSender<Message>,
    pending: Pending,
    next_id: AtomicU64,
    errors: Arc<Mutex<Vec<String>>>,
}

impl Page {
    async fn connect(url: &str) -> Page {
        let (ws, _) = tokio_tungstenite::connect_async(url).await.expect("CDP WebSocket");
        let (mut sink, mut stream) = ws.split();
        let (out, mut rx) = mpsc::unbounded_channel::<Message>();
        tokio::spawn(async move {
            while let Some(message) = rx.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let pending: Pending = Arc::default();
        let errors: Arc<Mutex<Vec<String>>> = Arc::default();
        let (pending2, errors2) = (pending.clone(), errors.clone());
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                if let Some(id) = value["id"].as_u64() {
                    if let Some(tx) = pending2.lock().unwrap().remove(&id) {
                        let _ = tx.send(value);
                    }
                    continue;
                }
                match value["method"].as_str() {
                    Some("Runtime.exceptionThrown") => {
                        let details = &value["params"]["exceptionDetails"];
                        let text = details["exception"]["description"].as_str().or(details["text"].as_str());
                        errors2.lock().unwrap().push(format!("exception: {}", text.unwrap_or("?")));
                    }
                    Some("Runtime.consoleAPICalled")
                        if matches!(value["params"]["type"].as_str(), Some("error" | "warning")) =>
                    {
                        let args: Vec<String> = value["params"]["args"]
                            .as_array()
                            .map(|a| a.iter().map(|a| a["value"].to_string()).collect())
                            .unwrap_or_default();
                        errors2.lock().unwrap().push(format!("console: {}", args.join(" ")));
                    }
                    _ => {}
                }
            }
        });
        Page { out, pending, next_id: AtomicU64::new(1), errors }
    }

    /// Sends a CDP command and returns its `result`; panics on a protocol error.
    pub(crate) async fn call(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.pending.lock().unwrap().insert(id, tx);
        let message = json!({"id": id, "method": method, "params": params}).to_string();
        self.out.send(Message::text(message)).expect("CDP connection open");
        let reply = tokio::time::timeout(Duration::from_secs(30), rx)
            .await
            .unwrap_or_else(|_| panic!("no CDP reply to {method}"))
            .expect("CDP reply");
        assert!(reply.get("error").is_none(), "{method} failed: {}", reply["error"]);
        reply["result"].clone()
    }

    /// Evaluates JavaScript in the page (promises awaited) and returns its JSON value.
    pub(crate) async fn eval(&self, expression: &str) -> Value {
        let result = self
            .call("Runtime.evaluate", json!({"expression": expression, "returnByValue": true, "awaitPromise": true}))
            .await;
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression}\nthrew: {}", exception["exception"]["description"].as_str().unwrap_or("?"));
        }
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is truthy (checked every 50 ms) and returns its value.
    pub(crate) async fn wait_for(&self, what: &str, expression: &str, timeout: Duration) -> Value {
        let started = Instant::now();
        let guarded = format!("(() => {{ try {{ return ({expression}); }} catch (e) {{ return null; }} }})()");
        loop {
            let value = self.eval(&guarded).await;
            let truthy = match &value {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            if started.elapsed() > timeout {
                let html = self.eval("document.body ? document.body.innerText.slice(0, 2000) : ''").await;
                panic!("timed out after {timeout:?} waiting for {what} ({expression}); the page says:\n{html}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Loads a URL and waits for the document to be complete.
    pub(crate) async fn goto(&self, url: &str) {
        self.call("Page.navigate", json!({"url": url})).await;
        self.wait_for(
            "page load",
            "document.readyState === 'complete' && location.href !== 'about:blank'",
            Duration::from_secs(20),
        )
        .await;
    }

    /// Runs a script in every document this tab loads from now on, before the page's own.
    pub(crate) async fn before_load(&self, source: &str) {
        self.call("Page.addScriptToEvaluateOnNewDocument", json!({"source": source})).await;
    }

    /// Sets the viewport (CSS pixels; phone widths emulate a mobile device).
    pub(crate) async fn viewport(&self, width: u32, height: u32) {
        let mobile = width < 700;
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )
        .await;
    }

    /// What transparent pages are drawn over in screenshots (overlays are meant for video).
    pub(crate) async fn backdrop(&self, rgba: (u8, u8, u8, f32)) {
        let (r, g, b, a) = rgba;
        self.call("Emulation.setDefaultBackgroundColorOverride", json!({"color": {"r": r, "g": g, "b": b, "a": a}}))
            .await;
    }

    /// Saves a PNG of the viewport.
    pub(crate) async fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let shot = self.call("Page.captureScreenshot", json!({"format": "png"})).await;
        let data = base64::engine::general_purpose::STANDARD.decode(shot["data"].as_str().expect("PNG data")).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }

    /// JavaScript errors and warnings logged so far.
    pub(crate) fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }
}
