//! The owlcms-tracker web client: the landing page and the scoreboard page kinds, drawn from
//! the server's SSE stream. Built for the browser by Trunk (wasm32); the pure modules
//! (`clock`, `sound`, `texts`, `urls`, `layout`, `catalog`, `views`) are tested natively with `cargo test`.

pub mod catalog;
pub mod clock;
pub mod dom;
pub mod layout;
pub mod live;
pub mod pages;
pub mod sound;
pub mod sound_player;
pub mod texts;
pub mod urls;
pub mod views;
pub mod widgets;

use leptos::prelude::*;

/// Mounts the page the URL asks for: `/` is the landing page, `/_workbench` the plugin
/// workbench, `/<plugin>` a plugin's page.
pub fn start() {
    console_error_panic_hook::set_once();
    if dom::path().trim_end_matches('/') == urls::WORKBENCH_PATH {
        return leptos::mount::mount_to_body(pages::workbench::Workbench);
    }
    // The client's texts load inside the mounted view: mounting starts the task executor.
    match urls::plugin_of_path(&dom::path()) {
        Some(plugin) => leptos::mount::mount_to_body(move || {
            texts::load();
            view! { <pages::page::PluginPage plugin=plugin /> }
        }),
        None => leptos::mount::mount_to_body(|| {
            texts::load();
            view! { <pages::landing::Landing /> }
        }),
    }
}
