//! Unit tests of the Avro layer: canonical strings and Java's resolution rules.

use super::AvroSchema;
use super::resolution::Kind;

fn schema(text: &str) -> AvroSchema {
    AvroSchema::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn record(fields: &str) -> AvroSchema {
    schema(&format!(
        r#"{{"type":"record","name":"R","namespace":"ns","fields":[{fields}]}}"#
    ))
}

/// (kind, location, message) of every reason `reader` cannot read `writer`.
fn problems(reader: &AvroSchema, writer: &AvroSchema) -> Vec<(Kind, String, String)> {
    reader
        .read_incompatibilities(writer)
        .into_iter()
        .map(|i| (i.kind, i.location, i.message))
        .collect()
}

#[test]
fn canonical_string_ignores_layout_and_redundant_forms() {
    let compact = schema(
        r#"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"x","type":"int"}]}"#,
    );
    let pretty = schema(
        "{\n  \"namespace\": \"a.b\",\n  \"fields\": [ { \"type\": {\"type\": \"int\"}, \"name\": \"x\", \"order\": \"ascending\" } ],\n  \"name\": \"R\",\n  \"type\": \"record\"\n}",
    );
    let dotted = schema(r#"{"type":"record","name":"a.b.R","fields":[{"name":"x","type":"int"}]}"#);
    assert_eq!(compact.canonical(), pretty.canonical());
    assert_eq!(compact.canonical(), dotted.canonical());
    assert_eq!(
        compact.canonical(),
        r#"{"type":"record","name":"R","namespace":"a.b","fields":[{"name":"x","type":"int"}]}"#
    );
    assert_eq!(schema(r#"{"type":"string"}"#).canonical(), r#""string""#);
}

#[test]
fn canonical_string_keeps_what_java_keeps() {
    let plain = record(r#"{"name":"x","type":"int"}"#);
    let with_doc = record(r#"{"name":"x","type":"int","doc":"the x"}"#);
    let with_default = record(r#"{"name":"x","type":"int","default":1}"#);
    let with_prop = record(r#"{"name":"x","type":{"type":"int","connect.type":"int16"}}"#);
    for other in [&with_doc, &with_default, &with_prop] {
        assert_ne!(plain.canonical(), other.canonical());
    }
    // Custom properties stay in document order, after the known attributes.
    let props = schema(r#"{"logicalType":"decimal","scale":2,"type":"bytes","precision":10}"#);
    assert_eq!(
        props.canonical(),
        r#"{"type":"bytes","logicalType":"decimal","scale":2,"precision":10}"#
    );
}

#[test]
fn canonical_string_writes_later_uses_of_a_name_as_references() {
    let s = schema(
        r#"{"type":"record","name":"Envelope","namespace":"db.t","fields":[
            {"name":"before","type":["null",{"type":"record","name":"Value","fields":[{"name":"id","type":"long"}]}],"default":null},
            {"name":"after","type":["null","db.t.Value"],"default":null},
            {"name":"other","type":["null",{"type":"enum","name":"E","namespace":"x","symbols":["A"]}],"default":null},
            {"name":"again","type":["null","x.E"],"default":null}]}"#,
    );
    assert_eq!(
        s.canonical(),
        r#"{"type":"record","name":"Envelope","namespace":"db.t","fields":[{"name":"before","type":["null",{"type":"record","name":"Value","fields":[{"name":"id","type":"long"}]}],"default":null},{"name":"after","type":["null","Value"],"default":null},{"name":"other","type":["null",{"type":"enum","name":"E","namespace":"x","symbols":["A"]}],"default":null},{"name":"again","type":["null","x.E"],"default":null}]}"#
    );
}

#[test]
fn invalid_schemas_are_refused() {
    for text in [
        "",
        "not json",
        r#"{"type":"nope"}"#,
        r#"{"type":"record","name":"R"}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]}"#,
        r#"{"type":"record","name":"R","fields":[{"name":"a","type":"Unknown"}]}"#,
    ] {
        assert!(
            AvroSchema::parse(text).is_err(),
            "{text:?} should be invalid"
        );
    }
}

#[test]
fn adding_an_optional_field_with_a_default_is_backward_compatible() {
    let old = record(r#"{"name":"a","type":"int"}"#);
    let new =
        record(r#"{"name":"a","type":"int"},{"name":"b","type":["null","string"],"default":null}"#);
    assert!(new.can_read(&old), "new reads old");
    assert!(
        old.can_read(&new),
        "old reads new (the extra field is skipped)"
    );
}

#[test]
fn adding_a_required_field_is_not_backward_compatible() {
    let old = record(r#"{"name":"a","type":"int"}"#);
    let new = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
    assert_eq!(
        problems(&new, &old),
        vec![(
            Kind::ReaderFieldMissingDefaultValue,
            "/fields/1".to_string(),
            "b".to_string()
        )]
    );
    assert!(old.can_read(&new), "still forward compatible");
}

#[test]
fn removing_a_field_without_default_breaks_forward() {
    let old = record(r#"{"name":"a","type":"int"},{"name":"b","type":"string"}"#);
    let new = record(r#"{"name":"a","type":"int"}"#);
    assert!(new.can_read(&old), "backward: the new reader ignores b");
    assert_eq!(
        problems(&old, &new),
        vec![(
            Kind::ReaderFieldMissingDefaultValue,
            "/fields/1".to_string(),
            "b".to_string()
        )]
    );
}

#[test]
fn type_changes_follow_promotions() {
    let int = record(r#"{"name":"a","type":"int"}"#);
    let long = record(r#"{"name":"a","type":"long"}"#);
    let string = record(r#"{"name":"a","type":"string"}"#);
    let bytes = record(r#"{"name":"a","type":"bytes"}"#);
    assert!(long.can_read(&int));
    assert_eq!(
        problems(&int, &long),
        vec![(
            Kind::TypeMismatch,
            "/fields/0/type".to_string(),
            "reader type: INT not compatible with writer type: LONG".to_string()
        )]
    );
    assert!(string.can_read(&bytes) && bytes.can_read(&string));
    assert!(!int.can_read(&string));
}

#[test]
fn enum_symbol_changes() {
    let abc = schema(r#"{"type":"enum","name":"E","symbols":["A","B","C"]}"#);
    let ab = schema(r#"{"type":"enum","name":"E","symbols":["A","B"]}"#);
    let ab_default = schema(r#"{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}"#);
    assert!(
        abc.can_read(&ab),
        "adding a symbol: the new reader reads old data"
    );
    assert_eq!(
        problems(&ab, &abc),
        vec![(
            Kind::MissingEnumSymbols,
            "/symbols".to_string(),
            "[C]".to_string()
        )]
    );
    assert!(
        ab_default.can_read(&abc),
        "a reader default absorbs unknown symbols"
    );
}

#[test]
fn union_changes() {
    let narrow = record(r#"{"name":"a","type":["null","int"],"default":null}"#);
    let wide = record(r#"{"name":"a","type":["null","int","string"],"default":null}"#);
    assert!(wide.can_read(&narrow));
    assert_eq!(
        problems(&narrow, &wide),
        vec![(
            Kind::MissingUnionBranch,
            "/fields/0/type/2".to_string(),
            "reader union lacking writer type: STRING".to_string()
        )]
    );
    let plain = record(r#"{"name":"a","type":"int"}"#);
    assert!(narrow.can_read(&plain), "a union reads one of its branches");
    assert!(!plain.can_read(&narrow), "a plain int cannot read a null");
}

#[test]
fn names_must_match_unless_aliased() {
    let a = schema(r#"{"type":"record","name":"A","fields":[]}"#);
    let b = schema(r#"{"type":"record","name":"B","fields":[]}"#);
    let b_alias = schema(r#"{"type":"record","name":"B","aliases":["A"],"fields":[]}"#);
    assert_eq!(
        problems(&b, &a),
        vec![(
            Kind::NameMismatch,
            "/name".to_string(),
            "expected: A".to_string()
        )]
    );
    assert!(b_alias.can_read(&a));
}

#[test]
fn recursive_schemas_terminate() {
    let list = r#"{"type":"record","name":"L","fields":[{"name":"v","type":"int"},{"name":"next","type":["null","L"],"default":null}]}"#;
    let list2 = r#"{"type":"record","name":"L","fields":[{"name":"v","type":"long"},{"name":"next","type":["null","L"],"default":null}]}"#;
    assert!(schema(list2).can_read(&schema(list)));
    assert!(!schema(list).can_read(&schema(list2)));
}
