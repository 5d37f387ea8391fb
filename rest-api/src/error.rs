use serde::{Deserialize, Serialize};

/// Kafka Connect's REST error body: `{"error_code":<http status>,"message":"…"}`, field order
/// as Java's `ErrorMessage` serializes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The HTTP status code, repeated in the body.
    pub error_code: u16,
    /// A sentence telling the client what is wrong.
    pub message: String,
}

/// Errors the REST layer answers with; each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 404: the connector, task or plugin does not exist.
    #[error("{0}")]
    NotFound(String),
    /// 400: the request is malformed or not allowed in the current state.
    #[error("{0}")]
    BadRequest(String),
    /// 409: a rebalance is in progress or the connector already exists.
    #[error("{0}")]
    Conflict(String),
}

impl Error {
    /// The HTTP status Kafka Connect answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            Error::NotFound(_) => 404,
            Error::BadRequest(_) => 400,
            Error::Conflict(_) => 409,
        }
    }

    /// The JSON body Kafka Connect sends with this error.
    pub fn body(&self) -> ErrorBody {
        ErrorBody { error_code: self.status(), message: self.to_string() }
    }
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_bytes_match_kafka_connect() {
        // golden/rest/007_plugin_config_unknown_plugin.json
        let e = Error::NotFound("Unknown plugin NoSuchConnector.".into());
        assert_eq!(
            serde_json::to_string(&e.body()).unwrap(),
            r#"{"error_code":404,"message":"Unknown plugin NoSuchConnector."}"#
        );
    }
}
