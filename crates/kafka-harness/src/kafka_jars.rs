//! Apache Kafka's jars: the version pinned in `tests/kafka/pom.xml`, copied by Maven into a cache
//! outside the checkout (`/var/tmp/kplan-kafka-jars/<version>`, or `$KPLAN_KAFKA_JARS`) so every
//! later run on the machine — CI's included — starts without the network.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::HarnessError;

/// The pom that pins Kafka; its `<kafka.version>` is the one version the harness knows of.
const POM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/kafka/pom.xml");

/// Written last into the cache directory: a directory without it is an interrupted copy.
const COMPLETE: &str = ".complete";

/// A directory holding the broker, its tools and all their runtime dependencies.
#[derive(Clone, Debug)]
pub struct KafkaJars {
    pub version: String,
    pub dir: PathBuf,
}

impl KafkaJars {
    /// The pinned version, from the pom.
    pub fn pinned_version() -> Result<String, HarnessError> {
        let pom =
            std::fs::read_to_string(POM).map_err(HarnessError::io(format!("reading {POM}")))?;
        let start = pom
            .find("<kafka.version>")
            .map(|i| i + "<kafka.version>".len())
            .ok_or_else(|| HarnessError::Spec(format!("{POM} has no <kafka.version>")))?;
        let end = pom[start..]
            .find('<')
            .ok_or_else(|| HarnessError::Spec(format!("{POM}: unterminated <kafka.version>")))?;
        Ok(pom[start..start + end].trim().to_owned())
    }

    /// Where the jars of `version` are cached.
    pub fn cache_dir(version: &str) -> PathBuf {
        match std::env::var_os("KPLAN_KAFKA_JARS") {
            Some(d) => PathBuf::from(d),
            None => PathBuf::from("/var/tmp/kplan-kafka-jars").join(version),
        }
    }

    /// The cached jars, fetched first with `mvn dependency:copy-dependencies` when missing.
    pub fn ensure() -> Result<Self, HarnessError> {
        let version = Self::pinned_version()?;
        let dir = Self::cache_dir(&version);
        if !dir.join(COMPLETE).exists() {
            fetch(&dir)?;
        }
        Ok(KafkaJars { version, dir })
    }

    /// The JVM classpath: every jar in the directory.
    pub fn classpath(&self) -> String {
        format!("{}/*", self.dir.display())
    }
}

/// Copies the dependencies into a fresh sibling directory, then renames it into place, so two
/// runs racing for the same cache never see half a directory.
fn fetch(dir: &Path) -> Result<(), HarnessError> {
    let parent = dir.parent().unwrap_or(Path::new("/var/tmp"));
    std::fs::create_dir_all(parent)
        .map_err(HarnessError::io(format!("creating {}", parent.display())))?;
    let staging = parent.join(format!(
        ".{}.{}",
        dir.file_name().and_then(|n| n.to_str()).unwrap_or("jars"),
        std::process::id()
    ));
    let log = parent.join(format!("mvn-{}.log", std::process::id()));
    let log_file = std::fs::File::create(&log)
        .map_err(HarnessError::io(format!("creating {}", log.display())))?;
    let status = Command::new("mvn")
        .args([
            "-B",
            "-q",
            "-f",
            POM,
            "dependency:copy-dependencies",
            "-DincludeScope=runtime",
        ])
        .arg(format!("-DoutputDirectory={}", staging.display()))
        .stdout(log_file.try_clone().map_err(HarnessError::io("log file"))?)
        .stderr(log_file)
        .status()
        .map_err(|e| HarnessError::Fetch {
            log: log.clone(),
            message: format!("cannot run mvn: {e}"),
        })?;
    if !status.success() {
        return Err(HarnessError::Fetch {
            log,
            message: format!("mvn exited with {status}"),
        });
    }
    std::fs::write(staging.join(COMPLETE), "")
        .map_err(HarnessError::io("marking the jar cache complete"))?;
    if dir.exists() && !dir.join(COMPLETE).exists() {
        // An interrupted copy from an earlier run.
        let _ = std::fs::remove_dir_all(dir);
    }
    match std::fs::rename(&staging, dir) {
        Ok(()) => {}
        // Another run finished first: its copy is as good as ours.
        Err(_) if dir.join(COMPLETE).exists() => {
            let _ = std::fs::remove_dir_all(&staging);
        }
        Err(e) => {
            return Err(HarnessError::io(format!(
                "moving the jars to {}",
                dir.display()
            ))(e))
        }
    }
    let _ = std::fs::remove_file(&log);
    Ok(())
}
