//! Every listener kind carries the whole runbook: `snapshot`, `execute --throttle`,
//! `throttle show` while the move runs, `verify` to the end (which removes the throttles).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::*;

/// The client.properties of each listener kind, as an operator writes it for Kafka's tools.
pub fn listener_props(s: &Secure, listener: &str) -> PathBuf {
    let text = match listener {
        "SSL" => format!("security.protocol=SSL\n{}", s.trust()),
        // The client's key and certificate in one PEM file.
        "MTLS" => {
            let keystore = s
                .client_cert
                .write_keystore(&s.f.path("kplan-mtls.pem"))
                .unwrap();
            format!(
                "security.protocol=SSL\n{}ssl.keystore.type=PEM\nssl.keystore.location={}\n",
                s.trust(),
                keystore.display()
            )
        }
        "SCRAM" => return s.scram_props(SCRAM_USER, SCRAM_PASSWORD),
        "OAUTH" => oauth_props(s, OAUTH_CLIENT, OAUTH_SECRET),
        other => panic!("no client.properties for listener {other}"),
    };
    s.props(&format!("{}.properties", listener.to_lowercase()), &text)
}

/// mTLS with the key and certificate inline (`ssl.keystore.key`, `ssl.keystore.certificate.chain`).
pub fn mtls_inline_props(s: &Secure) -> PathBuf {
    s.props(
        "mtls-inline.properties",
        &format!(
            "security.protocol=SSL\n{}ssl.keystore.type=PEM\n\
             ssl.keystore.certificate.chain={}\nssl.keystore.key={}\n",
            s.trust(),
            one_line(&s.client_cert.cert_pem),
            one_line(&s.client_cert.key_pem),
        ),
    )
}

/// PEM as one properties line (`\n` escapes, read back as newlines).
pub fn one_line(pem: &str) -> String {
    pem.trim_end().replace('\n', "\\n")
}

/// OAUTHBEARER with the client credentials flow; the token endpoint's TLS trust is given in the
/// JAAS options, as Kafka's `OAuthBearerLoginCallbackHandler` reads it.
pub fn oauth_props(s: &Secure, client: &str, secret: &str) -> String {
    format!(
        "security.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\n\
         sasl.login.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginCallbackHandler\n\
         sasl.oauthbearer.token.endpoint.url={}\n\
         sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required \
         clientId=\"{client}\" clientSecret=\"{secret}\" ssl.truststore.type=\"PEM\" ssl.truststore.location=\"{}\";\n{}",
        s.token.url(),
        s.ca_file.display(),
        s.trust()
    )
}

/// A topic of one partition on broker 1 holding ~400 KB, for a move that takes a moment under
/// a throttle.
pub fn small_topic(f: &Fixture, topic: &str) {
    f.create_topic(topic, &[vec![1]], &[]);
    f.produce(topic, 0, 400, 1000);
}

