//! The ceremony screen of the standard grid (`ceremony` in its view, see `ceremony_view` in
//! plugins/shared.jq): during OWLCMS's medal ceremony the medallists of the category, during
//! an introduction the athletes of the session; warm-up boards get no `ceremony` and keep
//! the grid.

use crate::views::Text;
use crate::widgets::flag;
use leptos::prelude::*;

crate::view_struct! {
    /// The `ceremony` part of a standard-grid view.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Ceremony {
        /// `MEDALS`, `INTRODUCTION` or `OFFICIALS_INTRODUCTION`.
        pub kind: Text = "type",
        /// What OWLCMS announces ("Medal Ceremony").
        pub title: Text,
        /// The category being awarded.
        pub category: Text,
        /// The session concerned.
        pub session: Text,
        /// Medallists, best first.
        pub medallists: Vec<Medallist>,
        /// Title of the total column.
        pub total_title: Text,
        /// The athletes introduced, in start order.
        pub athletes: Vec<Introduced>,
    }
}

crate::view_struct! {
    /// A medallist.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Medallist {
        /// 1, 2 or 3.
        pub place: Text,
        /// "LASTNAME, Firstname".
        pub name: Text,
        /// Team.
        pub team: Text,
        /// Flag URL.
        pub flag: Text,
        /// Total.
        pub total: Text,
    }
}

crate::view_struct! {
    /// An athlete being introduced.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct Introduced {
        /// Start number.
        pub start_number: Text,
        /// "LASTNAME, Firstname".
        pub name: Text,
        /// Team.
        pub team: Text,
        /// Flag URL.
        pub flag: Text,
        /// Category.
        pub category: Text,
    }
}

/// The ceremony screen, under the competition's name.
pub fn render(competition: String, c: Ceremony) -> AnyView {
    let medal = |place: &str| match place {
        "1" => "medal gold",
        "2" => "medal silver",
        "3" => "medal bronze",
        _ => "medal",
    };
    let medallists = (!c.medallists.is_empty()).then(|| {
        view! {
            <ol class="medallists">
                {c.medallists.iter().map(|m| view! {
                    <li class=medal(m.place.as_str()) data-place=m.place.0.clone()>
                        <span class="medal-place">{m.place.0.clone()}</span>
                        <span class="medal-name">{m.name.0.clone()}</span>
                        <span class="medal-team">{flag(&m.flag)}<span>{m.team.0.clone()}</span></span>
                        <span class="medal-total" title=c.total_title.0.clone()>{m.total.0.clone()}</span>
                    </li>
                }).collect_view()}
            </ol>
        }
    });
    let introduced = (!c.athletes.is_empty()).then(|| {
        view! {
            <ul class="introduced">
                {c.athletes.iter().map(|a| view! {
                    <li>
                        <span class="intro-start">{a.start_number.0.clone()}</span>
                        <span class="intro-name">{a.name.0.clone()}</span>
                        <span class="intro-team">{flag(&a.flag)}<span>{a.team.0.clone()}</span></span>
                        <span class="intro-cat">{a.category.0.clone()}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="grid-page">
            <div class="ceremony" data-ceremony=c.kind.0.clone()>
                <div class="competition">{competition}</div>
                <h1 class="ceremony-title">{c.title.0.clone()}</h1>
                {(!c.category.is_empty()).then(|| view! { <h2 class="ceremony-category">{c.category.0.clone()}</h2> })}
                {medallists}
                {introduced}
            </div>
        </div>
    }
    .into_any()
}
