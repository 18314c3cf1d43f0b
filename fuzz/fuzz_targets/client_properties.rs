//! `client.properties` (`--command-config`), read as Java's `Properties.load` reads it, then
//! turned into connection settings with SASL/JAAS, OAuth and TLS options.
//!
//! Half the inputs are taken as they are; the other half get a JAAS line with a known password
//! and client secret appended, and then no error, warning or `Debug` output may show either —
//! even when the fuzzer's own bytes (a trailing backslash, say) fold that line into another key.
#![no_main]

use std::io::Write;

use kplan::kafka::{parse_properties, settings_from, ConnectionSettings, SaslSettings};
use libfuzzer_sys::fuzz_target;

const PASSWORD: &str = "Zq8pw-SENTINEL-7Kx";
const CLIENT_SECRET: &str = "Zq8cs-SENTINEL-9Lm";

fn jaas_line() -> String {
    format!(
        "\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
         username=\"fuzz\" password=\"{PASSWORD}\" clientId=\"fuzz\" clientSecret=\"{CLIENT_SECRET}\";\n"
    )
}

fn shows_a_secret(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    [PASSWORD, CLIENT_SECRET]
        .iter()
        .any(|s| upper.contains(&s.to_ascii_uppercase()))
}

/// The settings' non-secret text (everything Debug may show) and the SASL secret, if any.
fn split_secret(s: &ConnectionSettings) -> Option<(String, String)> {
    let (public, secret) = match s.sasl.as_ref()? {
        SaslSettings::Plain { username, password }
        | SaslSettings::ScramSha256 { username, password }
        | SaslSettings::ScramSha512 { username, password } => {
            (username.clone(), password.expose().to_owned())
        }
        SaslSettings::OAuthBearer {
            token_endpoint,
            client_id,
            client_secret,
            scope,
            ..
        } => (
            format!("{token_endpoint} {client_id} {scope:?}"),
            client_secret.expose().to_owned(),
        ),
    };
    let mut rest = s.clone();
    rest.sasl = None;
    Some((format!("{rest:?} {public}"), secret))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    if shows_a_secret(&String::from_utf8_lossy(body)) {
        return; // the fuzzer wrote the sentinel itself: it may show, as any other text
    }
    let mut bytes = body.to_vec();
    let with_secret = mode & 1 == 1;
    if with_secret {
        bytes.extend_from_slice(jaas_line().as_bytes());
    }
    let parsed = parse_properties(&bytes);
    if let Err(e) = &parsed {
        assert!(e.line >= 1, "a syntax error without a line: {e}");
        if with_secret {
            assert!(!shows_a_secret(&e.to_string()), "{e}");
        }
    }

    let path = std::env::temp_dir().join(format!("kplan-fuzz-{}.properties", std::process::id()));
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("temp file");
    let mut warnings = Vec::new();
    let settings = settings_from("localhost:9092", Some(&path), &mut |w| warnings.push(w));
    let name = path.display().to_string();
    if parsed.is_err() {
        assert!(settings.is_err(), "settings from a file Java would refuse");
    }
    match &settings {
        Ok(s) => {
            let debug = format!("{s:?}");
            if with_secret {
                assert!(!shows_a_secret(&debug), "{debug}");
            }
            // Whatever the file says, a secret never prints through Debug.
            if let Some((public, secret)) = split_secret(s) {
                let debug_sasl = format!("{:?}", s.sasl);
                if secret.len() >= 12 && !public.contains(&secret) {
                    assert!(!debug_sasl.contains(&secret), "{debug_sasl}");
                }
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(&name),
                "the error does not name the file: {text}"
            );
            if with_secret {
                assert!(!shows_a_secret(&text), "{text}");
            }
        }
    }
    for w in &warnings {
        assert!(!with_secret || !shows_a_secret(w), "{w}");
    }
});