fn runbook_over(listener: &str) {
    let s = secure();
    let f = &s.f;
    let topic = format!("sec-{}", listener.to_lowercase());
    small_topic(f, &topic);
    let props = listener_props(&s, listener);

    let snap = f.path(&format!("{topic}.snapshot.json"));
    let o = s.kplan(
        listener,
        &props,
        "snapshot",
        &[
            "--sample",
            "0s",
            "--topics",
            &format!("^{topic}$"),
            "-o",
            path_str(&snap),
        ],
    );
    assert_eq!(code(&o), 0, "snapshot over {listener}: {}", text(&o));
    let snapshot = std::fs::read_to_string(&snap).unwrap();
    assert!(snapshot.contains(&topic), "{snapshot}");
    assert!(
        !snapshot.contains("Secret"),
        "no credential in the snapshot"
    );

    let plan = move_plan(f, &topic, &[2]);
    let o = s.kplan(
        listener,
        &props,
        "execute",
        &[
            "--plan",
            path_str(&plan),
            "--throttle",
            "200KB/s",
            "--no-wait",
            "--poll-interval",
            "200ms",
        ],
    );
    assert_eq!(code(&o), 0, "execute over {listener}: {}", text(&o));

    let o = s.kplan(listener, &props, "throttle show", &["--output", "json"]);
    assert_eq!(code(&o), 0, "throttle show over {listener}: {}", text(&o));
    let shown: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let resources: Vec<&str> = shown["throttles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["resource"].as_str().unwrap())
        .collect();
    assert!(
        resources.contains(&format!("topic {topic}").as_str()),
        "throttle show lists the moving topic: {shown}"
    );

    let start = Instant::now();
    loop {
        let o = s.kplan(listener, &props, "verify", &["--plan", path_str(&plan)]);
        match code(&o) {
            0 => break,
            2 => assert!(
                start.elapsed() < Duration::from_secs(120),
                "the move over {listener} did not finish: {}",
                text(&o)
            ),
            _ => panic!("verify over {listener}: {}", text(&o)),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let parts = f.wire().partitions(&topic).unwrap();
    assert_eq!(parts[0].replicas, vec![2]);
    // verify has removed the throttles once it exits 0; each broker answers DescribeConfigs from
    // its own copy of the metadata, which applies the removal a moment later (as Kafka's own
    // reassignment tests wait for broker-level throttles), so the check waits a bounded time.
    f.wait_until(
        "verify's removal of the topic throttles shows",
        Duration::from_secs(30),
        || f.wire().topic_configs(&topic).is_empty(),
    );
    for b in f.cluster.broker_ids() {
        f.wait_until(
            &format!("broker {b} shows no throttle"),
            Duration::from_secs(30),
            || !f.broker_configs(b).keys().any(|k| k.contains("throttled")),
        );
    }
}

#[test]
fn runbook_over_tls() {
    if enabled("runbook_over_tls") {
        runbook_over("SSL");
    }
}

#[test]
fn runbook_over_mutual_tls() {
    if enabled("runbook_over_mutual_tls") {
        runbook_over("MTLS");
    }
}

#[test]
fn runbook_over_sasl_ssl_scram_sha_512() {
    if enabled("runbook_over_sasl_ssl_scram_sha_512") {
        runbook_over("SCRAM");
    }
}

#[test]
fn runbook_over_sasl_ssl_oauthbearer() {
    if enabled("runbook_over_sasl_ssl_oauthbearer") {
        let issued = secure().token.issued();
        runbook_over("OAUTH");
        assert!(secure().token.issued() > issued, "kplan fetched tokens");
    }
}

/// The same client.properties work with Kafka's own tools (`kafka-topics --list`, run from the
/// cached jars), so the files above are written as an operator writes them; and the inline
/// mTLS form works with kplan too.
#[test]
fn kafkas_tools_read_the_same_client_properties() {
    if !enabled("kafkas_tools_read_the_same_client_properties") {
        return;
    }
    let s = secure();
    let f = &s.f;
    f.create_topic("sec-tools", &[vec![0]], &[]);
    for listener in ["SSL", "MTLS", "SCRAM", "OAUTH"] {
        let props = listener_props(&s, listener);
        let o = f
            .cluster
            .tool(
                "org.apache.kafka.tools.TopicCommand",
                &[
                    "--bootstrap-server",
                    &s.bs_of(listener),
                    "--command-config",
                    path_str(&props),
                    "--list",
                ],
            )
            .unwrap();
        assert_eq!(code(&o), 0, "kafka-topics over {listener}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains("sec-tools"),
            "kafka-topics over {listener}: {}",
            text(&o)
        );
    }
    let inline = mtls_inline_props(&s);
    let out = f.path("inline.snapshot.json");
    let o = s.kplan(
        "MTLS",
        &inline,
        "snapshot",
        &[
            "--sample",
            "0s",
            "--topics",
            "^sec-tools$",
            "-o",
            path_str(&out),
        ],
    );
    assert_eq!(code(&o), 0, "{}", text(&o));
}
