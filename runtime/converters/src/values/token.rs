//! The tokenizer under [`Values::parse_string`](super::Values::parse_string), with the same
//! token boundaries, look-ahead and rewinding as Kafka's `Values.Parser`.
//!
//! A token is either one unescaped delimiter (`: , { } [ ] "`) or the longest run of other
//! characters; a backslash escapes the next character (the backslash stays in the token).
//! Whitespace is *not* a delimiter: `" 1 "` is one token, trimmed by the callers. Looking ahead
//! ([`Tokens::can_consume`]) skips blank tokens and compares trimmed text, and a failed look-ahead
//! keeps the peeked token, exactly as Java's `isNext`; the parser depends on that (a
//! [`Tokens::mark`] taken after a failed look-ahead points before the peeked token).
//!
//! Positions are byte offsets. Every delimiter is ASCII, and UTF-8 continuation bytes never equal
//! an ASCII byte, so token boundaries fall where Java's UTF-16 boundaries fall and every slice is
//! on a character boundary.

/// Java's `String.trim()`: strips every character up to U+0020 (controls and space), not
/// Unicode whitespace.
pub(super) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Kafka's `Utils.isBlank`: empty after [`java_trim`].
pub(super) fn is_blank(s: &str) -> bool {
    java_trim(s).is_empty()
}

/// A cursor over the tokens of one string (Java's `Values.Parser`).
#[derive(Debug)]
pub(super) struct Tokens<'a> {
    original: &'a str,
    pos: usize,
    peeked: Option<&'a str>,
}

impl<'a> Tokens<'a> {
    pub(super) fn new(original: &'a str) -> Self {
        Tokens {
            original,
            pos: 0,
            peeked: None,
        }
    }

    /// The whole input.
    pub(super) fn original(&self) -> &'a str {
        self.original
    }

    /// The position of the next unread token (before a peeked one).
    pub(super) fn mark(&self) -> usize {
        self.pos - self.peeked.map_or(0, str::len)
    }

    /// Goes back to a [`Tokens::mark`], forgetting any peeked token.
    pub(super) fn rewind_to(&mut self, position: usize) {
        self.pos = position;
        self.peeked = None;
    }

    /// Whether a token (possibly blank) remains.
    pub(super) fn has_next(&self) -> bool {
        self.peeked.is_some() || self.pos < self.original.len()
    }

    /// The next token (the empty string at the end, as Java).
    pub(super) fn next_token(&mut self) -> &'a str {
        match self.peeked.take() {
            Some(t) => t,
            None => self.consume(),
        }
    }

    /// The text spanned by the next `n` tokens, or `None` (and nothing consumed) if fewer remain.
    pub(super) fn next_n(&mut self, n: usize) -> Option<&'a str> {
        let start = self.mark();
        for _ in 0..n {
            if !self.has_next() {
                self.rewind_to(start);
                return None;
            }
            self.next_token();
        }
        Some(&self.original[start..self.pos])
    }

    /// Consumes the next non-blank token if, trimmed, it is `expected`; otherwise keeps it peeked.
    pub(super) fn can_consume(&mut self, expected: &str) -> bool {
        if self.is_next(expected) {
            self.peeked = None;
            return true;
        }
        false
    }

    fn is_next(&mut self, expected: &str) -> bool {
        let mut token = match self.peeked {
            Some(t) => t,
            None => {
                if !self.has_next() {
                    return false;
                }
                self.consume()
            }
        };
        while is_blank(token) && self.pos < self.original.len() {
            token = self.consume();
        }
        self.peeked = Some(token);
        java_trim(token) == expected
    }

    fn consume(&mut self) -> &'a str {
        let bytes = self.original.as_bytes();
        let start = self.pos;
        let mut escaped = false;
        while self.pos < bytes.len() {
            match bytes[self.pos] {
                b'\\' => escaped = !escaped,
                b':' | b',' | b'{' | b'}' | b'[' | b']' | b'"' if !escaped => {
                    if start < self.pos {
                        return &self.original[start..self.pos];
                    }
                    self.pos += 1;
                    return &self.original[start..self.pos];
                }
                _ => escaped = false,
            }
            self.pos += 1;
        }
        &self.original[start..self.pos]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<&str> {
        let mut t = Tokens::new(text);
        let mut out = Vec::new();
        while t.has_next() {
            out.push(t.next_token());
        }
        out
    }

    #[test]
    fn splits_on_unescaped_delimiters_only() {
        assert_eq!(all(r#"{"a b":1}"#), ["{", "\"", "a b", "\"", ":", "1", "}"]);
        assert_eq!(all(r"a\,b,c"), [r"a\,b", ",", "c"]);
        assert_eq!(all(r"a\\,b"), [r"a\\", ",", "b"]);
        assert_eq!(all("ü,é"), ["ü", ",", "é"]);
    }

    #[test]
    fn look_ahead_skips_blank_tokens_and_keeps_the_peeked_one() {
        let mut t = Tokens::new("  [1]");
        assert!(!t.can_consume("{"));
        assert_eq!(t.mark(), 2, "the mark is before the peeked '['");
        assert!(t.can_consume("["));
        assert_eq!(t.next_token(), "1");
        assert_eq!(t.next_n(2), None);
        assert_eq!(t.next_n(1), Some("]"));
    }
}
