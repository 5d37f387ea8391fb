//! Records of the offsets topic (`offset.storage.topic`).
//!
//! Correctness hinges on the key bytes: Kafka Connect looks offsets up by the exact bytes of
//! `["<connector>",{<source partition>}]` (compact JSON, partition keys in the connector's
//! order), compaction replaces by those bytes, and the Kafka partition is murmur2 of them. So
//! [`OffsetKey::encode`] must produce what Java produces for the same connector and partition,
//! or a Java worker switched to Sluice (or back) would not find its offsets.
//!
//! Values are the offset map as JSON, keys in Java `HashMap` order (Debezium's offset maps are
//! HashMaps); a `None` value is a tombstone that deletes the partition's offset. Readers skip
//! malformed keys, as Kafka Connect does.

use serde_json::{Map, Value};

use crate::java_order::hashmap_order;
use crate::json::{self, write_object};
use crate::{Error, Result};

/// The key of an offsets record: which connector, which source partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffsetKey {
    /// Connector name.
    pub connector: String,
    /// The source partition (e.g. `{"server":"dbserver1"}`), in the connector's key order.
    pub partition: Map<String, Value>,
}

impl OffsetKey {
    /// The exact key bytes Kafka Connect writes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.push(b'[');
        json::write_string(&mut out, &self.connector);
        out.push(b',');
        write_object(&mut out, self.partition.iter());
        out.push(b']');
        out
    }

    /// Decodes key bytes; `None` for keys Kafka Connect skips (not a two-element array of a
    /// string and an object).
    pub fn decode(bytes: &[u8]) -> Option<OffsetKey> {
        let Ok(Value::Array(mut items)) = serde_json::from_slice::<Value>(bytes) else {
            return None;
        };
        if items.len() != 2 {
            return None;
        }
        let partition = match items.pop() {
            Some(Value::Object(p)) => p,
            _ => return None,
        };
        let connector = match items.pop() {
            Some(Value::String(c)) => c,
            _ => return None,
        };
        Some(OffsetKey {
            connector,
            partition,
        })
    }
}

/// The value bytes of an offset map, keys in Java `HashMap` order.
pub fn encode_offset(offset: &Map<String, Value>) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    let order = hashmap_order(offset.keys().map(String::as_str));
    out.push(b'{');
    for (i, k) in order.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        json::write_string(&mut out, k);
        out.push(b':');
        json::write_value(&mut out, &offset[k]);
    }
    out.push(b'}');
    out
}

/// Decodes an offset value (`None` bytes = tombstone = `Ok(None)`).
pub fn decode_offset(bytes: Option<&[u8]>) -> Result<Option<Map<String, Value>>> {
    let Some(bytes) = bytes else { return Ok(None) };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(o)) => Ok(Some(o)),
        Ok(Value::Null) => Ok(None),
        Ok(other) => Err(Error::Malformed {
            what: "offset value",
            message: format!("expected a JSON object, got {other}"),
        }),
        Err(source) => Err(Error::Json {
            what: "offset value",
            source,
        }),
    }
}
