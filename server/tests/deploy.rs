//! The Docker image and the Fly.io config, without Docker: static checks that fail when they
//! drift from the code, and the image's runtime layout reproduced on this machine (same
//! paths under a temporary root, same unprivileged user, same command and environment).
//! The image itself is built and run by `scripts/test-image` (tests/image.rs).

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The runtime stage of the Dockerfile, parsed.
#[derive(Debug, Default)]
struct Image {
    base: String,
    env: BTreeMap<String, String>,
    expose: Vec<u16>,
    user: String,
    entrypoint: Vec<String>,
    cmd: Vec<String>,
    healthcheck: Vec<String>,
    copies: Vec<(String, String)>,
    volumes: Vec<String>,
}

fn json_array(text: &str) -> Vec<String> {
    serde_json::from_str(text.trim()).unwrap_or_default()
}

fn image() -> Image {
    let text = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    // Join continuation lines, keep only the last stage (the runtime image).
    let joined = text.replace("\\\n", " ");
    let stage = joined.rsplit("\nFROM ").next().unwrap();
    let mut image = Image { base: stage.lines().next().unwrap_or_default().trim().into(), ..Image::default() };
    for line in stage.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match word {
            "ENV" => {
                for pair in rest.split_whitespace() {
                    let (k, v) = pair.split_once('=').unwrap();
                    image.env.insert(k.into(), v.into());
                }
            }
            "EXPOSE" => image.expose.push(rest.trim().parse().unwrap()),
            "USER" => image.user = rest.trim().into(),
            "ENTRYPOINT" => image.entrypoint = json_array(rest),
            "CMD" => image.cmd = json_array(rest),
            "HEALTHCHECK" => image.healthcheck = json_array(rest.split_once("CMD").unwrap().1),
            "VOLUME" => image.volumes = json_array(rest),
            "COPY" => {
                let parts: Vec<&str> = rest.split_whitespace().filter(|p| !p.starts_with("--")).collect();
                image.copies.push((parts[0].into(), parts[1].into()));
            }
            _ => {}
        }
    }
    image
}

fn fly() -> toml::Table {
    std::fs::read_to_string(repo().join("fly.toml")).unwrap().parse().unwrap()
}

#[tokio::test]
async fn dockerfile_and_fly_toml_agree_with_the_code() {
    let image = image();
    let fly = fly();
    let port: u16 = image.env["PORT"].parse().unwrap();
    assert_eq!(image.expose, [port], "EXPOSE = PORT");
    let service = fly["http_service"].as_table().unwrap();
    assert_eq!(service["internal_port"].as_integer(), Some(port as i64), "fly internal_port = PORT");
    assert_eq!(fly["env"]["PORT"].as_str(), Some(image.env["PORT"].as_str()));
    assert_eq!(fly["build"]["dockerfile"].as_str(), Some("Dockerfile"));
    assert_eq!(service["force_https"].as_bool(), Some(true));
    // Exactly one machine, always on: the hub is a single writer.
    assert_eq!(service["min_machines_running"].as_integer(), Some(1));
    assert_eq!(service["auto_start_machines"].as_bool(), Some(false));
    assert_eq!(
        fly["mounts"]["destination"].as_str(),
        Some(image.env["DATA_DIR"].as_str()),
        "the volume holds DATA_DIR"
    );
    assert!(image.volumes.contains(&image.env["DATA_DIR"]));
    assert!(fly["kill_timeout"].as_str().unwrap().trim_end_matches('s').parse::<u64>().unwrap() >= 2);
    // A public app: operator pages closed (a token, if any, is a secret, never in fly.toml), and
    // per-address caps by the client address Fly's proxy passes, not the proxy's own.
    let env = fly["env"].as_table().unwrap();
    assert!(!env.contains_key("OPS_TOKEN"), "OPS_TOKEN is set with `fly secrets set`");
    // What these values make of the flags is checked in cli.rs (the flags live in the binary).
    let flag = |name: &str| env[name].as_str().unwrap().to_owned();
    assert_eq!(flag("OPS_LOOPBACK_ONLY"), "true", "operator pages closed on Fly");
    assert_eq!(flag("CLIENT_IP_HEADER"), "Fly-Client-IP");
    assert_eq!(flag("MAX_CONNECTIONS_PER_ADDRESS"), "0", "all connections come from the proxy");
    // The runtime is empty but for what the stage copies: one static binary, so the build
    // stage must build the server for musl (scripts/build) and copy that binary out.
    assert_eq!(image.base, "scratch");
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).unwrap();
    let binary = &image.entrypoint[0];
    let (from, _) = image.copies.iter().find(|(_, to)| to == binary).expect("the entrypoint is copied");
    assert!(dockerfile.contains("SERVER_TARGET=x86_64-unknown-linux-musl ./scripts/build"));
    assert!(dockerfile.contains(&format!("cp target/x86_64-unknown-linux-musl/release/owlcms-tracker {from}")));
    let build = std::fs::read_to_string(repo().join("scripts/build")).unwrap();
    assert!(build.contains("--bin owlcms-tracker \"${target[@]}\""), "scripts/build honours SERVER_TARGET");
    let manifest = std::fs::read_to_string(repo().join("server/Cargo.toml")).unwrap();
    assert!(manifest.contains("name = \"owlcms-tracker\""));
    assert_eq!(image.healthcheck, [binary.clone(), "healthcheck".into()]);
    assert_eq!(image.cmd, ["serve"]);
    // Copied folders are what the server is told to use, and exist in the build output.
    for var in ["DIST_DIR", "PLUGINS_DIR"] {
        let path = &image.env[var];
        let (from, _) = image.copies.iter().find(|(_, to)| to == path).unwrap_or_else(|| panic!("{var} is copied"));
        let source = from.trim_start_matches("/src/");
        if source == "dist" {
            let trunk = std::fs::read_to_string(repo().join("Trunk.toml")).unwrap();
            assert!(trunk.contains("dist = \"dist\""), "Trunk builds into dist/");
        } else {
            assert!(repo().join(source).is_dir(), "{source} exists");
        }
    }
    assert_ne!(image.user, "", "runs as a non-root user");
    assert!(!image.user.starts_with("0") && image.user != "root");
    // The fly health check path is served by the router (liveness: 200 without OWLCMS data).
    let check = &service["checks"].as_array().unwrap()[0];
    let path = check["path"].as_str().unwrap();
    let t = TestServer::start().await;
    assert_eq!(reqwest::get(t.http(path)).await.unwrap().status(), 200, "{path}");
}

