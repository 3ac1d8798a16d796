//! The landing page and the page kinds (renderers) a plugin can name in its `page` field.

pub mod board;
pub mod document;
pub mod grid;
pub mod landing;
pub mod overlays;
pub mod page;
pub mod table;
pub mod team_board;
