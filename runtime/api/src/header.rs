//! [`Headers`]: a record's Connect headers — ordered, duplicate keys allowed (Java's
//! `ConnectHeaders`).

use std::sync::Arc;

use crate::schema::Schema;
use crate::value::Value;

/// One header: a key and a Connect value with its schema (`None` for schemaless values).
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// The header key.
    pub key: String,
    /// The value's schema, `None` when schemaless.
    pub schema: Option<Schema>,
    /// The value.
    pub value: Value,
}

/// The headers of a record, in the order they were added; a key may repeat.
///
/// Cloning is cheap (the list is shared, and copied only when a clone is changed): sources
/// attach the same headers to every record (Debezium's four `__debezium.context.*` headers),
/// and a per-record deep copy of them was a measurable share of a change event's cost.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Headers {
    headers: Arc<Vec<Header>>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers::default()
    }

    /// Appends a header.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        schema: Option<Schema>,
        value: Value,
    ) -> &mut Self {
        Arc::make_mut(&mut self.headers).push(Header {
            key: key.into(),
            schema,
            value,
        });
        self
    }

    /// Appends a string header (optional string schema, as Java's `addString`).
    pub fn add_string(
        &mut self,
        key: impl Into<String>,
        value: impl Into<compact_str::CompactString>,
    ) -> &mut Self {
        self.add(
            key,
            Some(Schema::optional_string()),
            Value::String(value.into()),
        )
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// All headers in order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.headers.iter()
    }

    /// The headers with this key, in order.
    pub fn all_with_key<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Header> {
        self.headers.iter().filter(move |h| h.key == key)
    }

    /// The last header with this key (Java's `lastWithName`).
    pub fn last_with_key(&self, key: &str) -> Option<&Header> {
        self.headers.iter().rev().find(|h| h.key == key)
    }

    /// Removes every header with this key.
    pub fn remove(&mut self, key: &str) -> &mut Self {
        if self.headers.iter().any(|h| h.key == key) {
            Arc::make_mut(&mut self.headers).retain(|h| h.key != key);
        }
        self
    }

    /// Removes every header.
    pub fn clear(&mut self) {
        self.headers = Arc::default();
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;

    fn into_iter(self) -> Self::IntoIter {
        self.headers.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<I: IntoIterator<Item = Header>>(iter: I) -> Self {
        Headers {
            headers: Arc::new(iter.into_iter().collect()),
        }
    }
}
