//! Schema building and value validation, as Java's `SchemaBuilder` and `ConnectSchema.validateValue`.

use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Type, Value, logical, validate_value};

fn customer_schema() -> Schema {
    SchemaBuilder::struct_()
        .name("dbserver1.inventory.customers.Value")
        .field("id", Schema::int32())
        .field("email", Schema::string())
        .field("nick", Schema::optional_string())
        .field(
            "score",
            SchemaBuilder::int32().default_value(7i32).build().unwrap(),
        )
        .build()
        .unwrap()
}

#[test]
fn wrong_type_is_rejected_with_the_field_name() {
    let err = validate_value(Some("id"), &Schema::int32(), &Value::Int64(1)).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("\"id\"") && msg.contains("INT32") && msg.contains("Int64"),
        "{msg}"
    );

    let mut s = Struct::new(customer_schema()).unwrap();
    let err = s.put("id", "not a number").unwrap_err().to_string();
    assert!(err.contains("\"id\""), "{err}");
    assert!(
        s.put("no_such_field", 1i32)
            .unwrap_err()
            .to_string()
            .contains("no_such_field")
    );
}

#[test]
fn null_in_required_field_is_rejected_but_allowed_in_optional() {
    let err = validate_value(Some("email"), &Schema::string(), &Value::Null).unwrap_err();
    assert!(
        err.to_string()
            .contains("null used for required field: \"email\""),
        "{err}"
    );
    validate_value(Some("nick"), &Schema::optional_string(), &Value::Null).unwrap();

    // A struct is complete only when required fields without a default are set.
    let mut s = Struct::new(customer_schema()).unwrap();
    s.put("id", 1i32).unwrap();
    let err = s.validate().unwrap_err().to_string();
    assert!(err.contains("\"email\""), "{err}");
    s.put("email", "a@b.c").unwrap();
    s.validate().unwrap();
    // The defaulted field reads as its default, but is unset underneath.
    assert_eq!(s.get("score").unwrap(), &Value::Int32(7));
    assert_eq!(s.get_without_default("score").unwrap(), &Value::Null);
    // An incomplete struct cannot be put into a parent.
    let parent_schema = SchemaBuilder::struct_()
        .field("after", customer_schema())
        .build()
        .unwrap();
    let incomplete = Struct::new(customer_schema()).unwrap();
    let mut parent = Struct::new(parent_schema).unwrap();
    assert!(parent.put("after", incomplete).is_err());
    parent.put("after", s).unwrap();
}

#[test]
fn decimal_scale_must_match_the_schema() {
    let schema = logical::decimal(2).build().unwrap();
    validate_value(None, &schema, &Value::Decimal(Decimal::from_i128(12345, 2))).unwrap();
    let err = validate_value(
        Some("price"),
        &schema,
        &Value::Decimal(Decimal::from_i128(12345, 3)),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("scale 3") && err.contains("scale 2"), "{err}");
    // The raw bytes are not a Decimal value.
    assert!(validate_value(None, &schema, &Value::Bytes(vec![1])).is_err());
    // A Decimal schema without a scale parameter is rejected.
    let no_scale = SchemaBuilder::bytes()
        .name(logical::DECIMAL_NAME)
        .build()
        .unwrap();
    assert!(validate_value(None, &no_scale, &Value::Decimal(Decimal::from_i128(1, 0))).is_err());
}

#[test]
fn logical_time_types_need_their_variants() {
    let date = logical::date().build().unwrap();
    validate_value(None, &date, &Value::Date(19782)).unwrap();
    assert!(validate_value(None, &date, &Value::Int32(19782)).is_err());
    let time = logical::time().build().unwrap();
    validate_value(None, &time, &Value::Time(1000)).unwrap();
    assert!(validate_value(None, &time, &Value::Time(86_400_000)).is_err());
    let ts = logical::timestamp().build().unwrap();
    validate_value(None, &ts, &Value::Timestamp(-1)).unwrap();
    assert!(validate_value(None, &ts, &Value::Int64(1)).is_err());
}

#[test]
fn containers_are_checked_recursively_and_struct_schemas_must_match() {
    let arr = SchemaBuilder::array(Schema::optional_int32())
        .build()
        .unwrap();
    validate_value(
        None,
        &arr,
        &Value::Array(vec![Value::Int32(1), Value::Null]),
    )
    .unwrap();
    assert!(validate_value(None, &arr, &Value::Array(vec![Value::Int64(1)])).is_err());
    let map = SchemaBuilder::map(Schema::string(), Schema::int64())
        .build()
        .unwrap();
    validate_value(None, &map, &Value::Map(vec![("a".into(), 1i64.into())])).unwrap();
    assert!(
        validate_value(
            None,
            &map,
            &Value::Map(vec![(Value::Int32(1), 1i64.into())])
        )
        .is_err()
    );

    let other = SchemaBuilder::struct_()
        .field("id", Schema::int32())
        .build()
        .unwrap();
    let s = Struct::new(other).unwrap().with("id", 1i32).unwrap();
    assert!(validate_value(None, &customer_schema(), &Value::Struct(s)).is_err());
}

#[test]
fn builder_reports_misuse_at_build() {
    assert!(
        SchemaBuilder::int32()
            .field("x", Schema::int32())
            .build()
            .is_err()
    );
    assert!(
        SchemaBuilder::struct_()
            .field("a", Schema::int32())
            .field("a", Schema::string())
            .build()
            .is_err()
    );
    assert!(SchemaBuilder::int32().name("a").name("b").build().is_err());
    let err = SchemaBuilder::int32()
        .default_value("x")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("default"), "{err}");
    assert!(Struct::new(Schema::int32()).is_err());
}

#[test]
fn schemas_compare_structurally_and_keep_parameter_order() {
    let a = SchemaBuilder::string()
        .name("io.debezium.data.Enum")
        .version(1)
        .parameter("allowed", "a,b")
        .parameter("z", "1")
        .parameter("a", "2")
        .optional()
        .build()
        .unwrap();
    let b = SchemaBuilder::from_schema(&a).build().unwrap();
    assert_eq!(a, b);
    assert!(!Schema::ptr_eq(&a, &b));
    let keys: Vec<_> = a
        .parameters()
        .unwrap()
        .iter()
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(keys, ["allowed", "z", "a"]);
    assert_eq!(a.ty(), Type::String);
    assert_eq!(a.to_string(), "Schema{io.debezium.data.Enum:STRING}");
    assert_ne!(a, Schema::optional_string());
    // An explicitly empty parameter map is not the same as none.
    let empty = SchemaBuilder::string()
        .parameters(Vec::<(String, String)>::new())
        .build()
        .unwrap();
    assert_eq!(empty.parameters(), Some(&[][..]));
    assert_ne!(empty, Schema::string());
}

#[test]
fn float_equality_follows_java_equals() {
    assert_eq!(Value::Float64(f64::NAN), Value::Float64(f64::NAN));
    assert_ne!(Value::Float64(0.0), Value::Float64(-0.0));
    assert_eq!(
        Value::Map(vec![("a".into(), 1i32.into()), ("b".into(), 2i32.into())]),
        Value::Map(vec![("b".into(), 2i32.into()), ("a".into(), 1i32.into())])
    );
}
