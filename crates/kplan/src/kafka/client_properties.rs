//! A Java `client.properties` (what `--command-config` names for Kafka's own tools), read into
//! connection settings. Secrets are kept in [`Secret`], whose `Debug` and `Display` print
//! `<redacted>`, so no log line or error can show them.

use std::collections::BTreeMap;
use std::path::Path;

use super::KafkaError;

/// A password or token. Formatting never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityProtocol {
    Plaintext,
    Ssl,
    SaslPlaintext,
    SaslSsl,
}

impl SecurityProtocol {
    pub fn uses_tls(self) -> bool {
        matches!(self, SecurityProtocol::Ssl | SecurityProtocol::SaslSsl)
    }
    pub fn uses_sasl(self) -> bool {
        matches!(
            self,
            SecurityProtocol::SaslPlaintext | SecurityProtocol::SaslSsl
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaslSettings {
    Plain {
        username: String,
        password: Secret,
    },
    ScramSha256 {
        username: String,
        password: Secret,
    },
    ScramSha512 {
        username: String,
        password: Secret,
    },
    OAuthBearer {
        token_endpoint: String,
        client_id: String,
        client_secret: Secret,
        scope: Option<String>,
        /// Who to trust for the token endpoint's certificate: the JAAS options
        /// `ssl.truststore.location` / `ssl.truststore.certificates`, as Kafka's login callback
        /// handler reads them; the default roots when absent.
        endpoint_trust: EndpointTrust,
    },
}

/// CA certificates for an HTTPS endpoint other than the brokers (PEM file or text).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointTrust {
    pub ca_file: Option<String>,
    pub ca_pem: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// PEM file of CA certificates (ssl.truststore.location with ssl.truststore.type=PEM).
    pub ca_file: Option<String>,
    /// PEM text of CA certificates (ssl.truststore.certificates).
    pub ca_pem: Option<String>,
    /// Client certificate chain and key for mTLS (PEM files or inline PEM).
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub cert_pem: Option<String>,
    pub key_pem: Option<Secret>,
    pub key_password: Option<Secret>,
}

/// Everything needed to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub bootstrap: String,
    pub protocol: SecurityProtocol,
    pub sasl: Option<SaslSettings>,
    pub tls: Option<TlsSettings>,
    pub client_id: String,
    pub request_timeout: std::time::Duration,
}

impl ConnectionSettings {
    /// The principal the settings authenticate as, for messages about missing ACLs: `User:`
    /// and the SASL user name, or the OAuth client (whose tokens' subject the broker maps).
    /// `None` for TLS client certificates and anonymous connections.
    pub fn principal(&self) -> Option<String> {
        match &self.sasl {
            Some(
                SaslSettings::Plain { username, .. }
                | SaslSettings::ScramSha256 { username, .. }
                | SaslSettings::ScramSha512 { username, .. },
            ) => Some(format!("User:{username}")),
            Some(SaslSettings::OAuthBearer { client_id, .. }) => {
                Some(format!("the OAuth client {client_id}"))
            }
            None => None,
        }
    }

