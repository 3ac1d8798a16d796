//! NATS that asks for credentials or TLS (issue 14): the ingest node and a relay with a user
//! and password, with a token, and over TLS with a private CA serve the same board; wrong
//! credentials or an unknown CA stop a relay at once with the reason, and leave the ingest node
//! serving as a single node with an error line (never a silent hang). Real nats-server.

mod common;
#[path = "common/nats.rs"]
mod nats;

use common::binary::{BINARY, Tracker};
use nats::Nats;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const VIEW: &str = "/api/view?plugin=lifting-order&fop=A";

async fn status_and_etag(url: &str) -> (u16, String) {
    match reqwest::get(url).await {
        Ok(response) => {
            let etag = response.headers().get("etag").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
            (response.status().as_u16(), etag)
        }
        Err(_) => (0, String::new()),
    }
}

/// An ingest node and a relay with the same NATS flags serve the same view.
async fn both_serve(nats: &Nats, flags: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let url = nats.url();
    let mut args = vec!["--nats-url", url.as_str(), "--demo", "--demo-speed", "20"];
    args.extend(flags);
    let ingest = Tracker::start(dir.path(), &args);
    let mut args = vec!["--nats-url", url.as_str(), "--relay-id", "auth"];
    args.extend(flags);
    args.push("relay");
    let relay = Tracker::start(dir.path(), &args);
    let started = Instant::now();
    loop {
        let (a, b) = (status_and_etag(&ingest.http(VIEW)).await, status_and_etag(&relay.http(VIEW)).await);
        if a.0 == 200 && a == b {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "ingest {a:?}, relay {b:?} with {flags:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A relay started with `flags`: its exit status and everything it wrote, within 15 s.
fn refused_relay(nats: &Nats, flags: &[&str]) -> (bool, String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1", "--port", "0", "--nats-url", &nats.url(), "--relay-id", "wrong"])
        .args(flags)
        .arg("relay")
        .current_dir(dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let output = child.wait_with_output().unwrap();
            let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
            return (status.success(), text, started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(15) {
            let _ = child.kill();
            panic!("the relay with {flags:?} neither served nor stopped: a hang");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn user_and_password_and_token_work_and_wrong_ones_are_said() {
    let nats = Nats::start_with(&["--user", "tracker", "--pass", "s3cret"]);
    both_serve(&nats, &["--nats-user", "tracker", "--nats-password", "s3cret"]).await;

    let (ok, output, took) = refused_relay(&nats, &["--nats-user", "tracker", "--nats-password", "wrong"]);
    assert!(!ok, "a relay with a wrong password must not run: {output}");
    assert!(output.contains("refused the credentials"), "the reason: {output}");
    eprintln!("wrong password: the relay stopped after {took:?}");
    let (ok, output, _) = refused_relay(&nats, &[]);
    assert!(!ok && output.contains("refused the credentials"), "no credentials at all: {output}");

    // The ingest node keeps serving its venue without relays, and says why.
    let dir = tempfile::tempdir().unwrap();
    let url = nats.url();
    let ingest =
        Tracker::start(dir.path(), &["--nats-url", &url, "--nats-user", "tracker", "--nats-password", "wrong"]);
    let line = ingest.wait_for_log("relays get nothing from this node", Duration::from_secs(10));
    let line = line.expect("an error line about NATS");
    assert!(line.contains("refused the credentials") && line.contains("ERROR"), "{line}");
    assert_eq!(status_and_etag(&ingest.http("/api/health?live")).await.0, 200, "the ingest node serves on");

    let nats = Nats::start_with(&["--auth", "t0ken-for-relays"]);
    both_serve(&nats, &["--nats-token", "t0ken-for-relays"]).await;
    let (ok, output, _) = refused_relay(&nats, &["--nats-token", "not-the-token"]);
    assert!(!ok && output.contains("refused the credentials"), "a wrong token: {output}");
}

/// A private CA and a certificate for 127.0.0.1 signed by it (openssl CLI).
fn certificates(dir: &Path) {
    let run = |args: &[&str]| {
        let status = Command::new("openssl").args(args).current_dir(dir).stderr(Stdio::null()).status().unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(dir.join("san.cnf"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "san.cnf",
        "-out",
        "server.pem",
    ]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tls_with_a_private_ca_works_and_an_unknown_ca_is_said() {
    let certs = tempfile::tempdir().unwrap();
    certificates(certs.path());
    let path = |name: &str| certs.path().join(name).to_str().unwrap().to_owned();
    let (cert, key, ca) = (path("server.pem"), path("server.key"), path("ca.pem"));
    let nats = Nats::start_with(&["--tls", "--tlscert", &cert, "--tlskey", &key]);
    assert!(nats.url().starts_with("tls://"));
    both_serve(&nats, &["--nats-ca", &ca, "--nats-require-tls=true"]).await;
    let (ok, output, took) = refused_relay(&nats, &[]);
    assert!(!ok, "a relay that cannot verify the server must not run: {output}");
    assert!(output.contains("TLS handshake failed"), "the reason: {output}");
    eprintln!("unknown CA: the relay stopped after {took:?}");
}
