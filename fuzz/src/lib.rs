//! Helpers shared by the fuzz targets: every target checks more than "no panic" where it can.

/// The name every target gives its input; errors must carry it.
pub const NAME: &str = "fuzz-input.json";

/// Files are read with `read_to_string`: bytes that are not UTF-8 stop at the I/O error, which
/// names the file, so the parsers only ever see text.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// An error a user sees must start with the file it is about.
pub fn assert_names_file(error: &str, name: &str) {
    assert!(
        error.starts_with(name),
        "the error does not name the file {name}: {error}"
    );
}

pub mod sim_requests;
