//! Splitting a byte stream into lines while tracking the byte position after each line, as
//! Kafka's `FileStreamSourceTask` does: a line ends at `\n`, `\r\n` or a lone `\r`; a `\r` that
//! is the last byte seen so far waits for the next byte (it may be the start of `\r\n`); a
//! last line without its terminator is kept until the terminator arrives, never emitted early.
//!
//! Positions count **bytes**. (Java counts UTF-16 characters decoded from the file while it
//! skips bytes on resume, so the two agree for ASCII files only; bytes are what a resume
//! needs.) Lines are decoded as UTF-8 with invalid sequences replaced, like Java's reader;
//! splitting on the bytes `\n`/`\r` is safe because they never occur inside a UTF-8 sequence.

use std::fmt;

/// Bytes read but not yet returned as lines, and the stream position of their start.
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    /// Where the unread part of `buf` starts.
    head: usize,
    /// The stream position of `buf[head]`; `None` when positions are not tracked (stdin).
    position: Option<u64>,
}

impl fmt::Debug for LineBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LineBuffer")
            .field("buffered", &(self.buf.len() - self.head))
            .field("position", &self.position)
            .finish()
    }
}

impl LineBuffer {
    /// An empty buffer at `position`.
    pub(crate) fn new(position: Option<u64>) -> Self {
        LineBuffer {
            buf: Vec::new(),
            head: 0,
            position,
        }
    }

    /// Appends bytes read from the stream.
    pub(crate) fn push(&mut self, data: &[u8]) {
        if self.head > 0 {
            // One move per read rather than one per line.
            self.buf.drain(..self.head);
            self.head = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete line and the stream position just after its terminator.
    pub(crate) fn next_line(&mut self) -> Option<(String, Option<u64>)> {
        let rest = &self.buf[self.head..];
        let i = rest.iter().position(|&b| b == b'\n' || b == b'\r')?;
        let consumed = if rest[i] == b'\n' {
            i + 1
        } else {
            match rest.get(i + 1) {
                None => return None,
                Some(b'\n') => i + 2,
                Some(_) => i + 1,
            }
        };
        let line = String::from_utf8_lossy(&rest[..i]).into_owned();
        self.head += consumed;
        if let Some(p) = self.position.as_mut() {
            *p += consumed as u64;
        }
        Some((line, self.position))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(b: &mut LineBuffer) -> Vec<(String, Option<u64>)> {
        std::iter::from_fn(|| b.next_line()).collect()
    }

    #[test]
    fn splits_on_every_terminator_and_counts_bytes() {
        let mut b = LineBuffer::new(Some(10));
        b.push("a\nbé\r\nc\rd".as_bytes());
        assert_eq!(
            drain(&mut b),
            vec![
                ("a".to_string(), Some(12)),
                ("bé".to_string(), Some(17)),
                ("c".to_string(), Some(19)),
            ]
        );
        b.push(b"\n");
        assert_eq!(drain(&mut b), vec![("d".to_string(), Some(21))]);
    }

    #[test]
    fn a_trailing_carriage_return_waits_for_the_next_byte() {
        let mut b = LineBuffer::new(None);
        b.push(b"x\r");
        assert_eq!(b.next_line(), None);
        b.push(b"\ny");
        assert_eq!(b.next_line(), Some(("x".to_string(), None)));
        assert_eq!(b.next_line(), None);
    }
}
