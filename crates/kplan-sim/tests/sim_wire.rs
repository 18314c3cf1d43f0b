//! The simulator on the wire, byte by byte: version negotiation and controller routing, as a
//! Kafka broker answers them.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use kafka_protocol::error::ResponseError;
use kafka_protocol::messages::ApiKey;
use kplan_sim::{Fault, KafkaVersion, SimOptions, SimSpec, Simulator};

/// Sends one request and reads one response. `None` when the broker does not answer: a broker
/// that is down closes the connection, which shows up as a refused connect, a broken pipe on
/// write or an EOF on read depending on timing — all of them "no answer".
fn roundtrip(addr: &str, frame: &[u8]) -> Option<Vec<u8>> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(&(frame.len() as i32).to_be_bytes()).ok()?;
    s.write_all(frame).ok()?;
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let mut body = vec![0u8; i32::from_be_bytes(len) as usize];
    s.read_exact(&mut body).ok()?;
    Some(body)
}

/// Request header v1 (non-flexible): api key, version, correlation id, client id.
fn header_v1(api: i16, version: i16, corr: i32) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(api.to_be_bytes());
    b.extend(version.to_be_bytes());
    b.extend(corr.to_be_bytes());
    b.extend(4i16.to_be_bytes());
    b.extend(b"test");
    b
}

fn i16_at(b: &[u8], at: usize) -> i16 {
    i16::from_be_bytes([b[at], b[at + 1]])
}

#[test]
fn an_unknown_api_versions_version_gets_a_v0_answer_with_the_supported_list() {
    let sim = Simulator::start(&SimSpec::with_brokers(1, 0), SimOptions::default()).unwrap();
    let addr = sim.broker_address(1).unwrap();
    let mut frame = header_v1(18, 99, 7);
    frame.extend([0, 0]); // whatever body: the broker must not need it
    let resp = roundtrip(&addr, &frame).expect("an answer, not a closed connection");
    // Response header v0: correlation id only; then error code, then the api array (v0 layout).
    assert_eq!(i32::from_be_bytes([resp[0], resp[1], resp[2], resp[3]]), 7);
    assert_eq!(i16_at(&resp, 4), ResponseError::UnsupportedVersion.code());
    let n = i32::from_be_bytes([resp[6], resp[7], resp[8], resp[9]]);
    assert!(n >= 10, "the supported list comes back: {n} APIs");
    let entries: Vec<(i16, i16, i16)> = (0..n as usize)
        .map(|i| {
            let at = 10 + i * 6;
            (
                i16_at(&resp, at),
                i16_at(&resp, at + 2),
                i16_at(&resp, at + 4),
            )
        })
        .collect();
    assert!(entries
        .iter()
        .any(|(k, _, _)| *k == ApiKey::AlterPartitionReassignments as i16));
}

/// ListPartitionReassignments v0 (flexible): header v2 and a null topic list.
fn list_reassignments_v0(corr: i32) -> Vec<u8> {
    let mut b = header_v1(46, 0, corr);
    b.push(0); // header tagged fields
    b.extend(30_000i32.to_be_bytes()); // timeout_ms
    b.push(0); // topics: null compact array
    b.push(0); // tagged fields
    b
}

fn list_reassignments_error(addr: &str) -> i16 {
    let resp = roundtrip(addr, &list_reassignments_v0(1)).expect("answer");
    // Response header v1: correlation id + tagged fields; body: throttle_time_ms, error_code.
    i16_at(&resp, 4 + 1 + 4)
}

#[test]
fn zookeeper_era_brokers_answer_not_controller_and_kraft_brokers_forward() {
    let mut spec = SimSpec::with_brokers(3, 0);
    spec.version = KafkaVersion::V2_4;
    let sim = Simulator::start(&spec, SimOptions::default()).unwrap();
    assert_eq!(
        list_reassignments_error(&sim.broker_address(2).unwrap()),
        ResponseError::NotController.code()
    );
    assert_eq!(
        list_reassignments_error(&sim.broker_address(1).unwrap()),
        0,
        "the controller answers"
    );
    sim.inject(Fault::ControllerFailover(Some(3)));
    assert_eq!(
        list_reassignments_error(&sim.broker_address(1).unwrap()),
        ResponseError::NotController.code()
    );
    assert_eq!(list_reassignments_error(&sim.broker_address(3).unwrap()), 0);

    let sim = Simulator::start(&SimSpec::with_brokers(3, 0), SimOptions::default()).unwrap();
    assert_eq!(
        list_reassignments_error(&sim.broker_address(2).unwrap()),
        0,
        "KRaft brokers forward"
    );
}

