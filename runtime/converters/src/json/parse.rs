//! A strict JSON reader producing a borrowed tree ([`Node`]) whose numbers keep their source text.
//!
//! Why not serde_json: the converter must tell `1` from `1.0` and read decimals and 64-bit integers
//! without going through `f64` (serde_json only keeps number text with its `arbitrary_precision`
//! feature, which would change serde_json's behaviour for every crate of the workspace), and it
//! needs the byte span of the envelope's `schema` to key its schema cache. The grammar is RFC 8259
//! exactly (as Jackson's defaults: no comments, no NaN literals, no unescaped control characters),
//! nesting is limited so hostile input cannot overflow the stack, and every error carries the byte
//! offset where reading stopped.

use std::borrow::Cow;
use std::fmt;

/// Deepest nesting accepted (Jackson's default limit is 1000; Debezium events nest 3 levels).
const MAX_DEPTH: usize = 512;

/// A parsed JSON value borrowing from the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node<'a> {
    Null,
    Bool(bool),
    /// The number's text, valid JSON number syntax.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Members in document order (duplicates kept; lookups take the last, as Jackson's tree).
    Object(Vec<(Cow<'a, str>, Node<'a>)>),
}

impl<'a> Node<'a> {
    /// The JSON type name, for messages (Jackson's `JsonNodeType` spelling).
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Node::Null => "NULL",
            Node::Bool(_) => "BOOLEAN",
            Node::Number(_) => "NUMBER",
            Node::String(_) => "STRING",
            Node::Array(_) => "ARRAY",
            Node::Object(_) => "OBJECT",
        }
    }

    /// The member `key` of an object (the last one if repeated).
    pub(crate) fn get(&self, key: &str) -> Option<&Node<'a>> {
        match self {
            Node::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// Why the bytes are not JSON, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) offset: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed JSON at byte {}: {}",
            self.offset, self.message
        )
    }
}

/// A parsed document, with the byte span of each member of a root object (for cache keys).
#[derive(Debug)]
pub(crate) struct Document<'a> {
    pub(crate) root: Node<'a>,
    pub(crate) root_member_spans: Vec<(usize, usize)>,
    pub(crate) text: &'a str,
}

/// Parses one JSON document; only whitespace may follow it.
pub(crate) fn parse(bytes: &[u8]) -> Result<Document<'_>, ParseError> {
    parse_nested(bytes, 0)
}

/// Parses a JSON value found `depth` levels deep inside another document (it is then given
/// `depth` fewer levels of nesting, so it is accepted exactly when the whole document would be).
pub(crate) fn parse_nested(bytes: &[u8], depth: usize) -> Result<Document<'_>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| ParseError {
        message: "invalid UTF-8".into(),
        offset: e.valid_up_to(),
    })?;
    let mut p = Parser {
        text,
        bytes,
        pos: 0,
        depth,
        root_member_spans: Vec::new(),
    };
    p.skip_ws();
    let root = p.value()?;
    p.skip_ws();
    if p.pos != bytes.len() {
        return Err(p.err("unexpected content after the JSON value"));
    }
    Ok(Document {
        root,
        root_member_spans: p.root_member_spans,
        text,
    })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    root_member_spans: Vec<(usize, usize)>,
}

