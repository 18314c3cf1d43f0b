//! The network side: one listener per broker (and a SASL one when configured), Kafka framing,
//! version negotiation, authentication, faults, and dispatch to the handlers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::{
    ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind, SaslAuthenticateResponse,
    SaslHandshakeResponse,
};
use kafka_protocol::protocol::{decode_request_header_from_buffer, Encodable, StrBytes};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::cluster_state::ClusterState;
use super::fault::ApiFaults;
use super::handlers::{self, Ctx};
use super::sasl_server::{Round, SaslSession, MECHANISMS};
use super::sim_clock::SimClock;
use super::spec::SaslSpec;

/// Which listener a connection came in on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListenerKind {
    Plaintext,
    SaslPlaintext,
}

/// Ports of one broker.
#[derive(Clone, Copy, Debug)]
pub struct BrokerPorts {
    pub plaintext: u16,
    pub sasl: Option<u16>,
}

/// Everything the connections share.
#[derive(Debug)]
pub struct Shared {
    pub state: Mutex<ClusterState>,
    pub faults: Mutex<ApiFaults>,
    pub clock: SimClock,
    pub ports: BTreeMap<i32, BrokerPorts>,
    pub sasl: Option<SaslSpec>,
    pub host: String,
}

impl Shared {
    /// The state, brought up to the current simulated time.
    pub fn state(&self) -> std::sync::MutexGuard<'_, ClusterState> {
        let mut s = self.state.lock().expect("state lock");
        let now = self.clock.now();
        s.advance_to(now);
        s
    }

    fn endpoint(&self, kind: ListenerKind, broker: i32) -> (String, i32) {
        let port = self.ports.get(&broker).map_or(0, |p| match kind {
            ListenerKind::Plaintext => p.plaintext,
            ListenerKind::SaslPlaintext => p.sasl.unwrap_or(p.plaintext),
        });
        (self.host.clone(), i32::from(port))
    }
}

/// Accepts connections for one broker until the runtime stops. A stopped broker accepts and
/// closes at once, which clients see as a refused or reset connection.
pub async fn accept_loop(
    listener: TcpListener,
    broker: i32,
    kind: ListenerKind,
    shared: Arc<Shared>,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        if !shared.state.lock().expect("state lock").alive(broker) {
            drop(stream);
            continue;
        }
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, broker, kind, shared.clone()));
    }
}

async fn read_frame(stream: &mut TcpStream) -> Option<Bytes> {
    let len = stream.read_i32().await.ok()?;
    if !(4..=100 * 1024 * 1024).contains(&len) {
        return None;
    }
    let mut buf = vec![0u8; len as usize];
    stream.read_exact(&mut buf).await.ok()?;
    Some(Bytes::from(buf))
}

/// A response frame: the request's correlation id, the body and the versions to encode it with.
pub(crate) struct Response {
    api: ApiKey,
    version: i16,
    header_version: i16,
    correlation_id: i32,
    body: ResponseKind,
}

impl Response {
    /// Writes the frame; `None` when the connection is gone (or the body cannot be encoded).
    async fn write(&self, stream: &mut TcpStream) -> Option<()> {
        let buf = self.encode()?;
        stream.write_all(&buf).await.ok()
    }

    /// The whole frame, size first; `None` when the body cannot be encoded at this version.
    pub(crate) fn encode(&self) -> Option<BytesMut> {
        let mut buf = BytesMut::new();
        buf.put_i32(0);
        ResponseHeader::default()
            .with_correlation_id(self.correlation_id)
            .encode(&mut buf, self.header_version)
            .ok()?;
        if let Err(e) = self.body.encode(&mut buf, self.version) {
            eprintln!(
                "kplan sandbox: cannot encode {:?} v{} response: {e}",
                self.api, self.version
            );
            return None;
        }
        let len = (buf.len() - 4) as i32;
        buf[..4].copy_from_slice(&len.to_be_bytes());
        Some(buf)
    }
}

