//! The envelope fast path (`envelope` + the schema cache) gives exactly the full path's results:
//! every input is read by a converter whose cache already holds the schema and by one that caches
//! nothing, and the answers (values or errors) must be identical.

use super::{JsonConverter, JsonConverterConfig};
use crate::converter::Converter;

const SCHEMA: &str = r#"{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"},{"type":"array","items":{"type":"int32","optional":false},"optional":true,"field":"b"}],"optional":false,"name":"t"}"#;

fn warm() -> JsonConverter {
    let c = JsonConverter::default();
    let primer = format!(r#"{{"schema":{SCHEMA},"payload":{{"a":0}}}}"#);
    c.to_connect("t", Some(primer.as_bytes())).unwrap();
    let null_primer = br#"{"schema":null,"payload":0}"#;
    c.to_connect("t", Some(null_primer)).unwrap();
    c
}

fn cold() -> JsonConverter {
    JsonConverter::new(JsonConverterConfig {
        schemas_cache_size: 0,
        ..JsonConverterConfig::default()
    })
}

fn check(warm: &JsonConverter, input: &[u8]) {
    let what = input.escape_ascii();
    match (
        warm.to_connect("t", Some(input)),
        cold().to_connect("t", Some(input)),
    ) {
        (Ok(fast), Ok(full)) => assert_eq!(fast, full, "{what}"),
        (Err(fast), Err(full)) => assert_eq!(format!("{fast:?}"), format!("{full:?}"), "{what}"),
        (fast, full) => panic!("{what}: fast path {fast:?}, full path {full:?}"),
    }
}

#[test]
fn cached_schemas_read_as_the_full_parse_does() {
    let deep = |n: usize| {
        format!(
            r#"{{"schema":{SCHEMA},"payload":{{"a":1,"b":{}{}}}}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let mut inputs: Vec<Vec<u8>> = [
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1,"b":[2,3]}}}}"#),
        format!(r#"{{"payload":{{"b":null,"a":-4}},"schema":{SCHEMA}}}"#),
        format!(" {{ \"schema\" :\n{SCHEMA} ,\t\"payload\" : {{\"a\":5}} }} \r\n"),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1,}}}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":"x"}}}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"b":[1]}}}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1}},"x":1}}"#),
        format!(r#"{{"schema":{SCHEMA},"schema":{SCHEMA}}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1}}}} x"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":{{"a":01}}}}"#),
        format!(r#"{{"schema":{SCHEMA},"payload":"\ud800"}}"#),
        r#"{"schema":null,"payload":{"k":[1.5,"s",null]}}"#.to_string(),
        r#"{"payload":7 , "schema":null}"#.to_string(),
        r#"{"schema":null,"payload":tru}"#.to_string(),
        // The payload at the deepest nesting the whole document allows, and one level deeper.
        deep(510),
        deep(511),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let mut bad_utf8 = format!(r#"{{"schema":{SCHEMA},"payload":{{"a":1,"c":"?"}}}}"#).into_bytes();
    let at = bad_utf8.len() - 4;
    bad_utf8[at] = 0xff;
    inputs.push(bad_utf8);

    let warm = warm();
    for input in &inputs {
        check(&warm, input);
    }
}
