//! The browser contract of owlcms-tracker: what the server sends to pages and what pages read,
//! written once and compiled into both (the server natively, the web client for wasm32).
//!
//! - [`events`]: the SSE event names and payloads of `/api/stream` (view envelope, status,
//!   clock, decision). The plugin's view inside the envelope stays free-form JSON: it is the jq
//!   mapping's contract with its renderer, not this crate's.
//! - [`catalog`]: what `/api/plugins` and `/api/plugins/<id>` return.
//! - [`page`]: the page kinds (renderers) a plugin can name.
//! - [`options`]: option specs and the one routine that types a raw option value, used by the
//!   server to resolve URLs and by the client to build them.
//!
//! Decoding is lenient (missing fields take defaults) so that a page survives a server that
//! sends less; encoding writes the field names (camelCase) the tests and plugins rely on.

pub mod catalog;
pub mod clock;
pub mod events;
pub mod options;
pub mod page;

pub use catalog::{Catalog, Language, PluginInfo, PluginStatus, Problem, Requirement};
pub use events::{
    AthleteClock, AthleteTick, BreakClock, BreakTick, ClockEvent, ClockFrame, DecisionEvent, Jury, ProtocolError,
    Status, StatusState, StreamEvent, ViewEnvelope, ViewPatch,
};
pub use options::{
    Allowed, Choice, MAX_TEXT_CHARS, OptionKind, OptionSpec, Rule, coerce, format_number, match_choice, text_of,
    url_form,
};
pub use page::{PageKind, UnknownPageKind};
