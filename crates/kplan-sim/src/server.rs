//! The network side: one listener per broker (and a SASL one when configured), Kafka framing,
//! version negotiation, authentication, faults, and dispatch to the handlers.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

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

async fn write_frame(
    stream: &mut TcpStream,
    api: ApiKey,
    version: i16,
    header_version: i16,
    correlation_id: i32,
    body: &ResponseKind,
) -> Option<()> {
    let mut buf = BytesMut::new();
    buf.put_i32(0);
    ResponseHeader::default()
        .with_correlation_id(correlation_id)
        .encode(&mut buf, header_version)
        .ok()?;
    if let Err(e) = body.encode(&mut buf, version) {
        eprintln!("kplan sandbox: cannot encode {api:?} v{version} response: {e}");
        return None;
    }
    let len = (buf.len() - 4) as i32;
    buf[..4].copy_from_slice(&len.to_be_bytes());
    stream.write_all(&buf).await.ok()
}

/// One client connection: requests are answered in order, as a Kafka broker does.
async fn serve(mut stream: TcpStream, broker: i32, kind: ListenerKind, shared: Arc<Shared>) {
    let mut authenticated = kind == ListenerKind::Plaintext;
    let mut session: Option<SaslSession> = None;
    let mut rounds: u64 = 0;
    while let Some(mut frame) = read_frame(&mut stream).await {
        if !shared.state.lock().expect("state lock").alive(broker) {
            return;
        }
        if frame.len() < 8 {
            return;
        }
        let raw_key = i16::from_be_bytes([frame[0], frame[1]]);
        let version = i16::from_be_bytes([frame[2], frame[3]]);
        let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
        let Ok(api) = ApiKey::try_from(raw_key) else {
            return;
        };
        let profile = shared.state.lock().expect("state lock").version;
        let supported = profile
            .versions(api)
            .filter(|(min, max)| (*min..=*max).contains(&version));
        if supported.is_none() {
            if api == ApiKey::ApiVersions {
                // KIP-511: an unknown ApiVersions version gets a v0 body with UNSUPPORTED_VERSION
                // and the supported list, so the client can retry with one it knows.
                let body = {
                    let state = shared.state.lock().expect("state lock");
                    let endpoints = |b: i32| shared.endpoint(kind, b);
                    let ctx = Ctx {
                        broker,
                        endpoints: &endpoints,
                        version: 0,
                        injected: Some(ResponseError::UnsupportedVersion),
                    };
                    ResponseKind::ApiVersions(handlers::api_versions(&state, &ctx))
                };
                if write_frame(&mut stream, api, 0, 0, correlation_id, &body)
                    .await
                    .is_none()
                {
                    return;
                }
                continue;
            }
            // A Kafka broker closes the connection on a request it cannot parse.
            return;
        }
        let header: Result<RequestHeader, _> = decode_request_header_from_buffer(&mut frame);
        if header.is_err() {
            return;
        }
        let header_version = api.response_header_version(version);
        let Ok(request) = RequestKind::decode(api, &mut frame, version) else {
            return;
        };

        match request {
            RequestKind::SaslHandshake(r) => {
                let mech = r.mechanism.to_string();
                let offered =
                    kind == ListenerKind::SaslPlaintext && MECHANISMS.contains(&mech.as_str());
                let body = SaslHandshakeResponse::default()
                    .with_error_code(if offered {
                        0
                    } else {
                        ResponseError::UnsupportedSaslMechanism.code()
                    })
                    .with_mechanisms(if kind == ListenerKind::SaslPlaintext {
                        MECHANISMS
                            .iter()
                            .map(|m| StrBytes::from_static_str(m))
                            .collect()
                    } else {
                        Vec::new()
                    });
                session = if offered {
                    SaslSession::start(&mech)
                } else {
                    None
                };
                if write_frame(
                    &mut stream,
                    api,
                    version,
                    header_version,
                    correlation_id,
                    &ResponseKind::SaslHandshake(body),
                )
                .await
                .is_none()
                {
                    return;
                }
                continue;
            }
            RequestKind::SaslAuthenticate(r) => {
                let Some(s) = session.as_mut() else {
                    let body = SaslAuthenticateResponse::default()
                        .with_error_code(ResponseError::IllegalSaslState.code())
                        .with_error_message(Some(StrBytes::from_static_str(
                            "SaslHandshake must come first",
                        )));
                    let _ = write_frame(
                        &mut stream,
                        api,
                        version,
                        header_version,
                        correlation_id,
                        &ResponseKind::SaslAuthenticate(body),
                    )
                    .await;
                    return;
                };
                rounds += 1;
                let users = shared
                    .sasl
                    .as_ref()
                    .map(|s| s.users.clone())
                    .unwrap_or_default();
                let seed = (broker as u64) << 32 ^ rounds ^ (shared.clock.now().to_bits());
                let (body, done, failed) = match s.round(&users, &r.auth_bytes, seed) {
                    Round::Continue(reply) => (
                        SaslAuthenticateResponse::default().with_auth_bytes(reply.into()),
                        false,
                        false,
                    ),
                    Round::Done { reply, .. } => (
                        SaslAuthenticateResponse::default().with_auth_bytes(reply.into()),
                        true,
                        false,
                    ),
                    Round::Failed(message) => (
                        SaslAuthenticateResponse::default()
                            .with_error_code(ResponseError::SaslAuthenticationFailed.code())
                            .with_error_message(Some(StrBytes::from_string(message))),
                        false,
                        true,
                    ),
                };
                if write_frame(
                    &mut stream,
                    api,
                    version,
                    header_version,
                    correlation_id,
                    &ResponseKind::SaslAuthenticate(body),
                )
                .await
                .is_none()
                    || failed
                {
                    return;
                }
                if done {
                    authenticated = true;
                    session = None;
                }
                continue;
            }
            _ => {}
        }
        if !authenticated && api != ApiKey::ApiVersions {
            return; // Kafka closes an unauthenticated connection that skips SASL
        }

        let (delay, drop_response, response) = {
            let mut faults = shared.faults.lock().expect("faults lock");
            let injected = faults.take_error(api);
            let delay = faults.take_delay(api);
            let drop_response = faults.take_drop(api);
            drop(faults);
            let mut state = shared.state();
            let endpoints = |b: i32| shared.endpoint(kind, b);
            let ctx = Ctx {
                broker,
                endpoints: &endpoints,
                version,
                injected,
            };
            (
                delay,
                drop_response,
                handlers::handle(&mut state, &ctx, request),
            )
        };
        let Some(response) = response else { return };
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        if drop_response {
            return; // the request took effect; the client never hears back
        }
        if write_frame(
            &mut stream,
            api,
            version,
            header_version,
            correlation_id,
            &response,
        )
        .await
        .is_none()
        {
            return;
        }
    }
}
