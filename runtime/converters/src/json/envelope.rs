//! Finds the byte spans of the `schema` and `payload` members of a `schemas.enable=true`
//! envelope without building a tree, so a record whose schema was already read can skip parsing
//! it (the schema is most of a Debezium event's bytes).
//!
//! Why a hand-written scanner: no JSON library exposes "the raw bytes of this member" without
//! also validating (and, for most, building) it, and validation of the schema is exactly the work
//! being avoided.
//!
//! Correctness argument. [`split`] is strict about everything *outside* the two member values:
//! optional JSON whitespace, `{`, the member names spelled exactly `"schema"` and `"payload"` (no
//! escapes; anything else returns `None` and the caller takes the full-parse path), `:`, `,`, `}`
//! and nothing after but whitespace. Inside a member value it only skips a balanced value
//! (honouring strings and their escapes), without validating it. The caller then uses the spans
//! only when
//! - the schema span equals, byte for byte, a span the full parser accepted earlier (the schema
//!   cache holds only such spans, and only objects or `null`, which the parser reads to exactly
//!   their last byte whatever follows), and
//! - the payload span parses on its own, strictly, at the nesting depth it has in the envelope;
//!
//! so the whole document is valid JSON that the full parser would read as the same two-member
//! object, and the result is identical. Any failure falls back to the full parse, which produces
//! the same errors as before.

use std::ops::Range;

/// The spans of the envelope's two members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Envelope {
    pub(crate) schema: Range<usize>,
    pub(crate) payload: Range<usize>,
}

/// The member spans of `{"schema":…,"payload":…}` (either order), or `None` when the bytes are not
/// plainly such an envelope (the caller then parses the whole document).
pub(crate) fn split(bytes: &[u8]) -> Option<Envelope> {
    let mut pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    let (first_is_schema, first, next) = member(bytes, pos + 1)?;
    pos = skip_ws(bytes, next);
    if bytes.get(pos) != Some(&b',') {
        return None;
    }
    let (second_is_schema, second, next) = member(bytes, pos + 1)?;
    if first_is_schema == second_is_schema {
        return None;
    }
    if !closes(bytes, next) {
        return None;
    }
    Some(if first_is_schema {
        Envelope {
            schema: first,
            payload: second,
        }
    } else {
        Envelope {
            schema: second,
            payload: first,
        }
    })
}

/// The payload span of `{"schema":<schema>,"payload":…}` whose schema member is exactly the
/// bytes `schema` (the last schema read, checked with one comparison instead of a scan and a
/// hash), or `None`.
pub(crate) fn payload_after(bytes: &[u8], schema: &[u8]) -> Option<Range<usize>> {
    let pos = skip_ws(bytes, 0);
    if bytes.get(pos) != Some(&b'{') {
        return None;
    }
    let pos = skip_ws(bytes, pos + 1);
    if !bytes.get(pos..)?.starts_with(b"\"schema\"") {
        return None;
    }
    let pos = skip_ws(bytes, pos + 8);
    if bytes.get(pos) != Some(&b':') {
        return None;
    }
    let start = skip_ws(bytes, pos + 1);
    if !bytes.get(start..)?.starts_with(schema) {
        return None;
    }
    let pos = skip_ws(bytes, start + schema.len());
    if bytes.get(pos) != Some(&b',') {
        return None;
    }
    let (is_schema, payload, next) = member(bytes, pos + 1)?;
    (!is_schema && closes(bytes, next)).then_some(payload)
}

/// Whether only whitespace, `}` and whitespace follow `pos`.
fn closes(bytes: &[u8], pos: usize) -> bool {
    let pos = skip_ws(bytes, pos);
    bytes.get(pos) == Some(&b'}') && skip_ws(bytes, pos + 1) == bytes.len()
}

/// One `"schema"|"payload" : value` member from `pos`: whether it is the schema, the value's span
/// and the position after it.
fn member(bytes: &[u8], pos: usize) -> Option<(bool, Range<usize>, usize)> {
    let pos = skip_ws(bytes, pos);
    let rest = bytes.get(pos..)?;
    let (is_schema, name_len) = if rest.starts_with(b"\"schema\"") {
        (true, 8)
    } else if rest.starts_with(b"\"payload\"") {
        (false, 9)
    } else {
        return None;
    };
    let pos = skip_ws(bytes, pos + name_len);
    if bytes.get(pos) != Some(&b':') {
        return None;
    }
    let start = skip_ws(bytes, pos + 1);
    let end = skip_value(bytes, start)?;
    Some((is_schema, start..end, end))
}

fn skip_ws(bytes: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(pos) {
        pos += 1;
    }
    pos
}

/// The end of the value starting at `pos`: a balanced object or array, a string, or a run of
/// other bytes up to a delimiter. Not validated (see the module docs); `None` if unterminated.
fn skip_value(bytes: &[u8], pos: usize) -> Option<usize> {
    match bytes.get(pos)? {
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut i = pos;
            while i < bytes.len() {
                match bytes[i] {
                    b'"' => {
                        i = skip_string(bytes, i)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            None
        }
        b'"' => skip_string(bytes, pos),
        _ => {
            let len = bytes[pos..]
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(bytes.len() - pos);
            (len > 0).then_some(pos + len)
        }
    }
}

/// The position after the string whose opening quote is at `pos`.
fn skip_string(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Some(i + 1),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Option<(&str, &str)> {
        split(text.as_bytes()).map(|e| (&text[e.schema], &text[e.payload]))
    }

    #[test]
    fn finds_both_members_in_either_order() {
        assert_eq!(
            spans(r#"{"schema":{"type":"string","x":["}\"]"]},"payload":"a}"}"#),
            Some((r#"{"type":"string","x":["}\"]"]}"#, r#""a}""#))
        );
        assert_eq!(
            spans(" { \"payload\" : 12 ,\n\"schema\":null } \n"),
            Some(("null", "12"))
        );
        assert_eq!(
            spans(r#"{"payload":[1,{"a":[]}],"schema":{}}"#),
            Some(("{}", r#"[1,{"a":[]}]"#))
        );
    }

    #[test]
    fn finds_the_payload_after_a_known_schema() {
        let schema = br#"{"type":"int32"}"#;
        let text = " {\"schema\" : {\"type\":\"int32\"} ,\"payload\":[1]}\n";
        assert_eq!(
            payload_after(text.as_bytes(), schema).map(|r| &text[r]),
            Some("[1]")
        );
        for other in [
            r#"{"schema":{"type":"int32"},"payload":1,"x":1}"#,
            r#"{"schema":{"type":"int32"},"schema":1}"#,
            r#"{"schema":{"type":"int32","x":1},"payload":1}"#,
            r#"{"payload":1,"schema":{"type":"int32"}}"#,
            r#"{"schema":{"type":"int32"}"#,
        ] {
            assert_eq!(payload_after(other.as_bytes(), schema), None, "{other}");
        }
    }

    #[test]
    fn declines_anything_else() {
        for text in [
            "",
            "[]",
            r#"{"schema":null}"#,
            r#"{"schema":null,"schema":1}"#,
            r#"{"schema":null,"payload":1,"x":2}"#,
            r#"{"sch\u0065ma":null,"payload":1}"#,
            r#"{"schema":null,"payload":1} x"#,
            r#"{"schema":{"a":1,"payload":1}"#,
            r#"{"schema":"abc,"payload":1}"#,
            r#"{"schema":,"payload":1}"#,
        ] {
            assert_eq!(spans(text), None, "{text}");
        }
    }
}
