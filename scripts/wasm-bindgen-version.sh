#!/usr/bin/env bash
# Prints the wasm-bindgen version locked in the workspace Cargo.lock. The wasm-bindgen CLI,
# Trunk.toml's [tools] wasm_bindgen and the library must all be this exact version.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ -z "$version" ]; then echo "no wasm-bindgen package in Cargo.lock" >&2; exit 2; fi
echo "$version"
