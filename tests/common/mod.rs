//! Helpers shared by the integration tests.

use std::path::Path;
use std::process::{Command, Output};

/// Runs the kplan binary built for these tests.
pub fn kplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplan"))
        .args(args)
        .output()
        .expect("kplan runs")
}

/// The path of a bundled fixture (`fixtures/NAME`), as a string for the command line.
#[allow(dead_code)] // not every test binary reads fixtures
pub fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Writes a file readable by its owner only, as a client.properties holding credentials should be.
#[allow(dead_code)] // not every test binary writes credentials
pub fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// Runs `kplan snapshot` against `bootstrap`, sampling traffic for `sample`, with `extra` flags,
/// writing the snapshot to `out`.
#[allow(dead_code)] // not every test binary takes snapshots
pub fn snapshot(bootstrap: &str, sample: &str, extra: &[&str], out: &Path) -> Output {
    let out = out.to_str().expect("UTF-8 temp path");
    let mut args = vec![
        "snapshot",
        "--bootstrap-server",
        bootstrap,
        "--sample",
        sample,
    ];
    args.extend_from_slice(extra);
    args.extend(["-o", out]);
    kplan(&args)
}