    pub fn plaintext(bootstrap: impl Into<String>) -> Self {
        ConnectionSettings {
            bootstrap: bootstrap.into(),
            protocol: SecurityProtocol::Plaintext,
            sasl: None,
            tls: None,
            client_id: "kplan".to_owned(),
            request_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// A line of a properties file that Java would refuse (a malformed `\uXXXX` escape).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PropertiesSyntaxError {
    pub line: usize,
    pub message: String,
}

/// Reads a properties file the way Java's `Properties.load(InputStream)` does, which is how
/// Kafka's own tools read `--command-config`: ISO-8859-1 bytes, `key=value`, `key: value` or
/// `key value`, `#`/`!` comments, continuation lines, and the escapes `\uXXXX`, `\t`, `\n`,
/// `\:`, `\=`, `\\`. The parser is the `java-properties` crate; the same file therefore
/// means the same settings to kplan and to `kafka-reassign-partitions.sh`. Error messages carry
/// the line number, never the line's text (it may hold a password).
pub fn parse_properties(bytes: &[u8]) -> Result<BTreeMap<String, String>, PropertiesSyntaxError> {
    let mut out = BTreeMap::new();
    // The bytes are decoded here, not by `java-properties`: its default decoder is
    // windows-1252 with BOM sniffing, which is not what Java does (0x80–0x9F are C1 controls in
    // ISO-8859-1; a leading FE FF is "þÿ", not UTF-16), and after sniffing a UTF-16 BOM on an
    // odd-length file it calls its finished decoder again and panics inside encoding_rs (fuzz
    // finding, fuzz/findings/client_properties/). Each byte is the char of the same code point,
    // and the crate reads that text as UTF-8, which never starts with a BOM (every char here
    // encodes to ASCII or a C2/C3 lead byte) and never ends mid-character, so its decoder
    // finishes exactly once.
    let text: String = bytes.iter().copied().map(char::from).collect();
    java_properties::PropertiesIter::new_with_encoding(text.as_bytes(), encoding_rs::UTF_8)
        .read_into(|k, v| {
            out.insert(k, v);
        })
        .map_err(|e| {
            // Its Display appends " (line_number = N)"; the line is carried apart.
            let text = e.to_string();
            let message = text.split(" (line_number").next().unwrap_or(&text);
            PropertiesSyntaxError {
                line: e.line_number().unwrap_or(0),
                message: message.to_owned(),
            }
        })?;
    Ok(out)
}

/// Reads `key="value"` options of a JAAS line.
fn jaas_options(jaas: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let re = regex::Regex::new(r#"([A-Za-z0-9_.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))"#)
        .expect("static regex");
    for c in re.captures_iter(jaas) {
        let v = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
        out.insert(c[1].to_owned(), v.replace("\\\"", "\""));
    }
    out
}

/// Builds connection settings from `--bootstrap-server` and an optional properties file.
/// Refuses what kplan cannot do, and says what to use instead. `warn` receives warnings
/// (a properties file readable by others).
pub fn settings_from(
    bootstrap: &str,
    config: Option<&Path>,
    warn: &mut dyn FnMut(String),
) -> Result<ConnectionSettings, KafkaError> {
    let mut settings = ConnectionSettings::plaintext(bootstrap);
    let Some(path) = config else {
        return Ok(settings);
    };
    let props = ClientProperties::read(path, warn)?;
    if let Some(id) = props.get("client.id") {
        settings.client_id = id.clone();
    }
    if let Some(timeout) = props.request_timeout()? {
        settings.request_timeout = timeout;
    }
    settings.protocol = props.protocol()?;
    if settings.protocol.uses_sasl() {
        settings.sasl = Some(props.sasl()?);
    }
    if settings.protocol.uses_tls() {
        settings.tls = Some(props.tls()?);
    }
    Ok(settings)
}

/// A `client.properties` as read, named for its errors.
/// A value for an error message: quoted when it is one plain word, as every value these messages
/// are about should be; otherwise only its length. A trailing backslash folds the next line into
/// a value (`security.protocol=SASL_SSL\` before `sasl.jaas.config=... password="..."` makes the
/// protocol `SASL_SSLsasl.jaas.config=...`), so a value holding a separator (`=`, `:`, a space)
/// or a quote may carry another key's secret, and is never echoed — not even upper-cased.
fn shown(value: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./~+".contains(c);
    if !value.is_empty() && value.len() <= 64 && value.chars().all(plain) {
        format!("'{value}'")
    } else {
        format!(
            "the value ({} characters, not shown: it is not one word, so it may hold a line \
             folded into it by a trailing backslash)",
            value.chars().count()
        )
    }
}

struct ClientProperties {
    name: String,
    props: BTreeMap<String, String>,
}

impl ClientProperties {
    fn read(path: &Path, warn: &mut dyn FnMut(String)) -> Result<Self, KafkaError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| KafkaError::Settings(format!("cannot read {name}: {e}")))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if let Ok(meta) = std::fs::metadata(path) {
                if meta.permissions().mode() & 0o004 != 0 {
                    warn(format!(
                        "{name} is readable by every user on this machine; it may hold credentials (chmod 600 {name})"
                    ));
                }
            }
        }
        let props =
            parse_properties(&bytes).map_err(|e| KafkaError::Settings(format!("{name}: {e}")))?;
        Ok(ClientProperties { name, props })
    }

