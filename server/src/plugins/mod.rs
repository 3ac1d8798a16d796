//! Plugins: folders under `plugins/` with a `config.json` and a `mapping.jq`, discovered at
//! start and watched, so that editing a file takes effect while the server runs.

pub mod aliases;
pub mod check;
pub mod manifest;
pub mod mapping;
pub mod registry;
pub mod sample;
pub mod values;
