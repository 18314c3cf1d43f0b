//! How results look: tables ([`tables`]), progress bars ([`progress`]), human-readable numbers
//! ([`human`]), and the lines and JSON events of an execution ([`execute_output`]). The
//! commands compute nothing here; they hand over what the core returned.

pub mod execute_output;
pub mod human;
pub mod progress;
pub mod tables;