    fn get(&self, key: &str) -> Option<&String> {
        self.props.get(key)
    }

    /// An error naming the file and the key.
    fn bad(&self, key: &str, why: impl Into<String>) -> KafkaError {
        KafkaError::Settings(format!("{}: {key}: {}", self.name, why.into()))
    }

    fn request_timeout(&self) -> Result<Option<std::time::Duration>, KafkaError> {
        let Some(ms) = self
            .get("request.timeout.ms")
            .or_else(|| self.get("default.api.timeout.ms"))
        else {
            return Ok(None);
        };
        let ms: u64 = ms.parse().map_err(|_| {
            self.bad(
                "request.timeout.ms",
                format!("{} is not a number of milliseconds", shown(ms)),
            )
        })?;
        Ok(Some(std::time::Duration::from_millis(ms)))
    }

    fn protocol(&self) -> Result<SecurityProtocol, KafkaError> {
        Ok(
            match self
                .get("security.protocol")
                .map(|s| s.to_ascii_uppercase())
                .as_deref()
            {
                None | Some("PLAINTEXT") => SecurityProtocol::Plaintext,
                Some("SSL") => SecurityProtocol::Ssl,
                Some("SASL_PLAINTEXT") => SecurityProtocol::SaslPlaintext,
                Some("SASL_SSL") => SecurityProtocol::SaslSsl,
                Some(other) => {
                    return Err(self.bad(
                        "security.protocol",
                        format!(
                            "{} is not one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL",
                            shown(other)
                        ),
                    ))
                }
            },
        )
    }

    /// `sasl.mechanism` (GSSAPI when absent, as in Kafka) with its `sasl.jaas.config`.
    fn sasl(&self) -> Result<SaslSettings, KafkaError> {
        let mechanism = self.get("sasl.mechanism").map_or("GSSAPI", String::as_str);
        let jaas = self
            .get("sasl.jaas.config")
            .map(|j| jaas_options(j))
            .unwrap_or_default();
        let user_pass = || -> Result<(String, Secret), KafkaError> {
            match (jaas.get("username"), jaas.get("password")) {
                (Some(u), Some(p)) => Ok((u.clone(), Secret::new(p.clone()))),
                _ => Err(self.bad(
                    "sasl.jaas.config",
                    format!(
                        "{mechanism} needs username=\"...\" password=\"...\" in the login module"
                    ),
                )),
            }
        };
        Ok(match mechanism {
            "PLAIN" => {
                let (username, password) = user_pass()?;
                SaslSettings::Plain { username, password }
            }
            "SCRAM-SHA-256" => {
                let (username, password) = user_pass()?;
                SaslSettings::ScramSha256 { username, password }
            }
            "SCRAM-SHA-512" => {
                let (username, password) = user_pass()?;
                SaslSettings::ScramSha512 { username, password }
            }
            "OAUTHBEARER" => self.oauth_bearer(&jaas)?,
            "GSSAPI" => {
                return Err(self.bad(
                    "sasl.mechanism",
                    "GSSAPI (Kerberos) is not supported; use SCRAM-SHA-512, PLAIN over TLS, or OAUTHBEARER",
                ))
            }
            other => {
                return Err(self.bad(
                    "sasl.mechanism",
                    format!(
                        "{} is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER",
                        shown(other)
                    ),
                ))
            }
        })
    }

    /// OAUTHBEARER with the client credentials flow: the token endpoint, and the client id and
    /// secret of the login module.
    fn oauth_bearer(&self, jaas: &BTreeMap<String, String>) -> Result<SaslSettings, KafkaError> {
        let endpoint = self
            .get("sasl.oauthbearer.token.endpoint.url")
            .ok_or_else(|| {
                self.bad(
                    "sasl.oauthbearer.token.endpoint.url",
                    "OAUTHBEARER needs the token endpoint (client credentials flow)",
                )
            })?;
        // Errors about the endpoint quote it (krafka's included), so one that cannot be a URL —
        // a line folded into it by a trailing backslash, say — is refused here, unquoted.
        if endpoint.contains(|c: char| c.is_whitespace() || c == '"' || c == ';') {
            return Err(self.bad(
                "sasl.oauthbearer.token.endpoint.url",
                format!("{} is not a URL", shown(endpoint)),
            ));
        }
        let (Some(id), Some(secret)) = (jaas.get("clientId"), jaas.get("clientSecret")) else {
            return Err(self.bad(
                "sasl.jaas.config",
                "OAuthBearerLoginModule needs clientId=\"...\" clientSecret=\"...\"",
            ));
        };
        Ok(SaslSettings::OAuthBearer {
            token_endpoint: endpoint.clone(),
            client_id: id.clone(),
            client_secret: Secret::new(secret.clone()),
            scope: jaas.get("scope").cloned(),
            endpoint_trust: self.endpoint_trust(jaas)?,
        })
    }

