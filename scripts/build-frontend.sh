#!/usr/bin/env bash
# Builds the web client (frontend/) into dist/ with `trunk build --release`, then writes the
# .br and .gz siblings the server sends to browsers that accept them. Extra arguments go to
# trunk. Run scripts/install-wasm-toolchain.sh first (scripts/run and scripts/test do).
# WASM_TOOLCHAIN=auto|rustup|debian picks the compiler as the install script does; every
# setting below lives in this process only, so nothing leaks into host (server) builds.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[frontend] %s\n' "$*" >&2; }

CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export PATH="$CARGO_HOME/bin:$PATH"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
MODE=${WASM_TOOLCHAIN:-auto}
if [ "$MODE" = auto ]; then
  if command -v rustup >/dev/null 2>&1 &&
     rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    MODE=rustup
  else
    MODE=debian
  fi
fi

# One wasm-bindgen version everywhere: the library (Cargo.lock), the CLI, and Trunk.toml.
# Otherwise trunk would try to download the CLI (and fail: offline mode).
locked=$(scripts/wasm-bindgen-version.sh)
pinned=$(sed -n 's/^wasm_bindgen = "\(.*\)"/\1/p' Trunk.toml)
cli=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$locked" != "$pinned" ] || [ "$locked" != "$cli" ]; then
  log "wasm-bindgen versions differ: Cargo.lock $locked, Trunk.toml ${pinned:-none}, CLI ${cli:-missing}"
  log "fix Trunk.toml's [tools] wasm_bindgen, then run scripts/install-wasm-toolchain.sh"
  exit 1
fi

export TRUNK_SKIP_VERSION_CHECK=true   # no update check against crates.io
if [ "$MODE" = debian ]; then
  # trunk runs `cargo` from PATH (it ignores $CARGO for the build), and cargo runs `rustc`
  # from PATH: put Debian's rustc-web pair first, in a folder of its own.
  SHIM="$CARGO_HOME/wasm-debian-bin"
  mkdir -p "$SHIM"
  for t in cargo rustc rustdoc; do ln -sfn "/usr/bin/$t" "$SHIM/$t"; done
  export PATH="$SHIM:$PATH"
  export RUSTC_BOOTSTRAP=1                          # lets stable cargo/rustc take -Z flags
  export CARGO_UNSTABLE_BUILD_STD=std,panic_abort   # = [unstable] build-std
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-22  # Debian has no rust-lld
elif [ "$MODE" != rustup ]; then
  log "WASM_TOOLCHAIN must be auto, rustup or debian (got '$MODE')"; exit 2
fi

log "mode=$MODE: $(rustc --version) / wasm-bindgen $cli / $(trunk --version)"
# Trunk.toml's offline = true passes --offline to cargo: fetch the crates first.
cargo fetch --locked --target wasm32-unknown-unknown
trunk build --release "$@"

# Precompressed siblings (the server picks them by Accept-Encoding).
count=0
while IFS= read -r -d '' file; do
  brotli -f -q 11 -k -o "$file.br" "$file"
  gzip -f -k -9 "$file"
  count=$((count + 1))
done < <(find dist -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.svg' -o -name '*.json' \) -print0)
wasm=$(find dist -maxdepth 1 -name '*.wasm' | head -n1)
log "dist/ ready: $count files with .br and .gz; $(basename "$wasm"): $(stat -c %s "$wasm") bytes, brotli $(stat -c %s "$wasm.br")"
