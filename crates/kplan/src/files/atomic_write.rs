use std::io::Write;
use std::path::{Path, PathBuf};

use super::FileError;

/// Writes `contents` to `path` atomically: a temporary file in the same directory, synced, then
/// renamed over the target, and the directory synced so the rename itself survives a power
/// loss. A crash or an error never leaves a half-written plan behind: a reader sees the old
/// file or the new one (a process killed mid-write may leave its `.NAME.PID.tmp` behind).
///
/// Only a regular file is replaced. A rename over `/dev/null` or `/dev/stdout` (`-o /dev/null`
/// is how an operator discards an output) would put a regular file where the device was — as
/// root, for every process on the machine — so a device, FIFO or socket is written in place,
/// where atomicity means nothing anyway. A symlink is followed: the file it names is replaced and
/// the link stays.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let io = |error| FileError::Io {
        path: path.to_owned(),
        error,
    };
    if is_special_file(path) {
        return write_in_place(path, contents).map_err(io);
    }
    let target = symlink_target(path);
    replace_by_rename(&target, contents).map_err(io)
}

/// True for an existing path (symlinks followed) that is neither a regular file nor a directory.
fn is_special_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The file a symlink names (resolved fully), or `path` itself.
fn symlink_target(path: &Path) -> PathBuf {
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if is_link {
        if let Ok(resolved) = std::fs::canonicalize(path) {
            return resolved;
        }
    }
    path.to_owned()
}

fn write_in_place(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.write_all(contents)?;
    f.flush()
}

fn replace_by_rename(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Makes a rename in `dir` durable (on Unix a directory is opened and synced like a file;
/// elsewhere the rename is as durable as the platform makes it).
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn writes_and_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plan.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }

    #[test]
    fn missing_directory_is_an_error_naming_the_file() {
        let err = write_atomic(Path::new("/nonexistent-dir/x/plan.json"), b"x").unwrap_err();
        assert!(err.to_string().starts_with("/nonexistent-dir/x/plan.json:"));
    }

    #[test]
    fn a_symlink_keeps_pointing_at_the_replaced_file() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        let link = dir.path().join("plan.json");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "the link was replaced by a file"
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    /// A FIFO stands for every non-regular target (`/dev/null`, `/dev/stdout`): it is written
    /// through, never renamed over. (The test does not touch `/dev/null` itself: if it failed,
    /// it would break the machine it runs on.)
    #[test]
    fn a_fifo_is_written_through_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("out.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo failed");
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut text = String::new();
                std::fs::File::open(&fifo)
                    .unwrap()
                    .read_to_string(&mut text)
                    .unwrap();
                text
            })
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        let meta = std::fs::symlink_metadata(&fifo).unwrap();
        assert!(
            std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()),
            "the FIFO was replaced by a regular file"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