/// What a connection does with one request.
pub(crate) enum Step {
    /// Answer (after `delay`), then read the next request.
    Reply {
        response: Response,
        delay: Option<Duration>,
    },
    /// Answer, then close (a failed or out-of-order SASL round).
    ReplyAndClose(Response),
    /// Close (after `delay`) without answering: a request a broker cannot parse, one that skips
    /// SASL, or a dropped-response fault (the request took effect; the client never hears back).
    Close { delay: Option<Duration> },
}

/// The fixed start of every request: API key, version, correlation id.
#[derive(Clone, Copy)]
struct Head {
    api: ApiKey,
    version: i16,
    correlation_id: i32,
}

impl Head {
    fn peek(frame: &[u8]) -> Option<Head> {
        if frame.len() < 8 {
            return None;
        }
        Some(Head {
            api: ApiKey::try_from(i16::from_be_bytes([frame[0], frame[1]])).ok()?,
            version: i16::from_be_bytes([frame[2], frame[3]]),
            correlation_id: i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]),
        })
    }

    fn respond(self, body: ResponseKind) -> Response {
        Response {
            api: self.api,
            version: self.version,
            header_version: self.api.response_header_version(self.version),
            correlation_id: self.correlation_id,
            body,
        }
    }
}

/// One client connection: requests are answered in order, as a Kafka broker does.
async fn serve(mut stream: TcpStream, broker: i32, kind: ListenerKind, shared: Arc<Shared>) {
    let mut conn = Connection::new(broker, kind, shared);
    while let Some(frame) = read_frame(&mut stream).await {
        if !conn.broker_alive() {
            return;
        }
        match conn.answer(frame) {
            Step::Reply { response, delay } => {
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                if response.write(&mut stream).await.is_none() {
                    return;
                }
            }
            Step::ReplyAndClose(response) => {
                let _ = response.write(&mut stream).await;
                return;
            }
            Step::Close { delay } => {
                if let Some(d) = delay {
                    tokio::time::sleep(d).await;
                }
                return;
            }
        }
    }
}

/// A connection's state: which broker and listener it reached, and how far SASL got.
pub(crate) struct Connection {
    broker: i32,
    kind: ListenerKind,
    shared: Arc<Shared>,
    authenticated: bool,
    session: Option<SaslSession>,
    rounds: u64,
}

impl Connection {
    pub(crate) fn new(broker: i32, kind: ListenerKind, shared: Arc<Shared>) -> Self {
        Connection {
            broker,
            kind,
            shared,
            authenticated: kind == ListenerKind::Plaintext,
            session: None,
            rounds: 0,
        }
    }

    fn broker_alive(&self) -> bool {
        self.shared
            .state
            .lock()
            .expect("state lock")
            .alive(self.broker)
    }

    /// Decodes one request and decides the answer.
    pub(crate) fn answer(&mut self, mut frame: Bytes) -> Step {
        const CLOSE: Step = Step::Close { delay: None };
        let Some(head) = Head::peek(&frame) else {
            return CLOSE;
        };
        let profile = self.shared.state.lock().expect("state lock").version;
        let supported = profile
            .versions(head.api)
            .is_some_and(|(min, max)| (min..=max).contains(&head.version));
        if !supported {
            return self.unsupported_version(head);
        }
        let header: Result<RequestHeader, _> = decode_request_header_from_buffer(&mut frame);
        if header.is_err() {
            return CLOSE;
        }
        let Ok(request) = RequestKind::decode(head.api, &mut frame, head.version) else {
            return CLOSE;
        };
        match request {
            RequestKind::SaslHandshake(r) => self.handshake(head, &r.mechanism),
            RequestKind::SaslAuthenticate(r) => self.authenticate(head, &r.auth_bytes),
            // Kafka closes an unauthenticated connection that skips SASL.
            _ if !self.authenticated && head.api != ApiKey::ApiVersions => CLOSE,
            request => self.handle(head, request),
        }
    }

