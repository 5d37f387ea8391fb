//! [`ColumnBuffer`]: the shredded values of one leaf column for the open row group — definition
//! and repetition levels, and the non-null values in the column's physical type — written into a
//! row group with the `parquet` crate's typed column writers.
//!
//! Variable-length values live in one byte buffer plus end offsets (not one allocation per
//! value), and are handed to the column writer as slices of one shared `Bytes`.

use std::mem::size_of;

use ::parquet::data_type::{
    BoolType, ByteArray, ByteArrayType, DoubleType, FixedLenByteArray, FixedLenByteArrayType,
    FloatType, Int32Type, Int64Type,
};
use ::parquet::errors::Result as PqResult;
use ::parquet::file::writer::SerializedColumnWriter;
use bytes::Bytes;

use super::schema::LeafKind;

/// The non-null values of a column, by physical type.
#[derive(Debug)]
pub(crate) enum Values {
    /// `BOOLEAN`.
    Bool(Vec<bool>),
    /// `INT32`.
    I32(Vec<i32>),
    /// `INT64`.
    I64(Vec<i64>),
    /// `FLOAT`.
    F32(Vec<f32>),
    /// `DOUBLE`.
    F64(Vec<f64>),
    /// `BYTE_ARRAY`: concatenated bytes and each value's end offset.
    Bytes {
        /// The values' bytes.
        data: Vec<u8>,
        /// `data[ends[i-1]..ends[i]]` is value `i`.
        ends: Vec<usize>,
    },
    /// `FIXED_LEN_BYTE_ARRAY`: `len` bytes per value.
    Fixed {
        /// The values' bytes.
        data: Vec<u8>,
        /// Bytes per value.
        len: usize,
    },
}

/// A position in a [`ColumnBuffer`], to undo a partly shredded record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    levels: usize,
    values: usize,
    bytes: usize,
}

/// One leaf column of the open row group.
#[derive(Debug)]
pub(crate) struct ColumnBuffer {
    /// Definition levels, one per entry.
    pub(crate) def: Vec<i16>,
    /// Repetition levels, one per entry.
    pub(crate) rep: Vec<i16>,
    /// The non-null values.
    pub(crate) values: Values,
}

impl ColumnBuffer {
    /// An empty column for values of `kind`.
    pub(crate) fn new(kind: LeafKind) -> Self {
        let values = match kind {
            LeafKind::Boolean => Values::Bool(Vec::new()),
            LeafKind::Int32 | LeafKind::Date | LeafKind::Time => Values::I32(Vec::new()),
            LeafKind::Int64 | LeafKind::Timestamp => Values::I64(Vec::new()),
            LeafKind::Float => Values::F32(Vec::new()),
            LeafKind::Double => Values::F64(Vec::new()),
            LeafKind::String | LeafKind::Bytes | LeafKind::DecimalBinary { .. } => Values::Bytes {
                data: Vec::new(),
                ends: Vec::new(),
            },
            LeafKind::DecimalFixed { len, .. } => Values::Fixed {
                data: Vec::new(),
                len,
            },
        };
        ColumnBuffer {
            def: Vec::new(),
            rep: Vec::new(),
            values,
        }
    }

    /// Adds an entry's levels (its value, if any, is pushed into [`ColumnBuffer::values`]; an
    /// entry below the column's maximum definition level has none).
    pub(crate) fn push_levels(&mut self, rep: i16, def: i16) {
        self.rep.push(rep);
        self.def.push(def);
    }

    /// The current position.
    pub(crate) fn mark(&self) -> Mark {
        let (values, bytes) = match &self.values {
            Values::Bool(v) => (v.len(), 0),
            Values::I32(v) => (v.len(), 0),
            Values::I64(v) => (v.len(), 0),
            Values::F32(v) => (v.len(), 0),
            Values::F64(v) => (v.len(), 0),
            Values::Bytes { data, ends } => (ends.len(), data.len()),
            Values::Fixed { data, .. } => (0, data.len()),
        };
        Mark {
            levels: self.def.len(),
            values,
            bytes,
        }
    }

    /// Drops everything added after `mark`.
    pub(crate) fn truncate(&mut self, mark: Mark) {
        self.def.truncate(mark.levels);
        self.rep.truncate(mark.levels);
        match &mut self.values {
            Values::Bool(v) => v.truncate(mark.values),
            Values::I32(v) => v.truncate(mark.values),
            Values::I64(v) => v.truncate(mark.values),
            Values::F32(v) => v.truncate(mark.values),
            Values::F64(v) => v.truncate(mark.values),
            Values::Bytes { data, ends } => {
                ends.truncate(mark.values);
                data.truncate(mark.bytes);
            }
            Values::Fixed { data, .. } => data.truncate(mark.bytes),
        }
    }

    /// Memory held (capacities, as the sink's budget counts).
    pub(crate) fn memory(&self) -> usize {
        let levels = (self.def.capacity() + self.rep.capacity()) * size_of::<i16>();
        levels
            + match &self.values {
                Values::Bool(v) => v.capacity(),
                Values::I32(v) => v.capacity() * 4,
                Values::I64(v) => v.capacity() * 8,
                Values::F32(v) => v.capacity() * 4,
                Values::F64(v) => v.capacity() * 8,
                Values::Bytes { data, ends } => {
                    data.capacity() + ends.capacity() * size_of::<usize>()
                }
                Values::Fixed { data, .. } => data.capacity(),
            }
    }

    /// Writes the column into the row group's next column writer and empties the buffer
    /// (keeping nothing: the next row group starts small again).
    pub(crate) fn write_to(&mut self, writer: &mut SerializedColumnWriter<'_>) -> PqResult<()> {
        let def = std::mem::take(&mut self.def);
        let rep = std::mem::take(&mut self.rep);
        let (def, rep) = (Some(def.as_slice()), Some(rep.as_slice()));
        match &mut self.values {
            Values::Bool(v) => {
                writer.typed::<BoolType>().write_batch(v, def, rep)?;
                *v = Vec::new();
            }
            Values::I32(v) => {
                writer.typed::<Int32Type>().write_batch(v, def, rep)?;
                *v = Vec::new();
            }
            Values::I64(v) => {
                writer.typed::<Int64Type>().write_batch(v, def, rep)?;
                *v = Vec::new();
            }
            Values::F32(v) => {
                writer.typed::<FloatType>().write_batch(v, def, rep)?;
                *v = Vec::new();
            }
            Values::F64(v) => {
                writer.typed::<DoubleType>().write_batch(v, def, rep)?;
                *v = Vec::new();
            }
            Values::Bytes { data, ends } => {
                let all = Bytes::from(std::mem::take(data));
                let mut start = 0;
                let values: Vec<ByteArray> = ends
                    .iter()
                    .map(|&end| {
                        let v = ByteArray::from(all.slice(start..end));
                        start = end;
                        v
                    })
                    .collect();
                *ends = Vec::new();
                writer
                    .typed::<ByteArrayType>()
                    .write_batch(&values, def, rep)?;
            }
            Values::Fixed { data, len } => {
                let all = Bytes::from(std::mem::take(data));
                let values: Vec<FixedLenByteArray> = (0..all.len() / *len)
                    .map(|i| {
                        FixedLenByteArray::from(ByteArray::from(
                            all.slice(i * *len..(i + 1) * *len),
                        ))
                    })
                    .collect();
                writer
                    .typed::<FixedLenByteArrayType>()
                    .write_batch(&values, def, rep)?;
            }
        }
        Ok(())
    }
}
