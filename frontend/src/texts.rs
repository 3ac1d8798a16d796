//! The client's own texts (landing page, options dialog, banners, connection marker, print
//! and sound buttons) in the page's language: OWLCMS's translation where a key exists, else a
//! built-in table (English, French, Norwegian), else English.
//!
//! OWLCMS's texts come from the hidden `client-texts` plugin (`/api/view?plugin=client-texts`):
//! its mapping reads the translations the server holds, so the client needs no endpoint of
//! its own. They are used only when the server's locale is the page's language: a tracker
//! without Norwegian translations answers `lang=no` in English, and the built-in Norwegian
//! then wins over OWLCMS's English.

use crate::{dom, urls};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// The plugin that serves OWLCMS's texts for the client.
const PLUGIN: &str = "client-texts";

/// A client text: its OWLCMS key (empty: none), English, French, Norwegian.
type Entry = (&'static str, &'static str, &'static str, &'static str, &'static str);

/// Every client text, by id.
const TABLE: &[Entry] = &[
    (
        "tagline",
        "",
        "Live scoreboards for OWLCMS. Open a board per platform, or set its options first.",
        "Tableaux en direct pour OWLCMS. Ouvrez un tableau par plateau, ou réglez d'abord ses options.",
        "Direkte resultattavler for OWLCMS. Åpne en tavle per plattform, eller velg innstillingene først.",
    ),
    ("platform", "Platform", "Platform", "Plateau", "Plattform"),
    ("options", "", "Options", "Options", "Innstillinger"),
    ("open", "", "Open", "Ouvrir", "Åpne"),
    ("close", "Close", "Close", "Fermer", "Lukk"),
    ("defaults", "", "Defaults", "Valeurs par défaut", "Standardverdier"),
    ("language", "", "Language", "Langue", "Språk"),
    ("loading", "", "Loading…", "Chargement…", "Laster…"),
    ("awaiting", "", "Awaiting OWLCMS…", "En attente d'OWLCMS…", "Venter på OWLCMS…"),
    (
        "waiting",
        "",
        "Waiting for OWLCMS. This page updates by itself when data arrives.",
        "En attente d'OWLCMS. Cette page se met à jour d'elle-même dès que les données arrivent.",
        "Venter på OWLCMS. Siden oppdaterer seg selv når data kommer.",
    ),
    (
        "connectedWaiting",
        "",
        "OWLCMS is connected; waiting for competition data.",
        "OWLCMS est connecté ; en attente des données de la compétition.",
        "OWLCMS er tilkoblet; venter på stevnedata.",
    ),
    (
        "disconnected",
        "",
        "OWLCMS is not connected: the boards show the last data received.",
        "OWLCMS n'est pas connecté : les tableaux montrent les dernières données reçues.",
        "OWLCMS er ikke tilkoblet: tavlene viser de siste dataene som kom.",
    ),
    (
        "unreachable",
        "",
        "cannot reach the tracker; retrying…",
        "serveur injoignable ; nouvel essai…",
        "får ikke kontakt med serveren; prøver igjen…",
    ),
    ("protocol", "", "Protocol version mismatch.", "Version de protocole incompatible.", "Feil protokollversjon."),
    (
        "upgrade",
        "",
        "Upgrade OWLCMS (version 64 or newer is required).",
        "Mettez OWLCMS à jour (version 64 ou plus récente).",
        "Oppgrader OWLCMS (versjon 64 eller nyere kreves).",
    ),
    ("connecting", "", "connecting…", "connexion…", "kobler til…"),
    ("reconnecting", "", "reconnecting…", "reconnexion…", "kobler til på nytt…"),
    ("notConnected", "", "not connected", "non connecté", "ikke tilkoblet"),
    ("print", "Print", "Print", "Imprimer", "Skriv ut"),
    (
        "sound",
        "Settings.TurnOnSound",
        "Emit warning sounds",
        "Émettre les sons d'avertissement",
        "Spill av varsellyder",
    ),
    ("soundTap", "", "Tap to enable sound", "Touchez pour activer le son", "Trykk for å slå på lyden"),
    ("platforms", "", "Platforms:", "Plateaux :", "Plattformer:"),
    ("allBoards", "", "All boards", "Tous les tableaux", "Alle tavler"),
];

/// The built-in text of `id` in `lang` (its base language; English when the table lacks it).
pub fn builtin(id: &str, lang: &str) -> &'static str {
    let Some(&(_, _, en, fr, no)) = TABLE.iter().find(|e| e.0 == id) else { return "" };
    match base(lang) {
        "fr" => fr,
        "no" | "nb" | "nn" => no,
        _ => en,
    }
}

