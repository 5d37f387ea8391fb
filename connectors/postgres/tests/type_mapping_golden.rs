//! The PostgreSQL → Debezium type mapping against the golden events of the Java reference.
//!
//! In a fresh database on the real PostgreSQL 15, the golden inventory schema is created and
//! the golden `all_types_insert` step run; each table's column types are read from the catalog
//! ([`sluice_postgres::types::catalog::table_columns`]), its rows as text (`col::text`, the
//! format `pgoutput` sends), and both are mapped. The row schema and every row must then
//! serialise through Kafka's JSON converter to exactly the bytes Debezium wrote for the same
//! rows: the snapshot rows (`op: r`) of every inventory table and the inserted `all_types` row
//! (`op: c`). Mismatches are reported per column.
//!
//! The session time zone is set away from UTC on purpose: `timestamptz`/`timetz` text then
//! carries a non-zero offset that the mapping must undo.

use anyhow::{Context, Result, ensure};
use serde_json::Value as Json;
use sluice_api::Value;
use sluice_converters::{Converter, JsonConverter};
use sluice_postgres::PgConnectionConfig;
use sluice_postgres::types::{
    ColumnMapping, ColumnType, TypeError, TypeModes, catalog::table_columns, row_schema, row_value,
};

/// One golden record of a table: its `op` and the exact value bytes.
struct GoldenRecord {
    op: String,
    value_text: String,
}

fn golden_records(table: &str) -> Vec<GoldenRecord> {
    let path = sluice_testkit::golden("events/pg/all_records.jsonl");
    let text = std::fs::read_to_string(&path).expect("read all_records.jsonl");
    let topic = format!("dbserver1.inventory.{table}");
    text.lines()
        .map(|line| serde_json::from_str::<Json>(line).expect("golden record JSON"))
        .filter(|r| r["topic"] == topic.as_str())
        .filter_map(|r| {
            let value_text = r["value_text"].as_str()?.to_string();
            let value: Json = serde_json::from_str(&value_text).expect("golden value JSON");
            Some(GoldenRecord {
                op: value["payload"]["op"].as_str()?.to_string(),
                value_text,
            })
        })
        .collect()
}

/// The exact text of the JSON object or array starting at `start` in `text`.
fn json_span(text: &str, start: usize) -> &str {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return &text[start..=i];
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced JSON from offset {start}")
}

/// The exact bytes of `"after":{…}` in a golden value, and its schema (without `"field"`).
fn golden_after(value_text: &str) -> (String, Json) {
    let payload = value_text.find("\"payload\":").expect("payload");
    let after = payload + value_text[payload..].find("\"after\":{").expect("after") + 8;
    let bytes = json_span(value_text, after).to_string();
    let value: Json = serde_json::from_str(value_text).unwrap();
    let mut schema = value["schema"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "after")
        .expect("after field")
        .clone();
    schema.as_object_mut().unwrap().remove("field");
    (bytes, schema)
}

/// Maps `inventory.<table>` and checks the rows selected by `filter` against `golden`
/// (`op`, exact value bytes) in order; returns one line per problem.
async fn check_table(
    client: &tokio_postgres::Client,
    table: &str,
    filter: &str,
    golden: &[&GoldenRecord],
) -> Result<Vec<String>> {
    let columns = table_columns(client, "inventory", table).await?;
    ensure!(!columns.is_empty(), "no columns read for {table}");
    let modes = TypeModes::default();
    let mappings = columns
        .iter()
        .map(|c| ColumnMapping::new(c, &modes))
        .collect::<Result<Vec<_>, _>>()?;
    let schema = row_schema(
        &format!("dbserver1.inventory.{table}.Value"),
        &mappings,
        true,
    )?;
    let converter = JsonConverter::default();
    let schema_json = converter.schema_to_json(&schema)?;
    let mut problems = Vec::new();

    // Schemas: the whole row struct byte for byte, then field by field for the report.
    let (_, golden_schema) = golden_after(&golden[0].value_text);
    let golden_schema_text = serde_json::to_string(&golden_schema)?;
    if schema_json.as_ref() != golden_schema_text.as_bytes() {
        problems.push(format!(
            "{table}: row schema bytes differ\n  ours:   {}\n  golden: {golden_schema_text}",
            String::from_utf8_lossy(&schema_json)
        ));
    }
    let golden_fields = golden_schema["fields"].as_array().unwrap();
    ensure!(
        golden_fields.len() == mappings.len(),
        "{table}: {} golden fields, {} columns",
        golden_fields.len(),
        mappings.len()
    );
    for (mapping, golden_field) in mappings.iter().zip(golden_fields) {
        let mut expected = golden_field.clone();
        let name = expected["field"].as_str().unwrap().to_string();
        expected.as_object_mut().unwrap().remove("field");
        let ours: Json = serde_json::from_slice(&converter.schema_to_json(mapping.schema())?)?;
        let status = if name == mapping.column() && ours == expected {
            "schema ok"
        } else {
            problems.push(format!(
                "{table}.{}: schema {ours} != golden {name}: {expected}",
                mapping.column()
            ));
            "schema MISMATCH"
        };
        println!("{table}.{:<14} {status}", mapping.column());
    }

    // Values, through the simple query protocol: its results are the types' output
    // functions' text, exactly what pgoutput sends (`::text` casts differ, e.g. for booleans).
    let select = format!(
        "SELECT {} FROM inventory.{table} {filter} ORDER BY ctid",
        columns
            .iter()
            .map(|c| format!("\"{}\"", c.column))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<tokio_postgres::SimpleQueryRow> = client
        .simple_query(&select)
        .await?
        .into_iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(row) => Some(row),
            _ => None,
        })
        .collect();
    ensure!(
        rows.len() == golden.len(),
        "{table}: {} rows selected, {} golden records",
        rows.len(),
        golden.len()
    );
    for (row, record) in rows.iter().zip(golden) {
        let texts: Vec<Option<String>> = (0..columns.len())
            .map(|i| row.get(i).map(str::to_string))
            .collect();
        let text_refs: Vec<Option<&[u8]>> = texts
            .iter()
            .map(|t| t.as_deref().map(str::as_bytes))
            .collect();
        let value = Value::Struct(row_value(&schema, &mappings, &text_refs)?);
        let bytes = converter
            .from_connect("t", Some(&schema), &value)?
            .context("a row is never a tombstone")?;
        let bytes = String::from_utf8(bytes)?;
        let payload_at = 10 + schema_json.len() + ",\"payload\":".len();
        let ours = json_span(&bytes, payload_at);
        let (expected, _) = golden_after(&record.value_text);
        if ours == expected {
            println!("{table} op={} row ok: {ours}", record.op);
            continue;
        }
        problems.push(format!(
            "{table} op={}: payload bytes differ\n  ours:   {ours}\n  golden: {expected}",
            record.op
        ));
        let ours: serde_json::Map<String, Json> = serde_json::from_str(ours)?;
        let expected: serde_json::Map<String, Json> = serde_json::from_str(&expected)?;
        for (column, text) in columns.iter().zip(&texts) {
            let (a, b) = (&ours[&column.column], &expected[&column.column]);
            if a != b {
                problems.push(format!(
                    "  {table}.{} (text {text:?}): ours {a} != golden {b}",
                    column.column
                ));
            }
        }
    }
    Ok(problems)
}

