//! A minimal blocking Kafka client: one connection, one request at a time, requests and responses
//! as kafka-protocol's message types at a version the caller picks. The harness probes brokers
//! with it, and the fidelity test compares the simulator's answers with real Kafka's field by field
//! — neither goes through kplan's own client, which is what both are there to check.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use kafka_protocol::messages::{ApiVersionsRequest, RequestHeader, ResponseHeader};
use kafka_protocol::protocol::{Decodable, Encodable, HeaderVersion, Request, StrBytes};

use crate::HarnessError;

pub struct WireClient {
    stream: TcpStream,
    addr: String,
    correlation: i32,
}

impl WireClient {
    pub fn connect(addr: &str, timeout: Duration) -> Result<Self, HarnessError> {
        let err = |message: String| HarnessError::Protocol {
            addr: addr.to_owned(),
            message,
        };
        let sock = addr
            .to_socket_addrs()
            .map_err(|e| err(e.to_string()))?
            .next()
            .ok_or_else(|| err("no address".into()))?;
        let stream = TcpStream::connect_timeout(&sock, timeout).map_err(|e| err(e.to_string()))?;
        stream
            .set_read_timeout(Some(timeout))
            .and_then(|_| stream.set_write_timeout(Some(timeout)))
            .and_then(|_| stream.set_nodelay(true))
            .map_err(|e| err(e.to_string()))?;
        Ok(WireClient {
            stream,
            addr: addr.to_owned(),
            correlation: 0,
        })
    }

    fn error(&self, message: impl std::fmt::Display) -> HarnessError {
        HarnessError::Protocol {
            addr: self.addr.clone(),
            message: message.to_string(),
        }
    }

    /// Sends `request` at `version` and reads its response.
    pub fn send<R: Request>(
        &mut self,
        request: &R,
        version: i16,
    ) -> Result<R::Response, HarnessError> {
        self.correlation += 1;
        let header = RequestHeader::default()
            .with_request_api_key(R::KEY)
            .with_request_api_version(version)
            .with_correlation_id(self.correlation)
            .with_client_id(Some(StrBytes::from_static_str("kplan-harness")));
        let mut body = BytesMut::new();
        header
            .encode(&mut body, R::header_version(version))
            .and_then(|_| request.encode(&mut body, version))
            .map_err(|e| self.error(format!("encoding API {} v{version}: {e}", R::KEY)))?;
        let mut frame = Vec::with_capacity(body.len() + 4);
        frame.extend_from_slice(&(body.len() as i32).to_be_bytes());
        frame.extend_from_slice(&body);
        self.stream.write_all(&frame).map_err(|e| self.error(e))?;

        let mut len = [0u8; 4];
        self.stream
            .read_exact(&mut len)
            .map_err(|e| self.error(e))?;
        let mut payload = vec![0u8; i32::from_be_bytes(len).max(0) as usize];
        self.stream
            .read_exact(&mut payload)
            .map_err(|e| self.error(e))?;
        let mut buf = Bytes::from(payload);
        let header = ResponseHeader::decode(&mut buf, R::Response::header_version(version))
            .map_err(|e| self.error(format!("decoding the response header: {e}")))?;
        if header.correlation_id != self.correlation {
            return Err(self.error(format!(
                "correlation id {} answered request {}",
                header.correlation_id, self.correlation
            )));
        }
        R::Response::decode(&mut buf, version)
            .map_err(|e| self.error(format!("decoding API {} v{version}: {e}", R::KEY)))
    }

    /// API key → (min, max) version the server supports.
    pub fn api_versions(&mut self) -> Result<BTreeMap<i16, (i16, i16)>, HarnessError> {
        let r = self.send(&ApiVersionsRequest::default(), 0)?;
        if r.error_code != 0 {
            return Err(self.error(format!("ApiVersions error {}", r.error_code)));
        }
        Ok(r.api_keys
            .iter()
            .map(|k| (k.api_key, (k.min_version, k.max_version)))
            .collect())
    }
}
