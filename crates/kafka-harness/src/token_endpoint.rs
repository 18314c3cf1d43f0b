//! A small OAuth 2.0 token endpoint for OAUTHBEARER tests: the client credentials grant over
//! HTTPS, issuing JWTs signed with ES256 that Kafka's `OAuthBearerValidatorCallbackHandler`
//! verifies against the JSON Web Key Set this endpoint writes to a file
//! (`sasl.oauthbearer.jwks.endpoint.url=file://…`).
//!
//! Clients authenticate with HTTP Basic (`client_secret_basic`, what Kafka's and krafka's
//! clients send) or with form fields. A client id the endpoint does not know, or a wrong secret,
//! gets `401 {"error":"invalid_client"}`, as an identity provider answers. The token's `sub` is
//! the client id, so the broker's principal is `User:<client id>`.
//!
//! One thread serves the connections one at a time; it ends when the endpoint is dropped.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair as _, ECDSA_P256_SHA256_FIXED_SIGNING};

use crate::test_pki::IssuedCert;
use crate::HarnessError;

/// The `kid` of the signing key, in the tokens' headers and in the key set.
const KEY_ID: &str = "kplan-test-key";
/// How long a token is valid.
const TOKEN_SECONDS: u64 = 3600;

/// A running token endpoint.
pub struct TokenEndpoint {
    port: u16,
    jwks_file: PathBuf,
    stop: Arc<AtomicBool>,
    issued: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

struct Issuer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    clients: BTreeMap<String, String>,
    audience: String,
    issuer: String,
}

impl TokenEndpoint {
    /// Serves on 127.0.0.1 (a free port) with `cert` (its certificate must name 127.0.0.1);
    /// `clients` are id → secret; tokens carry `aud` = `audience`. The key set goes to
    /// `jwks_file`.
    pub fn start(
        cert: &IssuedCert,
        clients: &[(&str, &str)],
        audience: &str,
        jwks_file: &Path,
    ) -> Result<Self, HarnessError> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .map_err(|e| HarnessError::Spec(format!("token endpoint key: {e}")))?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .map_err(|e| HarnessError::Spec(format!("token endpoint key: {e}")))?;
        std::fs::write(jwks_file, jwks(&key).to_string())
            .map_err(HarnessError::io(format!("writing {}", jwks_file.display())))?;
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(HarnessError::io("binding the token endpoint"))?;
        let port = listener
            .local_addr()
            .map_err(HarnessError::io("binding the token endpoint"))?
            .port();
        let tls = Arc::new(server_config(cert)?);
        let issuer = Arc::new(Issuer {
            key,
            rng,
            clients: clients
                .iter()
                .map(|(id, s)| (id.to_string(), s.to_string()))
                .collect(),
            audience: audience.to_owned(),
            issuer: format!("https://127.0.0.1:{port}"),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let issued = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, issued) = (stop.clone(), issued.clone());
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = conn {
                        // A client that hangs up mid-request is no concern of the tests.
                        let _ = serve(stream, &tls, &issuer, &issued);
                    }
                }
            })
        };
        Ok(TokenEndpoint {
            port,
            jwks_file: jwks_file.to_owned(),
            stop,
            issued,
            thread: Some(thread),
        })
    }

    /// `https://127.0.0.1:<port>/token`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}/token", self.port)
    }

    /// `file://…` of the key set, for `sasl.oauthbearer.jwks.endpoint.url`.
    pub fn jwks_url(&self) -> String {
        format!("file://{}", self.jwks_file.display())
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

impl Drop for TokenEndpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn server_config(cert: &IssuedCert) -> Result<rustls::ServerConfig, HarnessError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |e: &dyn std::fmt::Display| HarnessError::Spec(format!("token endpoint TLS: {e}"));
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(cert.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| bad(&e))?;
    let key = PrivateKeyDer::from_pem_slice(cert.key_pem.as_bytes()).map_err(|e| bad(&e))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad(&e))
}

/// The key set: the one P-256 public key (x and y of its uncompressed point).
fn jwks(key: &EcdsaKeyPair) -> serde_json::Value {
    let point = key.public_key().as_ref();
    let (x, y) = point[1..].split_at(32);
    serde_json::json!({"keys": [{
        "kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": KEY_ID,
        "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
    }]})
}

/// One request on one connection.
fn serve(
    stream: TcpStream,
    tls: &Arc<rustls::ServerConfig>,
    issuer: &Issuer,
    issued: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let conn = rustls::ServerConnection::new(tls.clone()).map_err(std::io::Error::other)?;
    let mut tls_stream = rustls::StreamOwned::new(conn, stream);
    let (head, body) = read_request(&mut tls_stream)?;
    let (status, json) = match client_of(&head, &body) {
        Some((id, secret)) if issuer.clients.get(&id) == Some(&secret) => {
            issued.fetch_add(1, Ordering::SeqCst);
            let token = issuer.token(&id)?;
            (
                "200 OK",
                serde_json::json!({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS}),
            )
        }
        _ => (
            "401 Unauthorized",
            serde_json::json!({"error": "invalid_client", "error_description": "client authentication failed"}),
        ),
    };
    let body = json.to_string();
    write!(
        tls_stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    tls_stream.flush()?;
    tls_stream.conn.send_close_notify();
    let _ = tls_stream.flush();
    Ok(())
}

/// The request's header lines (lower-case names) and its body.
fn read_request(stream: &mut impl Read) -> std::io::Result<(BTreeMap<String, String>, String)> {
    let mut reader = BufReader::new(stream);
    let mut headers = BTreeMap::new();
    let mut line = String::new();
    reader.read_line(&mut line)?; // the request line
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len.min(64 * 1024)];
    reader.read_exact(&mut body)?;
    Ok((headers, String::from_utf8_lossy(&body).into_owned()))
}

/// The client id and secret: HTTP Basic, or the form's `client_id` / `client_secret`.
fn client_of(headers: &BTreeMap<String, String>, body: &str) -> Option<(String, String)> {
    if let Some(basic) = headers
        .get("authorization")
        .and_then(|a| a.strip_prefix("Basic "))
    {
        let decoded = String::from_utf8(STANDARD.decode(basic.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        return Some((form_decode(id), form_decode(secret)));
    }
    let form: BTreeMap<String, String> = body
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (form_decode(k), form_decode(v)))
        .collect();
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret")?.clone(),
    ))
}

/// `application/x-www-form-urlencoded` decoding (`+` and `%XX`).
fn form_decode(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Issuer {
    /// A signed JWT for `subject`: `header.claims.signature`, ES256 (r ‖ s).
    fn token(&self, subject: &str) -> std::io::Result<String> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let header = serde_json::json!({"alg": "ES256", "typ": "JWT", "kid": KEY_ID});
        let claims = serde_json::json!({
            "iss": self.issuer, "sub": subject, "aud": self.audience,
            "iat": now, "nbf": now, "exp": now + TOKEN_SECONDS, "scope": "kafka",
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = self
            .key
            .sign(&self.rng, signing_input.as_bytes())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(sig.as_ref())
        ))
    }
}