async fn fresh_inventory() -> Result<tokio_postgres::Client> {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database("types").await;
    let client = PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db)
        .connect("the type mapping test")
        .await?;
    let schema_sql = std::fs::read_to_string(sluice_testkit::golden("sql/inventory_schema.sql"))?;
    client.batch_execute(&schema_sql).await?;
    // Not UTC, and not a whole-hour offset, so offsets are really undone.
    client
        .batch_execute("SET TimeZone = 'America/St_Johns'")
        .await?;
    Ok(client)
}

#[tokio::test]
async fn every_inventory_column_maps_as_debezium_does() -> Result<()> {
    let client = fresh_inventory().await?;
    let mut problems = Vec::new();

    for table in ["customers", "all_types", "no_pk_log", "order_lines"] {
        let records = golden_records(table);
        let snapshot: Vec<&GoldenRecord> = records.iter().filter(|r| r.op == "r").collect();
        ensure!(!snapshot.is_empty(), "no golden snapshot of {table}");
        problems.extend(check_table(&client, table, "", &snapshot).await?);
    }

    // The golden all_types_insert step, exactly as the reference ran it.
    let steps: Json = serde_json::from_str(&std::fs::read_to_string(sluice_testkit::golden(
        "sql/pg_dml_steps.json",
    ))?)?;
    let insert = steps
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "all_types_insert")
        .and_then(|s| s["sql"].as_str())
        .context("the all_types_insert step")?;
    client.batch_execute(insert).await?;
    let records = golden_records("all_types");
    let created = records
        .iter()
        .find(|r| r.op == "c")
        .context("golden all_types insert")?;
    problems.extend(check_table(&client, "all_types", "WHERE id = 10", &[created]).await?);

    assert!(
        problems.is_empty(),
        "{} mismatches with the golden events:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}

#[tokio::test]
async fn an_unknown_type_is_reported_with_its_column() -> Result<()> {
    let client = fresh_inventory().await?;
    client
        .batch_execute("CREATE TABLE inventory.odd (id int PRIMARY KEY, spot box, q tsquery[])")
        .await?;
    let columns = table_columns(&client, "inventory", "odd").await?;
    let spot: &ColumnType = columns.iter().find(|c| c.column == "spot").unwrap();
    let err = ColumnMapping::new(spot, &TypeModes::default()).unwrap_err();
    assert!(
        matches!(&err, TypeError::Unsupported { column, oid: 603, .. } if column == "spot"),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("'spot'") && message.contains("box"),
        "{message}"
    );
    // The other column still maps.
    assert!(ColumnMapping::new(&columns[0], &TypeModes::default()).is_ok());
    // With include.unknown.datatypes, a box is the bytes of its text as JDBC prints it, and an
    // array of an unknown type is still unsupported (as Debezium leaves out money[]).
    let modes = TypeModes {
        include_unknown: true,
        ..TypeModes::default()
    };
    let mapping = ColumnMapping::new(spot, &modes)?;
    assert_eq!(
        mapping.value(Some(b"(3,4),(1,2)"))?,
        Value::Bytes(b"(3.0,4.0),(1.0,2.0)".to_vec())
    );
    let q = columns.iter().find(|c| c.column == "q").unwrap();
    assert!(ColumnMapping::new(q, &modes).is_err());
    Ok(())
}

#[tokio::test]
async fn bad_text_is_a_clear_error() -> Result<()> {
    let client = fresh_inventory().await?;
    let columns = table_columns(&client, "inventory", "all_types").await?;
    let interval = columns.iter().find(|c| c.column == "c_interval").unwrap();
    let mapping = ColumnMapping::new(interval, &TypeModes::default())?;
    // ISO 8601 output (IntervalStyle iso_8601) is not what the connector's sessions produce.
    let err = mapping.value(Some(b"P1Y2M")).unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("c_interval") && message.contains("IntervalStyle"),
        "{message}"
    );
    Ok(())
}
