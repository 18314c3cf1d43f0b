//! The server side of SASL PLAIN (RFC 4616) and SCRAM-SHA-256/512 (RFC 5802, RFC 7677), as a Kafka
//! broker runs them inside SaslAuthenticate requests (KIP-152).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// The mechanisms a simulated SASL listener offers.
pub const MECHANISMS: [&str; 3] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];

const ITERATIONS: u32 = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScramHash {
    Sha256,
    Sha512,
}

impl ScramHash {
    fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => {
                let mut m = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            ScramHash::Sha512 => {
                let mut m = <Hmac<Sha512> as Mac>::new_from_slice(key).expect("any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => Sha256::digest(data).to_vec(),
            ScramHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    fn salted_password(self, password: &str, salt: &[u8]) -> Vec<u8> {
        match self {
            ScramHash::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut out);
                out.to_vec()
            }
            ScramHash::Sha512 => {
                let mut out = [0u8; 64];
                pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, ITERATIONS, &mut out);
                out.to_vec()
            }
        }
    }
}

/// Where one connection's authentication stands.
#[derive(Debug)]
pub enum SaslSession {
    Plain,
    Scram { hash: ScramHash, step: ScramStep },
}

#[derive(Debug)]
pub enum ScramStep {
    ClientFirst,
    ClientFinal(ServerFirst),
}

/// What the server sent in its first SCRAM message, which the client's final one must match.
#[derive(Debug)]
pub struct ServerFirst {
    user: String,
    nonce: String,
    salt: Vec<u8>,
    client_first_bare: String,
    server_first: String,
}

/// The result of one SaslAuthenticate round.
#[derive(Debug, PartialEq, Eq)]
pub enum Round {
    /// Send these bytes and expect another round.
    Continue(Vec<u8>),
    /// Authenticated as this user; send these bytes (empty for PLAIN).
    Done { user: String, reply: Vec<u8> },
    /// Authentication failed; the message goes back to the client (it names no secret).
    Failed(String),
}

impl SaslSession {
    /// A session for a mechanism named in SaslHandshake; `None` when not offered.
    pub fn start(mechanism: &str) -> Option<Self> {
        match mechanism {
            "PLAIN" => Some(SaslSession::Plain),
            "SCRAM-SHA-256" => Some(SaslSession::Scram {
                hash: ScramHash::Sha256,
                step: ScramStep::ClientFirst,
            }),
            "SCRAM-SHA-512" => Some(SaslSession::Scram {
                hash: ScramHash::Sha512,
                step: ScramStep::ClientFirst,
            }),
            _ => None,
        }
    }

    /// One SaslAuthenticate token from the client.
    pub fn round(
        &mut self,
        users: &BTreeMap<String, String>,
        token: &[u8],
        nonce_seed: u64,
    ) -> Round {
        match self {
            SaslSession::Plain => plain(users, token),
            SaslSession::Scram { hash, step } => match step {
                ScramStep::ClientFirst => match server_first(token, nonce_seed) {
                    Ok(first) => {
                        let reply = first.server_first.clone().into_bytes();
                        *step = ScramStep::ClientFinal(first);
                        Round::Continue(reply)
                    }
                    Err(failed) => failed,
                },
                ScramStep::ClientFinal(first) => client_final(*hash, first, users, token),
            },
        }
    }
}

/// Kafka's message for a wrong user or password.
fn failed(user: &str) -> Round {
    Round::Failed(format!(
        "Authentication failed during authentication due to invalid credentials with SASL mechanism for user {user}"
    ))
}

/// SASL/PLAIN: `authzid NUL user NUL password` in one token.
fn plain(users: &BTreeMap<String, String>, token: &[u8]) -> Round {
    let parts: Vec<&[u8]> = token.split(|b| *b == 0).collect();
    let [_authzid, user, password] = parts.as_slice() else {
        return Round::Failed("Invalid SASL/PLAIN response: expected 3 tokens".into());
    };
    let user = String::from_utf8_lossy(user).into_owned();
    match users.get(&user) {
        Some(p) if p.as_bytes() == *password => Round::Done {
            user,
            reply: Vec::new(),
        },
        _ => failed(&user),
    }
}

/// SCRAM, first round: the client's user and nonce; the server's nonce, salt and iterations.
fn server_first(token: &[u8], nonce_seed: u64) -> Result<ServerFirst, Round> {
    let invalid = || Round::Failed("Invalid SCRAM client first message".into());
    let text = String::from_utf8_lossy(token).into_owned();
    // gs2 header "n,," (or "n,a=authzid,") then the bare message.
    let bare = text
        .splitn(3, ',')
        .nth(2)
        .map(str::to_owned)
        .ok_or_else(invalid)?;
    let attr = |m: &str, k: &str| {
        m.split(',')
            .find_map(|kv| kv.strip_prefix(k).map(str::to_owned))
    };
    let (Some(user), Some(client_nonce)) = (attr(&bare, "n="), attr(&bare, "r=")) else {
        return Err(invalid());
    };
    let user = user.replace("=2C", ",").replace("=3D", "=");
    let nonce = format!(
        "{client_nonce}{:016x}{:016x}",
        nonce_seed,
        nonce_seed.rotate_left(17) ^ 0x9e37_79b9
    );
    let salt = format!("kplan-sim-{user}").into_bytes();
    let server_first = format!("r={nonce},s={},i={ITERATIONS}", B64.encode(&salt));
    Ok(ServerFirst {
        user,
        nonce,
        salt,
        client_first_bare: bare,
        server_first,
    })
}

