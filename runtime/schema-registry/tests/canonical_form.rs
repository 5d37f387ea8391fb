//! The canonical string (a schema's identity) is what Java Avro writes: every golden schema,
//! written by Java's `Schema.toString()`, is its own canonical form, and a reformatted copy of
//! it has the same one.

use serde_json::Value;
use sluice_schema_registry::{AvroSchema, canonical_form};

#[test]
fn golden_schemas_are_their_own_canonical_form() {
    let golden: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden("events/pg/avro/registry.json")).unwrap(),
    )
    .unwrap();
    for entry in &golden {
        let text = entry["schema"].as_str().unwrap();
        assert_eq!(canonical_form(text).unwrap(), text, "{}", entry["subject"]);
        let pretty =
            serde_json::to_string_pretty(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
        let parsed = AvroSchema::parse(&pretty).unwrap();
        assert_eq!(parsed.canonical(), text);
        assert_eq!(parsed.text(), pretty, "the text is kept as given");
    }
}

/// The `.avsc` files are Java's pretty-printed form of the registered schemas: each one's
/// canonical string is the compact text registered for its subject.
#[test]
fn golden_avsc_files_have_the_registered_canonical_form() {
    let golden: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(sluice_testkit::golden("events/pg/avro/registry.json")).unwrap(),
    )
    .unwrap();
    let dir = sluice_testkit::golden("events/pg/avro");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "avsc") {
            let text = std::fs::read_to_string(&path).unwrap();
            let schema =
                AvroSchema::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(schema.can_read(&schema), "{} reads itself", path.display());
            let name = path.file_name().unwrap().to_str().unwrap();
            let subject = name
                .split(".avsc")
                .next()
                .unwrap()
                .trim_end_matches(".v1")
                .trim_end_matches(".v2");
            assert!(
                golden
                    .iter()
                    .any(|e| e["subject"] == subject && e["schema"] == schema.canonical()),
                "{name}: no registered schema of {subject} has the canonical form {}",
                schema.canonical()
            );
            seen += 1;
        }
    }
    assert!(seen >= 10);
}
