//! A bounds-checked big-endian reader over one `pgoutput` payload.
//!
//! Hand-written rather than `bytes::Buf`, whose `get_*` methods panic on short input: every
//! read here returns a [`DecodeError`] carrying the message type and the offset of the field
//! that did not fit, which is what an operator needs to report a bad payload.

use bytes::Bytes;

use super::decode::DecodeError;

/// Reads fields of one message from `buf`, tracking the offset for errors.
pub(super) struct Reader {
    buf: Bytes,
    pos: usize,
    kind: &'static str,
}

impl Reader {
    /// A reader of message type `kind` positioned at `pos`.
    pub(super) fn new(buf: Bytes, pos: usize, kind: &'static str) -> Reader {
        Reader { buf, pos, kind }
    }

    /// An error at the current offset.
    pub(super) fn error(&self, reason: impl Into<String>) -> DecodeError {
        DecodeError::new(self.kind, self.pos, reason)
    }

    /// The offset of the next byte to read.
    pub(super) fn offset(&self) -> usize {
        self.pos
    }

    /// An error at `offset`.
    pub(super) fn error_at(&self, offset: usize, reason: impl Into<String>) -> DecodeError {
        DecodeError::new(self.kind, offset, reason)
    }

    /// The bytes not read yet.
    pub(super) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Takes the next `n` bytes, zero-copy.
    pub(super) fn bytes(&mut self, n: usize, what: &str) -> Result<Bytes, DecodeError> {
        if self.remaining() < n {
            return Err(self.error(format!(
                "truncated: {what} needs {n} bytes but only {} remain",
                self.remaining()
            )));
        }
        let out = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], DecodeError> {
        let b = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(&b);
        Ok(out)
    }

    /// `Int8` / `Byte1`.
    pub(super) fn u8(&mut self, what: &str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    /// `Int16`.
    pub(super) fn i16(&mut self, what: &str) -> Result<i16, DecodeError> {
        Ok(i16::from_be_bytes(self.array(what)?))
    }

    /// `Int16` holding a count, rejected when negative.
    pub(super) fn count16(&mut self, what: &str) -> Result<usize, DecodeError> {
        let at = self.pos;
        let v = self.i16(what)?;
        usize::try_from(v).map_err(|_| self.error_at(at, format!("{what} is negative ({v})")))
    }

    /// `Int32` holding a count or length, rejected when negative.
    pub(super) fn count32(&mut self, what: &str) -> Result<usize, DecodeError> {
        let at = self.pos;
        let v = self.i32(what)?;
        usize::try_from(v).map_err(|_| self.error_at(at, format!("{what} is negative ({v})")))
    }

    /// `Int32`, signed.
    pub(super) fn i32(&mut self, what: &str) -> Result<i32, DecodeError> {
        Ok(i32::from_be_bytes(self.array(what)?))
    }

    /// `Int32` holding an unsigned value (OIDs, xids).
    pub(super) fn u32(&mut self, what: &str) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    /// `Int64`, signed (timestamps).
    pub(super) fn i64(&mut self, what: &str) -> Result<i64, DecodeError> {
        Ok(i64::from_be_bytes(self.array(what)?))
    }

    /// `Int64` holding an unsigned value (LSNs).
    pub(super) fn u64(&mut self, what: &str) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// A NUL-terminated UTF-8 `String`.
    pub(super) fn cstring(&mut self, what: &str) -> Result<String, DecodeError> {
        let rest = &self.buf[self.pos..];
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(self.error(format!("truncated: {what} has no terminating NUL byte")));
        };
        let text = std::str::from_utf8(&rest[..len])
            .map_err(|e| self.error(format!("{what} is not valid UTF-8: {e}")))?
            .to_string();
        self.pos += len + 1;
        Ok(text)
    }

    /// Checks the whole payload was consumed.
    pub(super) fn finish(self) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(format!("{n} unexpected trailing bytes after the message"))),
        }
    }
}