impl<'a> Parser<'a> {
    fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            offset: self.pos,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn value(&mut self) -> Result<Node<'a>, ParseError> {
        match self.peek() {
            None => Err(self.err("unexpected end of input, expected a value")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Node::String(self.string()?)),
            Some(b't') => self.literal("true", Node::Bool(true)),
            Some(b'f') => self.literal("false", Node::Bool(false)),
            Some(b'n') => self.literal("null", Node::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) => Err(self.err(format!("unexpected character '{}'", c.escape_ascii()))),
        }
    }

    fn literal(&mut self, word: &str, node: Node<'a>) -> Result<Node<'a>, ParseError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(node)
        } else {
            Err(self.err("invalid literal (expected true, false or null)"))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err(format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Node<'a>, ParseError> {
        self.enter()?;
        let is_root = self.depth == 1;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a member name in double quotes"));
            }
            let key = self.string()?;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.err("expected ':' after a member name"));
            }
            self.pos += 1;
            self.skip_ws();
            let start = self.pos;
            let value = self.value()?;
            if is_root {
                self.root_member_spans.push((start, self.pos));
            }
            members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Node::Object(members));
                }
                _ => return Err(self.err("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self) -> Result<Node<'a>, ParseError> {
        self.enter()?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::Array(items));
        }
        loop {
            self.skip_ws();
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Node::Array(items));
                }
                _ => return Err(self.err("expected ',' or ']' in an array")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Node<'a>, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => {
                self.pos += 1;
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.err("leading zeros are not allowed in numbers"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.err("expected a digit after the decimal point"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("expected a digit in the exponent"));
            }
        }
        Ok(Node::Number(&self.text[start..self.pos]))
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let hex = self
            .text
            .get(self.pos..self.pos + 4)
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.err("expected four hex digits after \\u"))?;
        self.pos += 4;
        u32::from_str_radix(hex, 16).map_err(|_| self.err("invalid \\u escape"))
    }

    /// Reads a string literal; borrows when it holds no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    let s = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(c) if c < 0x20 => {
                    return Err(self.err("unescaped control character in a string"));
                }
                Some(_) => self.pos += 1,
            }
        }
        let mut owned = String::from(&self.text[start..self.pos]);
        loop {
            match self.peek() {
                None => return Err(self.err("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(owned));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.peek().ok_or_else(|| self.err("unterminated escape"))?;
                    self.pos += 1;
                    match c {
                        b'"' => owned.push('"'),
                        b'\\' => owned.push('\\'),
                        b'/' => owned.push('/'),
                        b'b' => owned.push('\u{8}'),
                        b'f' => owned.push('\u{c}'),
                        b'n' => owned.push('\n'),
                        b'r' => owned.push('\r'),
                        b't' => owned.push('\t'),
                        b'u' => owned.push(self.unicode_escape()?),
                        _ => return Err(self.err("invalid escape sequence")),
                    }
                }
                Some(c) if c < 0x20 => {
                    return Err(self.err("unescaped control character in a string"));
                }
                Some(_) => {
                    // Copy the run up to the next quote or backslash in one go (UTF-8 safe: both
                    // delimiters are ASCII).
                    let run_start = self.pos;
                    while let Some(c) = self.peek() {
                        if c == b'"' || c == b'\\' || c < 0x20 {
                            break;
                        }
                        self.pos += 1;
                    }
                    owned.push_str(&self.text[run_start..self.pos]);
                }
            }
        }
    }

    fn unicode_escape(&mut self) -> Result<char, ParseError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.bytes[self.pos..].starts_with(b"\\u") {
                return Err(self.err("unpaired high surrogate in \\u escape"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.err("invalid low surrogate in \\u escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or_else(|| self.err("unpaired surrogate in \\u escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_values_and_keeps_number_text() {
        let doc = parse(br#" {"a":[1,-2.50,3e-2,true,null],"b":"x\u00e9\ud83d\ude00\n","c":{}} "#)
            .unwrap();
        let a = doc.root.get("a").unwrap();
        assert_eq!(
            a,
            &Node::Array(vec![
                Node::Number("1"),
                Node::Number("-2.50"),
                Node::Number("3e-2"),
                Node::Bool(true),
                Node::Null
            ])
        );
        assert_eq!(doc.root.get("b"), Some(&Node::String("xé😀\n".into())));
        assert_eq!(doc.root_member_spans.len(), 3);
        let (s, e) = doc.root_member_spans[2];
        assert_eq!(&doc.text[s..e], "{}");
    }

    #[test]
    fn rejects_malformed_input_with_offsets() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"{\"a\" 1}",
            b"01",
            b"1.",
            b"-",
            b"nul",
            b"\"abc",
            b"\"a\x01\"",
            b"\"\\x\"",
            b"\"\\ud800\"",
            b"1 2",
            b"NaN",
            b"\xff",
        ] {
            assert!(parse(bad).is_err(), "{}", bad.escape_ascii());
        }
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(
            parse(deep.as_bytes())
                .unwrap_err()
                .message
                .contains("nesting")
        );
    }
}
