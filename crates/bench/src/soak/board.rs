//! One viewer's current board, rebuilt from its `/api/stream` frames as a browser does: a
//! `view` frame (id = content id, data = the envelope, byte for byte `/api/view`) replaces it;
//! a `patch` frame (`{"base": <id>, "patch": [RFC 6902 ops]}`) edits the envelope whose id is
//! `base`, and the result, serialised compactly, is the new envelope.

use serde_json::Value;

/// Event names of the frames that carry a board.
pub const VIEW: &str = "view";
/// See [`VIEW`].
pub const PATCH: &str = "patch";

/// A frame that cannot be applied to the board.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BoardError {
    /// A patch for another envelope than the one shown (a frame was lost or reordered).
    #[error("patch {id} is based on {base}, but the board is at {current:?}")]
    WrongBase {
        /// The patch's new id.
        id: String,
        /// The envelope it applies to.
        base: String,
        /// The envelope the board has.
        current: Option<String>,
    },
    /// The frame's data is not what its kind says.
    #[error("unreadable {kind} frame: {reason}")]
    Unreadable {
        /// `view` or `patch`.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The patch's operations fail on the envelope (a path that is not there, a failed test).
    #[error("patch {id} does not apply: {reason}")]
    Patch {
        /// The patch's new id.
        id: String,
        /// json-patch's message.
        reason: String,
    },
}

/// The board a viewer shows: the envelope's bytes and id, parsed only when a patch needs it.
#[derive(Debug, Clone, Default)]
pub struct Board {
    id: Option<String>,
    bytes: Vec<u8>,
    parsed: Option<Value>,
}

impl Board {
    /// The id of the envelope shown (`None` before the first view).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The envelope shown, as `/api/view` would send it.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Applies a `view` or `patch` frame; other events leave the board alone (`Ok(false)`).
    /// `Ok(true)` when the board changed.
    pub fn apply(&mut self, event: &str, id: &str, data: &str) -> Result<bool, BoardError> {
        match event {
            VIEW => {
                // Views come often and are compared as bytes: parse them only for a patch.
                self.bytes = data.as_bytes().to_vec();
                self.parsed = None;
                self.id = Some(id.to_owned());
                Ok(true)
            }
            PATCH => self.patch(id, data).map(|()| true),
            _ => Ok(false),
        }
    }

    fn patch(&mut self, id: &str, data: &str) -> Result<(), BoardError> {
        let unreadable = |reason: String| BoardError::Unreadable { kind: PATCH, reason };
        let frame: Value = serde_json::from_str(data).map_err(|e| unreadable(e.to_string()))?;
        let base = frame["base"].as_str().ok_or_else(|| unreadable("no \"base\"".into()))?;
        if self.id.as_deref() != Some(base) {
            return Err(BoardError::WrongBase { id: id.to_owned(), base: base.to_owned(), current: self.id.clone() });
        }
        let ops: json_patch::Patch =
            serde_json::from_value(frame["patch"].clone()).map_err(|e| unreadable(e.to_string()))?;
        let mut envelope = match self.parsed.take() {
            Some(value) => value,
            None => serde_json::from_slice(&self.bytes)
                .map_err(|e| BoardError::Unreadable { kind: VIEW, reason: e.to_string() })?,
        };
        json_patch::patch(&mut envelope, &ops)
            .map_err(|e| BoardError::Patch { id: id.to_owned(), reason: e.to_string() })?;
        self.bytes = serde_json::to_vec(&envelope).expect("a JSON value serialises");
        self.parsed = Some(envelope);
        self.id = Some(id.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIRST: &str = r#"{"plugin":"lifting-order","page":"standard-grid","fop":"A","lang":"en","options":{},"view":{"title":"Lifting Order","rows":[{"name":"KVÆRNØ, Ola","weight":"120"},{"name":"DUBOIS, Léa","weight":"85"}]}}"#;

    fn viewing() -> Board {
        let mut board = Board::default();
        assert_eq!(board.apply(VIEW, "v1", FIRST), Ok(true));
        board
    }

    #[test]
    fn a_view_replaces_the_board_byte_for_byte() {
        let board = viewing();
        assert_eq!((board.id(), board.bytes()), (Some("v1"), FIRST.as_bytes()));
        let mut board = board;
        assert_eq!(board.apply("clock", "", r#"{"x":1}"#), Ok(false), "clocks do not touch the board");
        assert_eq!(board.bytes(), FIRST.as_bytes());
    }

    #[test]
    fn a_patch_edits_the_envelope_of_its_base_and_keeps_key_order() {
        let mut board = viewing();
        let patch = r#"{"base":"v1","patch":[
            {"op":"replace","path":"/view/rows/0/weight","value":"121"},
            {"op":"add","path":"/view/rows/-","value":{"name":"TANAKA, Aiko","weight":"70"}},
            {"op":"remove","path":"/view/rows/1"},
            {"op":"add","path":"/view/subtitle","value":"Session 2"}]}"#;
        assert_eq!(board.apply(PATCH, "v2", patch), Ok(true));
        let expected = r#"{"plugin":"lifting-order","page":"standard-grid","fop":"A","lang":"en","options":{},"view":{"title":"Lifting Order","rows":[{"name":"KVÆRNØ, Ola","weight":"121"},{"name":"TANAKA, Aiko","weight":"70"}],"subtitle":"Session 2"}}"#;
        assert_eq!(std::str::from_utf8(board.bytes()).unwrap(), expected);
        assert_eq!(board.id(), Some("v2"));
        // A second patch builds on the first (the parsed envelope is kept).
        let again = r#"{"base":"v2","patch":[{"op":"replace","path":"/view/title","value":"Ordre"}]}"#;
        board.apply(PATCH, "v3", again).unwrap();
        assert!(std::str::from_utf8(board.bytes()).unwrap().contains(r#""title":"Ordre","rows""#));
    }

    #[test]
    fn a_patch_on_another_base_or_a_bad_path_is_refused_and_changes_nothing() {
        let mut board = viewing();
        let stale = r#"{"base":"v0","patch":[{"op":"replace","path":"/view/title","value":"x"}]}"#;
        assert!(matches!(board.apply(PATCH, "v2", stale), Err(BoardError::WrongBase { .. })));
        let missing = r#"{"base":"v1","patch":[{"op":"replace","path":"/view/nothing/here","value":"x"}]}"#;
        assert!(matches!(board.apply(PATCH, "v2", missing), Err(BoardError::Patch { .. })));
        assert!(matches!(board.apply(PATCH, "v2", "[]"), Err(BoardError::Unreadable { .. })));
        assert_eq!((board.id(), board.bytes()), (Some("v1"), FIRST.as_bytes()));
        // Nothing shown yet: any patch is out of order.
        let mut empty = Board::default();
        let patch = r#"{"base":"v1","patch":[]}"#;
        assert_eq!(
            empty.apply(PATCH, "v2", patch),
            Err(BoardError::WrongBase { id: "v2".into(), base: "v1".into(), current: None })
        );
    }
}
