//! Connections that must fail: each gives one clear error naming what failed, never a secret,
//! a non-zero exit, and changes nothing on the cluster (tried with `execute`, the command that
//! writes).

use super::acls::nothing_changed;
use super::listeners::{mtls_inline_props, oauth_props, one_line, small_topic};
use super::*;

/// `execute` of a move of a fresh topic through `listener` with `props`: fails, its stderr
/// holds each of `expect` and none of `secrets`, and the cluster is as it was.
fn refused(
    s: &Secure,
    case: &str,
    listener: &str,
    props: &Path,
    expect: &[&str],
    secrets: &[&str],
) {
    let f = &s.f;
    let topic = format!("err-{case}");
    small_topic(f, &topic);
    let plan = move_plan(f, &topic, &[2]);
    let before = super::acls::broker_throttles(f);
    let o = s.kplan(
        listener,
        props,
        "execute",
        &[
            "--plan",
            path_str(&plan),
            "--throttle",
            "1MB/s",
            "--no-wait",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    eprintln!("{case}: {err}");
    assert_ne!(code(&o), 0, "{case}: {}", text(&o));
    for e in expect {
        assert!(err.contains(e), "{case}: expected {e:?} in: {}", text(&o));
    }
    for secret in secrets {
        assert!(!err.contains(secret), "{case}: a secret in: {err}");
        assert!(!String::from_utf8_lossy(&o.stdout).contains(secret));
    }
    assert!(
        err.trim_end().lines().count() <= 3,
        "{case}: one error, not a cascade: {err}"
    );
    nothing_changed(f, &topic, &[1], &before);
}

#[test]
fn wrong_scram_password() {
    if !enabled("wrong_scram_password") {
        return;
    }
    let s = secure();
    let props = s.scram_props(SCRAM_USER, "not-the-password");
    refused(
        &s,
        "scram",
        "SCRAM",
        &props,
        &["SCRAM-SHA-512 authentication of user kplan failed"],
        &["not-the-password", SCRAM_PASSWORD],
    );
}

#[test]
fn untrusted_ca() {
    if !enabled("untrusted_ca") {
        return;
    }
    let s = secure();
    let other = TestPki::new("some-other-ca").unwrap();
    let ca = other.write_ca(&s.f.path("other-ca.pem")).unwrap();
    let props = s.props(
        "untrusted.properties",
        &format!(
            "security.protocol=SSL\nssl.truststore.type=PEM\nssl.truststore.location={}\n",
            ca.display()
        ),
    );
    refused(
        &s,
        "untrusted",
        "SSL",
        &props,
        &[
            "TLS: the broker's certificate is not trusted",
            "ssl.truststore.location=",
        ],
        &[],
    );
}

#[test]
fn expired_broker_certificate() {
    if !enabled("expired_broker_certificate") {
        return;
    }
    let s = secure();
    let props = s.props(
        "expired.properties",
        &format!("security.protocol=SSL\n{}", s.trust()),
    );
    refused(
        &s,
        "expired",
        "EXPIRED",
        &props,
        &["TLS: the broker's certificate has expired"],
        &[],
    );
}

#[test]
fn broker_certificate_for_another_host() {
    if !enabled("broker_certificate_for_another_host") {
        return;
    }
    let s = secure();
    let props = s.props(
        "wronghost.properties",
        &format!("security.protocol=SSL\n{}", s.trust()),
    );
    refused(
        &s,
        "wronghost",
        "WRONGHOST",
        &props,
        &[
            "TLS: the broker's certificate is not valid for the address",
            "127.0.0.1",
        ],
        &[],
    );
}

#[test]
fn missing_client_certificate() {
    if !enabled("missing_client_certificate") {
        return;
    }
    let s = secure();
    let props = s.props(
        "nocert.properties",
        &format!("security.protocol=SSL\n{}", s.trust()),
    );
    refused(
        &s,
        "nocert",
        "MTLS",
        &props,
        &["TLS: the broker requires a client certificate"],
        &[],
    );
}

#[test]
fn token_endpoint_refuses() {
    if !enabled("token_endpoint_refuses") {
        return;
    }
    let s = secure();
    let props = s.props(
        "badoauth.properties",
        &oauth_props(&s, OAUTH_CLIENT, "wrong-secret"),
    );
    refused(
        &s,
        "oauth",
        "OAUTH",
        &props,
        &[
            &format!(
                "the OAuth token endpoint {} issued no token for client {OAUTH_CLIENT}",
                s.token.url()
            ),
            "invalid_client",
        ],
        &["wrong-secret", OAUTH_SECRET],
    );
}

/// The mTLS client key inline holds a private key: it never shows in an error either.
#[test]
fn mutual_tls_key_never_printed() {
    if !enabled("mutual_tls_key_never_printed") {
        return;
    }
    let s = secure();
    let props = mtls_inline_props(&s);
    // The client.properties against an address where no broker listens.
    let o = common::kplan(&[
        "snapshot",
        "--bootstrap-server",
        "127.0.0.1:1",
        "--command-config",
        path_str(&props),
        "-o",
        path_str(&s.f.path("none.json")),
    ]);
    assert_ne!(code(&o), 0);
    let key_body = one_line(&s.client_cert.key_pem);
    let key_line = key_body.split("\\n").nth(1).unwrap();
    assert!(!text(&o).contains(key_line), "{}", text(&o));
}
