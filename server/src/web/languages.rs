//! Names of the OWLCMS locales in their own language, for language menus.

/// The name of a locale id (`fr_CA`) in that language; the id itself when unknown.
pub(super) fn native_name(id: &str) -> String {
    let name = match id {
        "en" => "English",
        "en_US" => "English (US)",
        "en_CA" => "English (Canada)",
        "es" => "Español",
        "es_419" => "Español (Latinoamérica)",
        "es_ES" => "Español (España)",
        "es_SV" => "Español (El Salvador)",
        "es_EC" => "Español (Ecuador)",
        "fr" => "Français",
        "fr_CA" => "Français (Canada)",
        "fr_FR" => "Français (France)",
        "pt" => "Português",
        "ru" => "Русский",
        "de" => "Deutsch",
        "sv" => "Svenska",
        "da" => "Dansk",
        "no" | "nb" => "Norsk",
        "hy" => "Հայերեն",
        "hu" => "Magyar",
        "ro" => "Română",
        "pl" => "Polski",
        "fi" => "Suomi",
        "ia" => "Interlingua",
        "it" => "Italiano",
        "nl" => "Nederlands",
        "ar" => "العربية",
        "fa" => "فارسی",
        "tr" => "Türkçe",
        _ => return id.to_owned(),
    };
    name.to_owned()
}
