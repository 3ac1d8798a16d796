#!/usr/bin/env bash
# Installs what the web client's build (`trunk build`) and the browser tests need, on Debian 12
# where only package registries (crates.io, apt) are reachable. Idempotent: every step checks
# first, says what it skips, and does nothing when everything is there (about 0.1 s).
#
# Usage:  scripts/install-wasm-toolchain.sh [--browser]
#   --browser   also the headless browser of the tests (apt: chromium; driven over CDP)
# Env:
#   WASM_TOOLCHAIN=auto|rustup|debian  (default auto)
#       rustup: rustup's own wasm32-unknown-unknown std (`rustup target add`).
#       debian: Debian rustc-web + rust-web-src, std built from source (-Zbuild-std through
#               RUSTC_BOOTSTRAP=1, set only on the build command), linked with wasm-ld-22.
#       auto:   rustup if the target is (or can be) installed, else debian.
#   TRUNK_VERSION    (default 0.21.14: 0.22.x needs rustc >= 1.96.1)
#   RUSTUP_TIMEOUT   seconds allowed for `rustup target add` (default 180)
# The wasm-bindgen CLI version is read from the workspace Cargo.lock: Trunk uses the CLI on
# PATH only when its version is exactly the library's, and would otherwise download one.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[wasm-toolchain] %s\n' "$*" >&2; }
run() { log "+ $*"; "$@"; }

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
MODE=${WASM_TOOLCHAIN:-auto}
TRUNK_VERSION=${TRUNK_VERSION:-0.21.14}
RUSTUP_TIMEOUT=${RUSTUP_TIMEOUT:-180}
BROWSER=0
for arg in "$@"; do
  case "$arg" in
    --browser) BROWSER=1 ;;
    *) log "unknown argument $arg (usage: $0 [--browser])"; exit 2 ;;
  esac
done
case "$MODE" in auto|rustup|debian) ;; *) log "WASM_TOOLCHAIN must be auto, rustup or debian (got '$MODE')"; exit 2;; esac

WASM_BINDGEN_VERSION=$(scripts/wasm-bindgen-version.sh)

SUDO=()
if [ "$(id -u)" != 0 ]; then SUDO=(sudo); fi
APT_UPDATED=0
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "apt: already installed: $*"; return 0; fi
  if [ "$APT_UPDATED" = 0 ]; then run "${SUDO[@]}" apt-get update -qq; APT_UPDATED=1; fi
  run "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

have_rustup_wasm() {
  command -v rustup >/dev/null 2>&1 &&
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown
}

# 1. A compiler and std for wasm32-unknown-unknown: rustup first, Debian's rustc-web as fallback.
if [ "$MODE" != debian ]; then
  if have_rustup_wasm; then
    log "rustup: wasm32-unknown-unknown already installed for $(rustc --version)"
    MODE=rustup
  elif command -v rustup >/dev/null 2>&1 &&
       run timeout "$RUSTUP_TIMEOUT" rustup target add wasm32-unknown-unknown && have_rustup_wasm; then
    MODE=rustup
  elif [ "$MODE" = rustup ]; then
    log "rustup could not add wasm32-unknown-unknown"; exit 1
  else
    log "rustup could not add wasm32-unknown-unknown: falling back to Debian rustc-web + build-std"
    MODE=debian
  fi
fi
if [ "$MODE" = debian ]; then
  apt_ensure rustc-web cargo-web rust-web-src lld-22
  log "debian: $(/usr/bin/rustc --version), std source at $(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library"
fi

# 2. Compressors for the precompressed .br/.gz siblings of the bundle.
apt_ensure brotli gzip

# 3. trunk, pinned (built with the host toolchain).
if command -v trunk >/dev/null 2>&1 && [ "$(trunk --version 2>/dev/null)" = "trunk $TRUNK_VERSION" ]; then
  log "trunk $TRUNK_VERSION already installed: $(command -v trunk)"
else
  run cargo install --locked "trunk@$TRUNK_VERSION"
fi

# 4. wasm-bindgen-cli, exactly the version in Cargo.lock. Installed without --locked: the
#    CLI's own lockfile pins webpki-roots 1.0.11, which the reachable registry index lacks;
#    an MSRV-aware fresh resolution works.
if command -v wasm-bindgen >/dev/null 2>&1 &&
   [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  log "wasm-bindgen $WASM_BINDGEN_VERSION already installed: $(command -v wasm-bindgen)"
else
  run env CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback \
    cargo install --force "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

# 5. Optional: the headless browser of the tests (they speak CDP to it: no WebDriver needed).
if [ "$BROWSER" = 1 ]; then apt_ensure chromium; fi

log "ready: mode=$MODE, $(trunk --version), $(wasm-bindgen --version)"
