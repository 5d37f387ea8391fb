//! `hstore` values: PostgreSQL prints `"k"=>"v", "n"=>NULL` (keys and values always quoted,
//! `\` escaping `"` and `\`). Debezium emits them as a JSON object string (the default) or as
//! a Connect map (`hstore.handling.mode=map`), in the order PostgreSQL prints the pairs.

use sluice_api::Value;

use super::HstoreMode;

/// The pairs of an hstore's text, in order; `None` for a `NULL` value.
pub fn parse(text: &str) -> Result<Vec<(String, Option<String>)>, String> {
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (key, after) = quoted(rest).ok_or("expected a quoted key")?;
        let after = after
            .trim_start()
            .strip_prefix("=>")
            .ok_or("expected => after a key")?
            .trim_start();
        let (value, after) = match after.strip_prefix("NULL") {
            Some(after) => (None, after),
            None => {
                let (v, after) = quoted(after).ok_or("expected a quoted value or NULL")?;
                (Some(v), after)
            }
        };
        pairs.push((key, value));
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(next) => next.trim_start(),
            None if after.is_empty() => after,
            None => return Err("expected ',' between pairs".into()),
        };
    }
    Ok(pairs)
}

/// A `"…"` string with `\` escapes at the start of `text`, and what follows it.
fn quoted(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?.1),
            '"' => return Some((out, &body[i + 1..])),
            c => out.push(c),
        }
    }
    None
}

/// An hstore value under `mode`.
pub fn value(text: &str, mode: HstoreMode) -> Result<Value, String> {
    let pairs = parse(text)?;
    Ok(match mode {
        HstoreMode::Json => {
            let object: serde_json::Map<String, serde_json::Value> = pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        k,
                        v.map_or(serde_json::Value::Null, serde_json::Value::String),
                    )
                })
                .collect();
            Value::String(serde_json::Value::Object(object).to_string().into())
        }
        HstoreMode::Map => Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| {
                    (
                        Value::String(k.into()),
                        v.map_or(Value::Null, |v| Value::String(v.into())),
                    )
                })
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_in_printed_order() {
        let pairs = parse(r#""a"=>"1", "b"=>NULL, "key with space"=>"v""#).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), Some("1".into())),
                ("b".into(), None),
                ("key with space".into(), Some("v".into()))
            ]
        );
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            value(r#""k"=>"v with \"quote\"""#, HstoreMode::Json).unwrap(),
            Value::String(r#"{"k":"v with \"quote\""}"#.into())
        );
        assert!(parse(r#""a"=>"#).is_err());
        assert!(parse(r#""a"=>"1" "b"=>"2""#).is_err());
    }
}