    /// KIP-511: an unknown ApiVersions version gets a v0 body with UNSUPPORTED_VERSION and the
    /// supported list, so the client can retry with one it knows. Any other API: a Kafka
    /// broker closes the connection on a request it cannot parse.
    fn unsupported_version(&self, head: Head) -> Step {
        if head.api != ApiKey::ApiVersions {
            return Step::Close { delay: None };
        }
        let state = self.shared.state.lock().expect("state lock");
        let endpoints = |b: i32| self.shared.endpoint(self.kind, b);
        let ctx = Ctx {
            broker: self.broker,
            endpoints: &endpoints,
            version: 0,
            injected: Some(ResponseError::UnsupportedVersion),
        };
        let body = ResponseKind::ApiVersions(handlers::api_versions(&state, &ctx));
        let response = Response {
            api: head.api,
            version: 0,
            header_version: 0,
            correlation_id: head.correlation_id,
            body,
        };
        Step::Reply {
            response,
            delay: None,
        }
    }

    fn handshake(&mut self, head: Head, mechanism: &StrBytes) -> Step {
        let sasl_listener = self.kind == ListenerKind::SaslPlaintext;
        let mech = mechanism.to_string();
        let offered = sasl_listener && MECHANISMS.contains(&mech.as_str());
        let body = SaslHandshakeResponse::default()
            .with_error_code(if offered {
                0
            } else {
                ResponseError::UnsupportedSaslMechanism.code()
            })
            .with_mechanisms(if sasl_listener {
                MECHANISMS
                    .iter()
                    .map(|m| StrBytes::from_static_str(m))
                    .collect()
            } else {
                Vec::new()
            });
        self.session = if offered {
            SaslSession::start(&mech)
        } else {
            None
        };
        Step::Reply {
            response: head.respond(ResponseKind::SaslHandshake(body)),
            delay: None,
        }
    }

    fn authenticate(&mut self, head: Head, token: &[u8]) -> Step {
        let Some(session) = self.session.as_mut() else {
            let body = SaslAuthenticateResponse::default()
                .with_error_code(ResponseError::IllegalSaslState.code())
                .with_error_message(Some(StrBytes::from_static_str(
                    "SaslHandshake must come first",
                )));
            return Step::ReplyAndClose(head.respond(ResponseKind::SaslAuthenticate(body)));
        };
        self.rounds += 1;
        let users = self
            .shared
            .sasl
            .as_ref()
            .map(|s| s.users.clone())
            .unwrap_or_default();
        let seed = (self.broker as u64) << 32 ^ self.rounds ^ (self.shared.clock.now().to_bits());
        let reply =
            |body: SaslAuthenticateResponse| head.respond(ResponseKind::SaslAuthenticate(body));
        match session.round(&users, token, seed) {
            Round::Continue(bytes) => Step::Reply {
                response: reply(SaslAuthenticateResponse::default().with_auth_bytes(bytes.into())),
                delay: None,
            },
            Round::Done { reply: bytes, .. } => {
                self.authenticated = true;
                self.session = None;
                Step::Reply {
                    response: reply(
                        SaslAuthenticateResponse::default().with_auth_bytes(bytes.into()),
                    ),
                    delay: None,
                }
            }
            Round::Failed(message) => Step::ReplyAndClose(reply(
                SaslAuthenticateResponse::default()
                    .with_error_code(ResponseError::SaslAuthenticationFailed.code())
                    .with_error_message(Some(StrBytes::from_string(message))),
            )),
        }
    }

    /// Any other API: the handlers answer from the cluster state, with injected faults.
    fn handle(&self, head: Head, request: RequestKind) -> Step {
        let (injected, delay, drop_response) = {
            let mut faults = self.shared.faults.lock().expect("faults lock");
            (
                faults.take_error(head.api),
                faults.take_delay(head.api),
                faults.take_drop(head.api),
            )
        };
        let response = {
            let mut state = self.shared.state();
            *state.requests.entry(head.api as i16).or_default() += 1;
            let endpoints = |b: i32| self.shared.endpoint(self.kind, b);
            let ctx = Ctx {
                broker: self.broker,
                endpoints: &endpoints,
                version: head.version,
                injected,
            };
            handlers::handle(&mut state, &ctx, request)
        };
        match response {
            None => Step::Close { delay: None },
            Some(_) if drop_response => Step::Close { delay },
            Some(body) => Step::Reply {
                response: head.respond(body),
                delay,
            },
        }
    }
}
