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
