//! The landing page and the page kinds (renderers) a plugin can name in its `page` field.

pub mod board;
pub mod ceremony;
pub mod decisions;
pub mod document;
pub mod grid;
pub mod json_tree;
pub mod landing;
pub mod options;
pub mod overlays;
pub mod page;
pub mod render;
pub mod table;
pub mod team_board;
pub mod workbench;
