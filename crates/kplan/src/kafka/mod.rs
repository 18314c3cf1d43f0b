//! The edge to Kafka: every cluster call goes through [`KafkaAdmin`], implemented with krafka in
//! [`KrafkaAdmin`]. Connection settings come from Kafka-style `client.properties` files.

mod admin_types;
mod authorization;
mod client_properties;
mod connect_failure;
mod kafka_admin;
mod kafka_error;
mod krafka_admin;
mod offset_sample;
mod snapshot_capture;

pub use admin_types::*;
pub use authorization::{principal_text, AclOperation, AclResource, Authorizations, MissingAcl};
pub use client_properties::{
    parse_properties, settings_from, ConnectionSettings, EndpointTrust, SaslSettings, Secret,
    SecurityProtocol, TlsSettings,
};
pub use kafka_admin::KafkaAdmin;
pub use kafka_error::KafkaError;
pub use krafka_admin::KrafkaAdmin;
pub use offset_sample::OffsetSample;
pub use snapshot_capture::{
    anonymize, capture, parse_traffic, CaptureEvent, CaptureOptions, TrafficInput,
};
