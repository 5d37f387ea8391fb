//! Logical decoding messages (`pg_logical_emit_message`) as Debezium's `op: "m"` records.
//!
//! Topic `<topic.prefix>.message` (Debezium joins them with a literal `.`, whatever
//! `topic.delimiter` says); key `io.debezium.connector.postgresql.MessageKey` `{prefix}`; value
//! `io.debezium.connector.postgresql.MessageValue` `{op: "m", ts_ms, source, transaction,
//! message {prefix, content}}`, `content` as `binary.handling.mode` shows bytes (raw, base64,
//! URL-safe base64 or lowercase hex). The `source` block has empty `schema` and `table`; a
//! transactional message has its transaction's `txId` and commit time and, with
//! `provide.transaction.metadata`, a `transaction` block counted under the data collection
//! `LOGICAL_DECODING_MESSAGE`, as Debezium counts it. No context headers (Debezium adds none).
//! `message.prefix.include.list` / `message.prefix.exclude.list` choose the prefixes emitted
//! ([`super::config::PostgresConfig::emits_message`]).
//!
//! # Positions and resume
//!
//! PostgreSQL gives a message the *end* of its WAL record as its LSN, while a row change has
//! the *start* of its record. So the change right after a message in the same transaction can
//! have the message's LSN, and a stored offset at that LSN could not tell the two apart. The
//! offset of a transactional message therefore names [`position_in_transaction`], the last
//! byte of the message's own record: after every earlier event of the transaction (they start
//! before the message's record), before every later one (they start at or after its end). A
//! restart that stored the message skips it and the transaction's earlier events, and sends
//! the later ones, with the usual mid-transaction rule of `offsets.rs`. The `source.lsn` of
//! the record is the message's LSN, as Debezium shows it.
//!
//! A non-transactional message is decoded and sent on its own, never inside a transaction's
//! output (transactions are sent whole at their commit), after every transaction that
//! committed before it. Like Debezium, Sluice treats it as a commit at its LSN: its offset has
//! `lsn` = `lsn_commit` = the message's LSN and no `txId`, and later records carry that
//! `lsn_commit`. So once the message is stored, every stored offset from then on has
//! `lsn_commit` at or after it, and a restart skips it if PostgreSQL sends it again (as it
//! skips a transaction committed at or before `lsn_commit`); a restart from an offset stored
//! before it emits it again. Transactions committing after the message are not affected: their
//! commit ends are after its LSN.
//! pgoutput gives no time for a non-transactional message: its `source.ts_ms` is when Sluice
//! decoded it (Debezium repeats the previous transaction's commit time).

use sluice_api::{OffsetMap, Schema, SchemaBuilder, SourceRecord, Struct, Value};

use super::config::PostgresConfig;
use super::events::{EventBuilder, SourceInfo, TxBlock, now_micros};
use crate::error::{Error, Result};
use crate::lsn::Lsn;
use crate::pgoutput::LogicalMessage;
use crate::types::BinaryMode;

/// The data collection transactional messages are counted under in transaction metadata.
pub const COLLECTION: &str = "LOGICAL_DECODING_MESSAGE";
/// The offset's `messageType` of a message record.
pub const MESSAGE_TYPE: &str = "MESSAGE";

/// The position a transactional message's offset names: the last byte of its WAL record (see
/// the module doc); `lsn` is the message's LSN, the end of that record.
pub fn position_in_transaction(lsn: Lsn) -> Lsn {
    Lsn(lsn.0.saturating_sub(1))
}

fn schema_error(e: sluice_api::Error) -> Error {
    Error::Protocol {
        command: "building a logical decoding message record".into(),
        detail: e.to_string(),
    }
}

/// Builds the records of logical decoding messages for one connector.
#[derive(Debug, Clone)]
pub struct MessageEvents {
    topic: String,
    key_schema: Schema,
    block_schema: Schema,
    value_schema: Schema,
    binary: BinaryMode,
}

impl MessageEvents {
    /// The schemas and topic of `config`'s message records.
    pub fn new(config: &PostgresConfig, events: &EventBuilder) -> Result<MessageEvents> {
        let binary = config.modes.binary;
        let key_schema = SchemaBuilder::struct_()
            .name("io.debezium.connector.postgresql.MessageKey")
            .version(1)
            .field("prefix", Schema::optional_string())
            .build()
            .map_err(schema_error)?;
        let content = match binary {
            BinaryMode::Bytes => Schema::optional_bytes(),
            BinaryMode::Base64 | BinaryMode::Base64UrlSafe | BinaryMode::Hex => {
                Schema::optional_string()
            }
        };
        let block_schema = SchemaBuilder::struct_()
            .name("io.debezium.connector.postgresql.Message")
            .version(1)
            .field("prefix", Schema::optional_string())
            .field("content", content)
            .build()
            .map_err(schema_error)?;
        let value_schema = SchemaBuilder::struct_()
            .name("io.debezium.connector.postgresql.MessageValue")
            .version(1)
            .field("op", Schema::string())
            .field("ts_ms", Schema::optional_int64())
            .field("source", events.source_schema().clone())
            .field("transaction", events.transaction_block_schema().clone())
            .field("message", block_schema.clone())
            .build()
            .map_err(schema_error)?;
        Ok(MessageEvents {
            topic: format!("{}.message", events.prefix()),
            key_schema,
            block_schema,
            value_schema,
            binary,
        })
    }

