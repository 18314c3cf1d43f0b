//! Errors from talking to a cluster. They name the API and, when known, the broker; they never
//! carry credentials (the client's errors are formatted, not its configuration).

use super::authorization::{principal_text, MissingAcl};

/// A failed call to the cluster.
#[derive(Debug, thiserror::Error)]
pub enum KafkaError {
    #[error("cannot connect to {bootstrap}: {message}")]
    Connect { bootstrap: String, message: String },
    #[error("{api} failed{}: {message}", broker.map(|b| format!(" on broker {b}")).unwrap_or_default())]
    Api {
        api: &'static str,
        broker: Option<i32>,
        message: String,
    },
    #[error("{0}")]
    Settings(String),
    /// The broker refused a request for want of an ACL.
    #[error("not authorized: {} lacks {missing}", principal_text(principal.as_deref()))]
    NotAuthorized {
        principal: Option<String>,
        missing: MissingAcl,
    },
}

impl KafkaError {
    pub fn api(api: &'static str, error: impl std::fmt::Display) -> Self {
        KafkaError::Api {
            api,
            broker: None,
            message: error.to_string(),
        }
    }

    pub fn on_broker(api: &'static str, broker: i32, error: impl std::fmt::Display) -> Self {
        KafkaError::Api {
            api,
            broker: Some(broker),
            message: error.to_string(),
        }
    }
}
