# Shared helpers of scripts/run and scripts/test (sourced, not run).

step() { printf '\n==> %s\n' "$*" >&2; }

# rustfmt and clippy come with rustup's default profile; add them when a minimal profile
# left them out.
ensure_rust_components() {
  command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup (https://rustup.rs)" >&2; exit 1; }
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      step "installing the $component component"
      rustup component add "$component"
    fi
  done
}

# nats-server (Debian's package) for the relay tests (server/tests/relay.rs), which start their
# own on a free loopback port with JetStream in a temp folder. The package's systemd unit is
# not used.
ensure_nats_server() {
  if ! command -v nats-server >/dev/null && [ ! -x /usr/sbin/nats-server ]; then
    step "installing nats-server (apt)"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y nats-server || { $sudo apt-get update && $sudo apt-get install -y nats-server; }
  fi
}

# The web client's toolchain (wasm32 target, trunk and wasm-bindgen pinned, brotli; with
# --browser also Chromium for the browser tests), then the client itself into dist/.
ensure_web_toolchain() {
  step "web client toolchain (installs only what is missing)"
  scripts/install-wasm-toolchain.sh "$@"
}
build_frontend() {
  step "building the web client (trunk build --release → dist/)"
  scripts/build-frontend.sh
}