    /// The token endpoint's trust store from the JAAS options (PEM only, as for the brokers).
    fn endpoint_trust(&self, jaas: &BTreeMap<String, String>) -> Result<EndpointTrust, KafkaError> {
        let location = jaas.get("ssl.truststore.location");
        match jaas.get("ssl.truststore.type").map(|t| t.to_ascii_uppercase()) {
            None if location.is_some_and(|l| !l.to_ascii_lowercase().ends_with(".pem")) => {
                return Err(self.bad(
                    "sasl.jaas.config",
                    "the token endpoint's ssl.truststore.location needs ssl.truststore.type=\"PEM\" (kplan reads PEM only)",
                ))
            }
            Some(t) if t != "PEM" => {
                return Err(self.bad(
                    "sasl.jaas.config",
                    format!(
                        "the token endpoint's ssl.truststore.type {} is not supported; convert it to PEM",
                        shown(&t)
                    ),
                ))
            }
            _ => {}
        }
        Ok(EndpointTrust {
            ca_file: location.cloned(),
            ca_pem: jaas.get("ssl.truststore.certificates").cloned(),
        })
    }

    /// PEM trust and key material; hostname verification stays on.
    fn tls(&self) -> Result<TlsSettings, KafkaError> {
        if self
            .get("ssl.endpoint.identification.algorithm")
            .is_some_and(|v| v.is_empty())
        {
            return Err(self.bad(
                "ssl.endpoint.identification.algorithm",
                "turning off hostname verification is not supported; use a certificate that names the broker",
            ));
        }
        self.check_store(
            "truststore",
            "ssl.truststore.type",
            "ssl.truststore.location",
        )?;
        self.check_store("keystore", "ssl.keystore.type", "ssl.keystore.location")?;
        let keystore = self.get("ssl.keystore.location").cloned();
        Ok(TlsSettings {
            ca_file: self.get("ssl.truststore.location").cloned(),
            ca_pem: self.get("ssl.truststore.certificates").cloned(),
            // A PEM keystore file holds the key and the certificate chain together.
            cert_file: keystore.clone(),
            key_file: keystore,
            cert_pem: self.get("ssl.keystore.certificate.chain").cloned(),
            key_pem: self.get("ssl.keystore.key").cloned().map(Secret::new),
            key_password: self.get("ssl.key.password").cloned().map(Secret::new),
        })
    }