    fn content(&self, bytes: &[u8]) -> Value {
        crate::types::text::binary_value(bytes.to_vec(), self.binary)
    }

    /// The record of `message`, with its source block, transaction block and offset.
    pub fn record(
        &self,
        events: &EventBuilder,
        message: &LogicalMessage,
        info: &SourceInfo,
        tx: Option<&TxBlock>,
        offset: OffsetMap,
    ) -> Result<SourceRecord> {
        let prefix = Value::String(message.prefix.as_str().into());
        let key = Struct::from_values(self.key_schema.clone(), vec![prefix.clone()])
            .map_err(schema_error)?;
        let block = Struct::from_values(
            self.block_schema.clone(),
            vec![prefix, self.content(&message.content)],
        )
        .map_err(schema_error)?;
        let values = vec![
            Value::String("m".into()),
            Value::Int64(now_micros().0 / 1000),
            Value::Struct(events.source_block("", "", info)?),
            events.tx_value(tx)?,
            Value::Struct(block),
        ];
        let value = Struct::from_values(self.value_schema.clone(), values).map_err(schema_error)?;
        Ok(SourceRecord::new(
            events.partition().clone(),
            offset,
            self.topic.clone(),
            Some(self.key_schema.clone()),
            Value::Struct(key),
            Some(self.value_schema.clone()),
            Value::Struct(value),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &[(&str, &str)]) -> sluice_api::Result<PostgresConfig> {
        let mut props: Vec<(String, Option<String>)> = [
            ("database.hostname", "localhost"),
            ("database.user", "postgres"),
            ("database.dbname", "inventory"),
            ("topic.prefix", "dbserver1"),
        ]
        .iter()
        .chain(extra)
        .map(|(k, v)| (k.to_string(), Some(v.to_string())))
        .collect();
        props.sort();
        PostgresConfig::parse(&props)
    }

    #[test]
    fn prefix_lists_are_anchored_case_insensitive_regexes() {
        let all = config(&[]).unwrap();
        assert!(all.emits_message("anything"));
        let include = config(&[("message.prefix.include.list", "audit, app\\..*")]).unwrap();
        assert!(include.emits_message("AUDIT"));
        assert!(include.emits_message("app.orders"));
        assert!(!include.emits_message("audit-log"));
        assert!(!include.emits_message("other"));
        let exclude = config(&[("message.prefix.exclude.list", "sluice-nontx")]).unwrap();
        assert!(!exclude.emits_message("sluice-nontx"));
        assert!(exclude.emits_message("sluice-tx"));
        let both = config(&[
            ("message.prefix.include.list", "a"),
            ("message.prefix.exclude.list", "b"),
        ]);
        assert!(
            matches!(&both, Err(sluice_api::Error::Config { key, .. }) if key == "message.prefix.exclude.list"),
            "{both:?}"
        );
    }

    #[test]
    fn content_follows_the_binary_handling_mode() {
        let events =
            EventBuilder::new("dbserver1", ".", "transaction", "__hb", "db", true).unwrap();
        let content = |mode: &str| {
            let c = config(&[("binary.handling.mode", mode)]).unwrap();
            let m = MessageEvents::new(&c, &events).unwrap();
            let ty = m.block_schema.field("content").unwrap().schema().ty();
            (m.content(&[0x00, 0xff, 0x10]), ty)
        };
        use sluice_api::Type;
        assert_eq!(
            content("bytes"),
            (Value::Bytes(vec![0, 255, 16]), Type::Bytes)
        );
        assert_eq!(
            content("base64"),
            (Value::String("AP8Q".into()), Type::String)
        );
        assert_eq!(
            content("hex"),
            (Value::String("00ff10".into()), Type::String)
        );
        let (_, ty) = content("base64-url-safe");
        assert_eq!(ty, Type::String);
    }

    #[test]
    fn a_message_position_lies_inside_its_own_record() {
        // The message record spans [start, end); the next record starts at `end` at the
        // earliest, the previous one ended at `start` at the latest.
        let (start, end) = (Lsn(1000), Lsn(1064));
        let p = position_in_transaction(end);
        assert!(start <= p && p < end);
    }
}
