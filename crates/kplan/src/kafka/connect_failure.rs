//! Why a connection failed, in an operator's words. krafka reports a TLS or SASL failure with the
//! library's own terms (`invalid peer certificate: UnknownIssuer`, `received fatal alert:
//! BadCertificate`); kplan says which side refused what, and which setting of the
//! client.properties to look at. The client's own message follows, trimmed of the list of
//! addresses it tried (the bootstrap servers are already named).

use super::client_properties::{ConnectionSettings, SaslSettings, TlsSettings};

/// The reason for `message` (a failed connect's error text) under `settings`, when it is a
/// security failure kplan recognises; the client's detail goes after it.
pub(super) fn explain(settings: &ConnectionSettings, message: &str) -> String {
    let detail = trimmed(message);
    match reason(settings, message) {
        Some(why) => format!("{why} ({detail})"),
        None => detail.to_owned(),
    }
}

/// The client's message without "could not connect to any of [a, b, c]" wrappers.
fn trimmed(message: &str) -> &str {
    let mut rest = message;
    for marker in ["; last error: ", "]: "] {
        if let Some((_, after)) = rest.rsplit_once(marker) {
            rest = after;
        }
    }
    rest.strip_prefix("network error: ").unwrap_or(rest)
}

fn reason(settings: &ConnectionSettings, m: &str) -> Option<String> {
    if let Some(SaslSettings::OAuthBearer {
        token_endpoint,
        client_id,
        ..
    }) = &settings.sasl
    {
        if m.contains("token endpoint") {
            return Some(if m.contains("invalid peer certificate") {
                format!(
                    "the OAuth token endpoint {token_endpoint} presented a TLS certificate kplan does not trust (give its CA as ssl.truststore.location=\"…\" in sasl.jaas.config)"
                )
            } else {
                format!(
                    "the OAuth token endpoint {token_endpoint} issued no token for client {client_id}"
                )
            });
        }
    }
    if m.contains("UnknownIssuer") || m.contains("BadSignature") {
        return Some(format!(
            "TLS: the broker's certificate is not trusted: no CA in {} signed it",
            trust_source(settings.tls.as_ref())
        ));
    }
    if m.contains("certificate expired") {
        return Some("TLS: the broker's certificate has expired".to_owned());
    }
    if m.contains("NotValidYet") || m.contains("not valid before") {
        return Some("TLS: the broker's certificate is not valid yet".to_owned());
    }
    if m.contains("not valid for name") {
        return Some(
            "TLS: the broker's certificate is not valid for the address kplan connected to (hostname verification is always on: the certificate must name the host of --bootstrap-server and of the brokers' advertised listeners)".to_owned(),
        );
    }
    if m.contains("BadCertificate")
        || m.contains("CertificateRequired")
        || m.contains("UnknownCA")
        || m.contains("CertificateUnknown")
    {
        let has_cert = settings
            .tls
            .as_ref()
            .is_some_and(|t| t.cert_file.is_some() || t.cert_pem.is_some());
        return Some(if has_cert {
            "TLS: the broker rejected kplan's client certificate (is it signed by a CA in the broker's truststore, and not expired?)".to_owned()
        } else {
            "TLS: the broker requires a client certificate (mutual TLS) and none is configured: set ssl.keystore.location, or ssl.keystore.certificate.chain and ssl.keystore.key".to_owned()
        });
    }
    if m.contains("SaslAuthenticationFailed") || m.contains("SASL authentication") {
        let (mechanism, who) = match &settings.sasl {
            Some(SaslSettings::Plain { username, .. }) => ("PLAIN", username.as_str()),
            Some(SaslSettings::ScramSha256 { username, .. }) => {
                ("SCRAM-SHA-256", username.as_str())
            }
            Some(SaslSettings::ScramSha512 { username, .. }) => {
                ("SCRAM-SHA-512", username.as_str())
            }
            Some(SaslSettings::OAuthBearer { client_id, .. }) => {
                ("OAUTHBEARER", client_id.as_str())
            }
            None => return None,
        };
        return Some(format!(
            "{mechanism} authentication of user {who} failed: wrong user name or password, no such user, or a mechanism the listener does not enable"
        ));
    }
    if m.contains("UnsupportedSaslMechanism") {
        return Some("the listener does not enable this sasl.mechanism".to_owned());
    }
    None
}

/// Where the CA certificates came from, as the operator set them.
fn trust_source(tls: Option<&TlsSettings>) -> String {
    match tls {
        Some(TlsSettings {
            ca_file: Some(f), ..
        }) => format!("ssl.truststore.location={f}"),
        Some(TlsSettings {
            ca_pem: Some(_), ..
        }) => "ssl.truststore.certificates".to_owned(),
        _ => "the default (Mozilla) roots; set ssl.truststore.type=PEM and ssl.truststore.location"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kafka::{Secret, SecurityProtocol};

    fn ssl(ca: &str) -> ConnectionSettings {
        let mut s = ConnectionSettings::plaintext("b:9093");
        s.protocol = SecurityProtocol::Ssl;
        s.tls = Some(TlsSettings {
            ca_file: Some(ca.to_owned()),
            ..TlsSettings::default()
        });
        s
    }

    /// The texts are what krafka 0.28.1 reported against Kafka 4.1.1 (tests/real_kafka_security).
    #[test]
    fn tls_failures_say_which_side_refused_what() {
        let untrusted = "authentication error: could not connect to any of [127.0.0.1:1, 127.0.0.1:2]: TLS handshake failed: invalid peer certificate: UnknownIssuer";
        assert_eq!(
            explain(&ssl("/etc/ca.pem"), untrusted),
            "TLS: the broker's certificate is not trusted: no CA in ssl.truststore.location=/etc/ca.pem signed it (TLS handshake failed: invalid peer certificate: UnknownIssuer)"
        );
        let no_cert = "network error: could not connect to any of [127.0.0.1:1]; last error: network error: received fatal alert: BadCertificate";
        let e = explain(&ssl("/etc/ca.pem"), no_cert);
        assert!(
            e.starts_with("TLS: the broker requires a client certificate"),
            "{e}"
        );
        assert!(e.ends_with("(received fatal alert: BadCertificate)"), "{e}");
        let expired = "authentication error: could not connect to any of [127.0.0.1:1]: TLS handshake failed: invalid peer certificate: certificate expired: verification time 1, but certificate is not valid after 0";
        assert!(
            explain(&ssl("c"), expired).starts_with("TLS: the broker's certificate has expired")
        );
    }

    #[test]
    fn sasl_failure_names_mechanism_and_user_never_the_password() {
        let mut s = ssl("c");
        s.sasl = Some(SaslSettings::ScramSha512 {
            username: "ops".into(),
            password: Secret::new("hunter2"),
        });
        let e = explain(&s, "authentication error: could not connect to any of [x]: SASL authentication step failed: SaslAuthenticationFailed - Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512");
        assert!(
            e.starts_with("SCRAM-SHA-512 authentication of user ops failed"),
            "{e}"
        );
        assert!(!e.contains("hunter2"));
    }

    #[test]
    fn anything_else_is_the_clients_own_message() {
        assert_eq!(
            explain(&ConnectionSettings::plaintext("b:1"), "network error: could not connect to any of [b:1]; last error: network error: Connection refused (os error 111)"),
            "Connection refused (os error 111)"
        );
    }
}
