//! A stable 64-bit FNV-1a hash as 16 hex digits: the same text gives the same hash on every
//! machine and release (plan digests in state files, anonymized names in snapshots).

pub fn stable_hash(text: &str) -> String {
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_value_and_stability() {
        assert_eq!(stable_hash(""), "cbf29ce484222325");
        assert_eq!(stable_hash("orders"), stable_hash("orders"));
        assert_ne!(stable_hash("orders"), stable_hash("payments"));
    }
}