/// SCRAM, final round: the client proof checked against the user's password (RFC 5802), and
/// the server signature sent back.
fn client_final(
    hash: ScramHash,
    first: &ServerFirst,
    users: &BTreeMap<String, String>,
    token: &[u8],
) -> Round {
    let text = String::from_utf8_lossy(token).into_owned();
    let Some((without_proof, proof)) = text.rsplit_once(",p=") else {
        return Round::Failed("Invalid SCRAM client final message".into());
    };
    if !without_proof
        .split(',')
        .any(|kv| kv == format!("r={}", first.nonce))
    {
        return Round::Failed("Invalid SCRAM nonce".into());
    }
    let user = &first.user;
    let Some(password) = users.get(user.as_str()) else {
        return failed(user);
    };
    let Ok(proof) = B64.decode(proof) else {
        return failed(user);
    };
    let auth_message = format!(
        "{},{},{without_proof}",
        first.client_first_bare, first.server_first
    );
    let salted = hash.salted_password(password, &first.salt);
    let client_key = hash.hmac(&salted, b"Client Key");
    let stored_key = hash.hash(&client_key);
    let client_signature = hash.hmac(&stored_key, auth_message.as_bytes());
    if proof.len() != client_signature.len() {
        return failed(user);
    }
    let recovered: Vec<u8> = proof
        .iter()
        .zip(&client_signature)
        .map(|(a, b)| a ^ b)
        .collect();
    if hash.hash(&recovered) != stored_key {
        return failed(user);
    }
    let server_key = hash.hmac(&salted, b"Server Key");
    let server_signature = hash.hmac(&server_key, auth_message.as_bytes());
    Round::Done {
        user: user.clone(),
        reply: format!("v={}", B64.encode(server_signature)).into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users() -> BTreeMap<String, String> {
        [("alice".to_owned(), "s3cret".to_owned())].into()
    }

    #[test]
    fn plain_checks_the_password() {
        let mut s = SaslSession::start("PLAIN").unwrap();
        assert!(matches!(
            s.round(&users(), b"\0alice\0s3cret", 1),
            Round::Done { .. }
        ));
        let mut s = SaslSession::start("PLAIN").unwrap();
        match s.round(&users(), b"\0alice\0wrong", 1) {
            Round::Failed(m) => assert!(!m.contains("wrong") && !m.contains("s3cret")),
            other => panic!("{other:?}"),
        }
    }

    /// A client written from RFC 5802 against the server.
    fn scram_client(mech: &str, hash: ScramHash, password: &str) -> Round {
        let mut s = SaslSession::start(mech).unwrap();
        let first_bare = "n=alice,r=abc";
        let Round::Continue(server_first) =
            s.round(&users(), format!("n,,{first_bare}").as_bytes(), 7)
        else {
            panic!("no server first");
        };
        let server_first = String::from_utf8(server_first).unwrap();
        let attr = |k: &str| {
            server_first
                .split(',')
                .find_map(|kv| kv.strip_prefix(k))
                .unwrap()
                .to_owned()
        };
        let (nonce, salt, iters) = (attr("r="), B64.decode(attr("s=")).unwrap(), attr("i="));
        assert_eq!(iters, "4096");
        let without_proof = format!("c=biws,r={nonce}");
        let auth = format!("{first_bare},{server_first},{without_proof}");
        let salted = hash.salted_password(password, &salt);
        let ck = hash.hmac(&salted, b"Client Key");
        let sig = hash.hmac(&hash.hash(&ck), auth.as_bytes());
        let proof: Vec<u8> = ck.iter().zip(&sig).map(|(a, b)| a ^ b).collect();
        s.round(
            &users(),
            format!("{without_proof},p={}", B64.encode(proof)).as_bytes(),
            7,
        )
    }

    #[test]
    fn scram_accepts_the_right_proof_only() {
        assert!(matches!(
            scram_client("SCRAM-SHA-256", ScramHash::Sha256, "s3cret"),
            Round::Done { .. }
        ));
        assert!(matches!(
            scram_client("SCRAM-SHA-512", ScramHash::Sha512, "s3cret"),
            Round::Done { .. }
        ));
        assert!(matches!(
            scram_client("SCRAM-SHA-256", ScramHash::Sha256, "nope"),
            Round::Failed(_)
        ));
    }
}
