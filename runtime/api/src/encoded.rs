//! Values a sink receives still encoded: [`EncodedValue`], the body bytes of a record's value
//! with the [`ValueEncoding`] (the writer schema) that reads them.
//!
//! A sink that writes its files in the very encoding the records arrive in (Avro records into
//! Avro container files, the common case of a Debezium → S3 pipeline) does not need the Connect
//! value at all: decoding it and encoding it again was a third of the S3 sink's CPU per record.
//! Such a task says so with `SinkTask::accepts_encoded_values`; the worker's converter then
//! checks each body (every byte read, in the exact form its own decode → encode round trip would
//! write) and hands it over in [`SinkRecord::encoded_value`](crate::SinkRecord) instead of
//! decoding it. Bodies it cannot vouch for are decoded as usual, so conversion errors are the
//! same in both modes, at the same stage.

use std::any::Any;
use std::fmt::Debug;
use std::sync::Arc;

use bytes::Bytes;

use crate::value::Value;

/// The encoding of a record value kept encoded: knows how to decode a body into the Connect
/// value (the record's `value_schema` describes it). Implemented by converters.
pub trait ValueEncoding: Any + Send + Sync + Debug {
    /// Decodes `body` into the Connect value, for a sink that needs it after all.
    fn decode(&self, body: &[u8]) -> Result<Value, String>;

    /// The encoding as [`Any`], so a sink that knows the converter can read its writer schema.
    fn as_any(&self) -> &dyn Any;
}

/// A record value in its encoded form (see the [module doc](self)).
#[derive(Debug, Clone)]
pub struct EncodedValue {
    /// How `body` is encoded (for Avro: the writer schema and its read plan).
    pub encoding: Arc<dyn ValueEncoding>,
    /// The value's bytes, without any framing (for Confluent's wire format: after the magic byte
    /// and schema id).
    pub body: Bytes,
}

impl EncodedValue {
    /// Decodes the value.
    pub fn decode(&self) -> Result<Value, String> {
        self.encoding.decode(&self.body)
    }
}

impl PartialEq for EncodedValue {
    /// The same encoding object and the same bytes.
    fn eq(&self, other: &Self) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.encoding), Arc::as_ptr(&other.encoding))
            && self.body == other.body
    }
}