/// The OWLCMS translation keys the client uses.
pub fn owlcms_keys() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|e| e.1).filter(|k| !k.is_empty())
}

/// `fr_CA` → `fr`.
fn base(lang: &str) -> &str {
    lang.split(['_', '-']).next().unwrap_or(lang)
}

/// The text of `id` for a page in `lang`, with OWLCMS's texts (by key) served for locale
/// `served`: OWLCMS's when it serves that language, else built in.
pub fn resolve(id: &str, lang: &str, served: &str, owlcms: &BTreeMap<String, String>) -> String {
    let from_owlcms = TABLE
        .iter()
        .find(|e| e.0 == id && !e.1.is_empty())
        .filter(|_| base(served).eq_ignore_ascii_case(base(lang)))
        .and_then(|e| owlcms.get(e.1))
        .filter(|t| !t.trim().is_empty());
    from_owlcms.cloned().unwrap_or_else(|| builtin(id, lang).to_owned())
}

/// The texts of this page: its language, and OWLCMS's texts once they arrived.
#[derive(Debug, Clone, Default, PartialEq)]
struct Loaded {
    lang: String,
    served: String,
    owlcms: BTreeMap<String, String>,
}

thread_local! {
    static TEXTS: RwSignal<Loaded> = RwSignal::new(Loaded::default());
}

/// The page's text `id`, reactive: read inside a view, it updates when OWLCMS's texts arrive.
pub fn t(id: &str) -> String {
    TEXTS.with(|s| s.with(|l| resolve(id, &l.lang, &l.served, &l.owlcms)))
}

/// Loads OWLCMS's texts for the page's language: `?lang=` (or `language=`), else the browser's.
pub fn load() {
    let search = dom::search();
    let lang = urls::query_param(&search, "lang")
        .or_else(|| urls::query_param(&search, "language"))
        .or_else(|| leptos::prelude::window().navigator().language())
        .unwrap_or_else(|| "en".to_owned());
    dom::set_lang(&lang);
    TEXTS.with(|s| s.update(|l| l.lang = lang.clone()));
    let url = format!("/api/view?plugin={PLUGIN}&lang={}", urls::encode(&lang));
    leptos::task::spawn_local(async move {
        let Ok((200, body)) = dom::fetch_text(&url).await else { return };
        let Ok(envelope) = serde_json::from_str::<serde_json::Value>(&body) else { return };
        let owlcms: BTreeMap<String, String> = envelope["view"]["texts"]
            .as_object()
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned()))).collect())
            .unwrap_or_default();
        let served = envelope["lang"].as_str().unwrap_or("en").to_owned();
        TEXTS.with(|s| s.update(|l| (l.served, l.owlcms) = (served, owlcms)));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owlcms_text_when_the_server_speaks_the_language_else_built_in() {
        let owlcms: BTreeMap<String, String> = [("Print".to_owned(), "Imprimer (OWLCMS)".to_owned())].into();
        assert_eq!(resolve("print", "fr", "fr", &owlcms), "Imprimer (OWLCMS)");
        assert_eq!(resolve("print", "fr_CA", "fr", &owlcms), "Imprimer (OWLCMS)");
        // No Norwegian on the server: it answered in English; the built-in Norwegian wins.
        let english: BTreeMap<String, String> = [("Print".to_owned(), "Print".to_owned())].into();
        assert_eq!(resolve("print", "no", "en", &english), "Skriv ut");
        assert_eq!(resolve("reconnecting", "nb-NO", "en", &english), "kobler til på nytt…");
        // Before OWLCMS's texts arrived, and for a language nobody has: English.
        assert_eq!(resolve("reconnecting", "de", "", &BTreeMap::new()), "reconnecting…");
        assert_eq!(resolve("nothing", "fr", "fr", &owlcms), "");
        assert!(owlcms_keys().any(|k| k == "Settings.TurnOnSound"));
    }
}
