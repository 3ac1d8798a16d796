//! The page kinds: which client renderer draws a plugin's view (`page` in `config.json`, in
//! the catalogue and in every view envelope).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A renderer of the web client, named by its kebab-case id on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    /// Start order, lifting order, rankings: attempt bar, athlete grid, leaders, records.
    StandardGrid,
    /// The attempt board: athlete, weight, barbell, clock and decisions.
    AttemptBoard,
    /// The current-attempt bar alone (a video overlay).
    AttemptBar,
    /// Lower-third cards (a video overlay).
    LowerThird,
    /// Any `{title, columns, rows}` view.
    GenericTable,
    /// Team scoreboards.
    TeamBoard,
    /// Printable documents (protocols, lists).
    Document,
    /// Decision lights alone, big: athlete-facing (mirrored) or the jury's board.
    Decisions,
}

impl PageKind {
    /// Every page kind, in the order error messages list them.
    pub const ALL: [PageKind; 8] = [
        PageKind::StandardGrid,
        PageKind::AttemptBoard,
        PageKind::AttemptBar,
        PageKind::LowerThird,
        PageKind::GenericTable,
        PageKind::TeamBoard,
        PageKind::Document,
        PageKind::Decisions,
    ];

    /// The wire id (`standard-grid`).
    pub fn as_str(self) -> &'static str {
        match self {
            PageKind::StandardGrid => "standard-grid",
            PageKind::AttemptBoard => "attempt-board",
            PageKind::AttemptBar => "attempt-bar",
            PageKind::LowerThird => "lower-third",
            PageKind::GenericTable => "generic-table",
            PageKind::TeamBoard => "team-board",
            PageKind::Document => "document",
            PageKind::Decisions => "decisions",
        }
    }

    /// The page kind of a wire id, if it is one.
    pub fn parse(id: &str) -> Option<PageKind> {
        PageKind::ALL.into_iter().find(|k| k.as_str() == id)
    }
}

impl fmt::Display for PageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id that names no page kind; its message lists the ones that exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPageKind(pub String);

impl fmt::Display for UnknownPageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = PageKind::ALL.iter().map(|k| k.as_str()).collect();
        write!(f, "expected one of {}, found {:?}", ids.join(", "), self.0)
    }
}

impl std::error::Error for UnknownPageKind {}

impl FromStr for PageKind {
    type Err = UnknownPageKind;
    fn from_str(id: &str) -> Result<Self, Self::Err> {
        PageKind::parse(id).ok_or_else(|| UnknownPageKind(id.to_owned()))
    }
}

impl Serialize for PageKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

// By hand rather than derived: plugin authors read this message in `config.json` errors.
impl<'de> Deserialize<'de> for PageKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let id = String::deserialize(d)?;
        id.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_under_its_id() {
        for kind in PageKind::ALL {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<PageKind>(&json).unwrap(), kind);
        }
        assert_eq!("team-board".parse(), Ok(PageKind::TeamBoard));
    }

    #[test]
    fn an_unknown_id_lists_the_known_ones() {
        let error = serde_json::from_str::<PageKind>("\"grid\"").unwrap_err().to_string();
        assert!(
            error.starts_with(
                "expected one of standard-grid, attempt-board, attempt-bar, lower-third, generic-table, team-board, document, decisions, found \"grid\""
            ),
            "{error}"
        );
    }
}
