//! How results look: tables ([`tables`]), progress bars ([`progress`]), human-readable numbers
//! ([`human`]), Unicode bars ([`bars`]), the review report of a plan ([`review`], as HTML and
//! Markdown), the copy-time estimate ([`copy_time`]), and the lines and JSON events of an
//! execution ([`execute_output`]). The commands compute nothing here; they hand over what the
//! core returned.

pub mod bars;
pub mod copy_time;
pub mod execute_output;
pub mod human;
pub mod progress;
pub mod review;
pub mod review_html;
pub mod review_markdown;
pub mod tables;