/// Rewrites an image path (`/app/…`, `/data/…`) under `root`.
fn under(root: &Path, path: &str) -> PathBuf {
    root.join(path.trim_start_matches('/'))
}

#[tokio::test]
async fn the_image_runtime_layout_works_without_docker() {
    let image = image();
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let app = under(root, "/app");
    std::fs::create_dir_all(&app).unwrap();
    let binary = under(root, &image.entrypoint[0]);
    std::fs::copy(env!("CARGO_BIN_EXE_owlcms-tracker"), &binary).unwrap();
    copy_dir(&repo().join("plugins"), &under(root, &image.env["PLUGINS_DIR"]));
    let dist = under(root, &image.env["DIST_DIR"]);
    if repo().join("dist/index.html").is_file() {
        copy_dir(&repo().join("dist"), &dist);
    } else {
        std::fs::create_dir_all(&dist).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>client</title>").unwrap();
    }
    let data = under(root, &image.env["DATA_DIR"]);
    std::fs::create_dir_all(&data).unwrap();
    // Same user as the image when we can switch to it (CI runs as root), else ourselves.
    let (uid, gid) = image.user.split_once(':').unwrap_or((&image.user, &image.user));
    let as_root = Command::new("id").arg("-u").output().map(|o| o.stdout == b"0\n").unwrap_or(false);
    if as_root {
        for path in [root, &app] {
            Command::new("chmod").arg("755").arg(path).status().unwrap();
        }
        Command::new("chown").args(["-R", &format!("{uid}:{gid}")]).arg(&data).status().unwrap();
    }
    let command = |args: &[String]| {
        let mut c = if as_root {
            let mut c = Command::new("setpriv");
            c.args([&format!("--reuid={uid}"), &format!("--regid={gid}"), "--clear-groups", "--"]).arg(&binary);
            c
        } else {
            Command::new(&binary)
        };
        c.args(args).current_dir(&app).env_clear().env("PATH", "/usr/bin:/bin");
        for (k, v) in &image.env {
            let value = if v.starts_with('/') { under(root, v).display().to_string() } else { v.clone() };
            c.env(k, value);
        }
        c
    };
    // The image listens on PORT on all interfaces; here a free port on loopback.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut serve = command(&image.cmd);
    serve
        .env("PORT", port.to_string())
        .env("LISTEN_ADDRESS", "127.0.0.1")
        .env("LOG_JSON", "true")
        .stdout(Stdio::piped());
    let mut child = serve.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("\"listening\"") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(20)).expect("the tracker started as in the image");
    let mut health = command(&image.healthcheck[1..]);
    health.env("PORT", port.to_string());
    let probe = health.output().unwrap();
    assert!(probe.status.success(), "healthcheck: {}", String::from_utf8_lossy(&probe.stdout));
    // OWLCMS ingest and a viewer's stream work in this layout.
    let mut owlcms = Owlcms::connect(&format!("ws://127.0.0.1:{port}/ws")).await;
    startup(&mut owlcms).await;
    assert_eq!(owlcms.request("update", &sample(LIFTING_ORDER)).await["status"], 200);
    let mut sse =
        SseClient::connect(&format!("http://127.0.0.1:{port}/api/stream?plugin=lifting-order&fop=A"), None).await;
    let (view, _) = sse.next_of("view").await;
    assert_eq!(view["view"]["attemptBar"]["name"], "KJELLEVAND, Jørgen");
    let page = reqwest::get(format!("http://127.0.0.1:{port}/lifting-order?fop=A")).await.unwrap();
    assert_eq!(page.status(), 200);
    // Flags were written to the data volume by the unprivileged user.
    assert!(under(root, &image.env["LOCAL_FILES_DIR"]).join("flags/Spydeberg Atletene.svg").is_file());
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let saved: Value = serde_json::from_slice(&std::fs::read(data.join("state.json")).unwrap()).unwrap();
    assert_eq!(saved["fops"][0]["name"], "A");
}