    /// Only PEM stores are read; JKS and PKCS12 (Java's defaults) are refused with how to
    /// convert them.
    fn check_store(&self, kind: &str, type_key: &str, loc_key: &str) -> Result<(), KafkaError> {
        let loc = self.get(loc_key);
        let looks_binary = loc.is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            l.ends_with(".jks") || l.ends_with(".p12") || l.ends_with(".pfx")
        });
        match self.get(type_key).map(|t| t.to_ascii_uppercase()).as_deref() {
            Some("PEM") => Ok(()),
            Some(other @ ("JKS" | "PKCS12")) => Err(self.bad(type_key, format!(
                "{other} {kind}s are not supported; convert to PEM (e.g. keytool -exportcert -rfc, or openssl pkcs12 -nodes) and set {type_key}=PEM"
            ))),
            Some(other) => Err(self.bad(type_key, format!("{} is not supported; use PEM", shown(other)))),
            None if looks_binary => Err(self.bad(loc_key, format!(
                "{} looks like a JKS/PKCS12 {kind} (Java's default type); convert it to PEM and set {type_key}=PEM",
                shown(loc.map(String::as_str).unwrap_or_default())
            ))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(text: &str) -> Result<ConnectionSettings, KafkaError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("client.properties");
        std::fs::write(&p, text).unwrap();
        settings_from("b:9092", Some(&p), &mut |_| {})
    }

    #[test]
    fn properties_syntax() {
        let p = parse_properties(b"# c\na=1\nb : 2\nc 3\nlong=x\\\n  y\n! other\n").unwrap();
        assert_eq!(p["a"], "1");
        assert_eq!(p["b"], "2");
        assert_eq!(p["c"], "3");
        assert_eq!(p["long"], "xy");
    }

    /// Escapes as `java.util.Properties` reads them.
    #[test]
    fn properties_escapes_as_java_reads_them() {
        let p = parse_properties(
            br"ssl.truststore.location=C:\\certs\\ca.pem
key\:with\=seps = v
caf\u00e9=\u0041BC
tab=a\tb
plain.backslash=a\b
",
        )
        .unwrap();
        assert_eq!(p["ssl.truststore.location"], r"C:\certs\ca.pem");
        assert_eq!(p["key:with=seps"], "v");
        assert_eq!(p["caf\u{e9}"], "ABC");
        assert_eq!(p["tab"], "a\tb");
        // Java drops a backslash before an ordinary character.
        assert_eq!(p["plain.backslash"], "ab");
        // ISO-8859-1, as Java's Properties.load(InputStream): byte 0xE9 is é.
        assert_eq!(parse_properties(b"k=caf\xe9").unwrap()["k"], "caf\u{e9}");
    }

    /// Every byte is the char of its own code point, as Java reads ISO-8859-1: 0x80 is U+0080
    /// (not windows-1252's €), and a leading UTF-8 or UTF-16 byte-order mark is text, not a
    /// switch of encoding.
    #[test]
    fn bytes_are_iso_8859_1_without_bom_sniffing() {
        assert_eq!(
            parse_properties(b"k=\x80\x9f\xff").unwrap()["k"],
            "\u{80}\u{9f}\u{ff}"
        );
        let p = parse_properties(b"\xfe\xffk=v\n").unwrap();
        assert_eq!(p["\u{fe}\u{ff}k"], "v");
        let p = parse_properties(b"\xef\xbb\xbfk=v").unwrap();
        assert_eq!(p["\u{ef}\u{bb}\u{bf}k"], "v");
    }

    /// The second fuzz finding (fuzz/findings/client_properties/crash-baee…): an odd run of
    /// backslashes ends `security.protocol`'s line, so the JAAS line the fuzz target appends is
    /// folded into the protocol, and the error quoted that value — password and client secret
    /// included, upper-cased. A value that is not one plain word is now described, not shown.
    #[test]
    fn a_value_with_a_folded_line_is_never_echoed() {
        let finding: &[u8] = include_bytes!(
            "../../../../fuzz/findings/client_properties/crash-baee53db0312f06b529b2f81e025076f7be529c9"
        );
        let mut file = finding[1..].to_vec();
        file.extend_from_slice(
            b"\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
              username=\"fuzz\" password=\"Zq8pw-SENTINEL-7Kx\";\n",
        );
        let e = settings(&String::from_utf8_lossy(&file))
            .unwrap_err()
            .to_string();
        assert!(!e.to_ascii_lowercase().contains("sentinel"), "{e}");
        assert!(e.contains("security.protocol: the value ("), "{e}");
        // Every key that quotes its value, folded into the next line the same way.
        for key in [
            "security.protocol",
            "sasl.mechanism",
            "request.timeout.ms",
            "ssl.truststore.type",
            "ssl.keystore.type",
        ] {
            let protocol = if key == "sasl.mechanism" {
                "SASL_SSL"
            } else {
                "SSL"
            };
            let text = format!(
                "security.protocol={protocol}\n{key}=x\\\n  ssl.key.password=Hunter2-secret\n"
            );
            let e = settings(&text).unwrap_err().to_string();
            assert!(!e.to_ascii_lowercase().contains("hunter2"), "{key}: {e}");
            assert!(e.contains(&format!("{key}: the value (")), "{key}: {e}");
        }
        // A token endpoint with the JAAS line folded into it.
        let e = settings(
            "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n\
             sasl.oauthbearer.token.endpoint.url=https://idp/token\\\n\
             sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule \
             required clientId=\"c\" clientSecret=\"Hunter2-secret\";\n\
             sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule \
             required clientId=\"c\" clientSecret=\"other\";\n",
        )
        .unwrap_err()
        .to_string();
        assert!(!e.to_ascii_lowercase().contains("hunter2"), "{e}");
        assert!(e.contains("is not a URL"), "{e}");
        // A plain mistyped word is still quoted, so the operator sees the typo.
        let e = settings("security.protocol=SASL_SLL\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'SASL_SLL' is not one of"), "{e}");
    }