#[test]
fn injected_errors_delays_and_a_broker_that_is_down() {
    let sim = Simulator::start(&SimSpec::with_brokers(2, 0), SimOptions::default()).unwrap();
    let addr = sim.broker_address(1).unwrap();
    sim.inject(Fault::ApiError {
        api: ApiKey::ListPartitionReassignments,
        error: ResponseError::RequestTimedOut,
        times: 1,
    });
    assert_eq!(
        list_reassignments_error(&addr),
        ResponseError::RequestTimedOut.code()
    );
    assert_eq!(list_reassignments_error(&addr), 0, "only once");
    sim.inject(Fault::ApiDelay {
        api: ApiKey::ListPartitionReassignments,
        delay: Duration::from_millis(300),
        times: 1,
    });
    let t = std::time::Instant::now();
    assert_eq!(list_reassignments_error(&addr), 0);
    assert!(t.elapsed() >= Duration::from_millis(300));
    sim.inject(Fault::DropResponse {
        api: ApiKey::ListPartitionReassignments,
        times: 1,
    });
    assert!(
        roundtrip(&addr, &list_reassignments_v0(2)).is_none(),
        "no answer"
    );
    sim.inject(Fault::BrokerDown(1));
    assert!(
        roundtrip(&addr, &list_reassignments_v0(3)).is_none(),
        "a stopped broker does not answer"
    );
    sim.inject(Fault::BrokerUp(1));
    assert_eq!(list_reassignments_error(&addr), 0);
}

/// Sends one frame and waits for the broker to close the connection (what a Kafka broker does
/// with a request it cannot parse); `true` when it closed without answering.
fn closed_without_answer(addr: &str, frame: &[u8]) -> bool {
    let mut s = TcpStream::connect(addr).expect("the broker accepts connections");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(&(frame.len() as i32).to_be_bytes()).unwrap();
    s.write_all(frame).unwrap();
    let mut rest = Vec::new();
    matches!(s.read_to_end(&mut rest), Ok(0))
}

/// The `sim_frames` fuzz finding (fuzz/findings/sim_frames/): a 30-byte ListPartitionReassignments
/// v0 request whose topics compact array declares ~2^31 elements. kafka-protocol 0.18.0 reserved
/// room for all of them before decoding one (~343 GB), the allocation failed and the whole
/// process aborted, simulator and `kplan sandbox` alike. With the patched decoder
/// (vendor/kafka-protocol/README.kplan.md) the frame runs out of bytes, the broker closes that
/// connection and answers the next one. The same with a non-flexible `Array` (Metadata v1 with
/// 2^31 − 1 topics). Without the patch this test binary aborts.
#[test]
fn a_frame_declaring_two_billion_elements_leaves_the_broker_up() {
    const FINDING: [u8; 30] = [
        0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0xff, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x30, 0xff, 0x08, 0x2e, 0x1e, 0x6c, 0x03, 0x0a,
    ];
    let mut metadata_v1 = header_v1(ApiKey::Metadata as i16, 1, 9);
    metadata_v1.extend(i32::MAX.to_be_bytes()); // topics: 2^31 − 1 of them, none sent
    let sim = Simulator::start(&SimSpec::with_brokers(2, 0), SimOptions::default()).unwrap();
    for broker in [1, 2] {
        let addr = sim.broker_address(broker).unwrap();
        for frame in [&FINDING[..], &metadata_v1] {
            assert!(closed_without_answer(&addr, frame), "broker {broker}");
            assert_eq!(
                list_reassignments_error(&addr),
                0,
                "broker {broker} answers a new connection"
            );
        }
    }
}
