//! Human-readable numbers for tables: the library's formats, so a table and an error message
//! print a number the same way.

pub use kplan::human::{bytes, duration, rate};