    /// The fuzz finding (fuzz/findings/client_properties/): NUL bytes, a leading FE FF and blank
    /// lines made `java-properties` panic inside encoding_rs ("Must not use a decoder that has
    /// finished"). Java reads it as two keys; so does kplan, and the settings name nothing wrong.
    #[test]
    fn the_fuzz_findings_bytes_parse_without_a_panic() {
        let finding: &[u8] = include_bytes!(
            "../../../../fuzz/findings/client_properties/crash-30ce6f6d4c4f2738bd317c50311de804d503f351"
        );
        // The fuzz target's first byte chooses a mode; the file is the rest.
        let file = &finding[1..];
        let p = parse_properties(file).unwrap();
        let first = p
            .keys()
            .find(|k| k.starts_with('\u{fe}'))
            .expect("first key");
        assert!(
            first.starts_with("\u{fe}\u{ff}\u{ff}\u{ff}se%uritp"),
            "{first:?}"
        );
        // Odd-length variants too, with every line ending (the panic needed an odd length after
        // a UTF-16 byte-order mark).
        for end in [&b""[..], b"\n", b"\r", b"\r\n", b"\\", b"\\\n"] {
            for cut in [file.len(), file.len() - 1] {
                let mut bytes = file[..cut].to_vec();
                bytes.extend_from_slice(end);
                assert!(parse_properties(&bytes).is_ok());
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("client.properties");
        std::fs::write(&path, file).unwrap();
        let s = settings_from("b:9092", Some(&path), &mut |_| {}).unwrap();
        assert_eq!(s.protocol, SecurityProtocol::Plaintext);
    }

    #[test]
    fn malformed_escape_names_the_line_not_the_value() {
        let e = parse_properties(b"a=1\npassword=hunter\\u12zwombat\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = settings("security.protocol=SASL_PLAINTEXT\npassword=hunter\\u12zwombat\n")
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains("client.properties: line 2"), "{text}");
        assert!(
            !text.contains("hunter") && !text.contains("wombat"),
            "{text}"
        );
    }

    #[test]
    fn scram_over_ssl_with_pem_truststore() {
        let s = settings(
            "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\n\
             sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"p@ss;word\";\n\
             ssl.truststore.type=PEM\nssl.truststore.location=/etc/ca.pem\nclient.id=ops\n",
        )
        .unwrap();
        assert_eq!(s.protocol, SecurityProtocol::SaslSsl);
        assert_eq!(
            s.sasl,
            Some(SaslSettings::ScramSha512 {
                username: "alice".into(),
                password: Secret::new("p@ss;word")
            })
        );
        assert_eq!(s.tls.unwrap().ca_file.as_deref(), Some("/etc/ca.pem"));
        assert_eq!(s.client_id, "ops");
        assert!(
            !format!("{:?}", s.sasl).contains("p@ss"),
            "secrets never print"
        );
    }

    #[test]
    fn refusals_say_what_to_use_instead() {
        let e =
            settings("security.protocol=SSL\nssl.truststore.location=/etc/kafka/truststore.jks\n")
                .unwrap_err();
        assert!(e.to_string().contains("convert it to PEM"), "{e}");
        let e = settings("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=GSSAPI\n").unwrap_err();
        assert!(e.to_string().contains("SCRAM"), "{e}");
        let e = settings("security.protocol=SSL\nssl.keystore.type=PKCS12\n").unwrap_err();
        assert!(e.to_string().contains("PEM"), "{e}");
        let e = settings("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n").unwrap_err();
        assert!(e.to_string().contains("username"), "{e}");
    }
}
