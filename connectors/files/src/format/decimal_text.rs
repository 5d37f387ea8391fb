//! Decimals as text, for loaders that cannot read Avro decimals (`sluice.decimal.format=string`).
//!
//! An Avro decimal is `bytes` with a logical type, and Amazon Redshift's `COPY … FORMAT AS AVRO`
//! loads every `bytes` value as text, so it cannot fill a `DECIMAL` column from one. With this
//! option the Avro format rewrites the file's Connect schema before AvroData maps it: every
//! `org.apache.kafka.connect.data.Decimal` becomes a `string` (same optionality and doc, its
//! parameters — `scale`, `connect.decimal.precision` — kept as `connect.parameters`, its default
//! as text), and every decimal value becomes its plain decimal notation (`-1234.50`, never an
//! exponent: Java's `BigDecimal.toPlainString`), which `COPY` loads into `DECIMAL(p,s)`.
//!
//! The schema is rewritten once per file ([`TextDecimals::for_schema`]); values are rewritten per
//! record only when the schema holds a decimal somewhere.

use sluice_api::logical::DECIMAL_NAME;
use sluice_api::{Decimal, Schema, SchemaBuilder, Struct, Type, Value};

use crate::config::{self, Props};
use crate::{Error, Result};

/// `sluice.decimal.format`: how the Avro format writes Connect decimals — `bytes` (default,
/// Confluent's: Avro `bytes` with the `decimal` logical type) or `string` (plain decimal text,
/// which Amazon Redshift's `COPY … FORMAT AS AVRO` loads into `DECIMAL` columns). The Parquet
/// format always writes typed `DECIMAL` columns; the JSON format has `json.decimal.format`.
pub const DECIMAL_FORMAT_CONFIG: &str = "sluice.decimal.format";

/// How the Avro format writes decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalEncoding {
    /// Avro `bytes` + `decimal` logical type (Confluent's AvroData).
    #[default]
    Bytes,
    /// Avro `string` holding the plain decimal notation.
    Text,
}

impl DecimalEncoding {
    /// Reads [`DECIMAL_FORMAT_CONFIG`].
    pub fn from_props(props: &Props) -> Result<Self> {
        match config::string(props, DECIMAL_FORMAT_CONFIG, "bytes")
            .to_ascii_lowercase()
            .as_str()
        {
            "bytes" => Ok(DecimalEncoding::Bytes),
            "string" => Ok(DecimalEncoding::Text),
            other => Err(Error::config(
                DECIMAL_FORMAT_CONFIG,
                format!(
                    "'{other}' is not bytes or string; use string to load Avro files into \
                     Redshift DECIMAL columns"
                ),
            )),
        }
    }
}

/// The plain notation of `d` (Java's `BigDecimal.toPlainString`): no exponent, the scale's
/// digits after the point (`1.50`, `-0.005`, `1200` for 12 with scale -2).
pub fn plain_string(d: &Decimal) -> String {
    if d.scale() <= 0 {
        // Adding zeros is exact; at scale 0 the text is the plain integer.
        if let Some(whole) = d.with_scale(0) {
            return whole.to_string();
        }
    }
    let integer = Decimal::from_unscaled_bytes(d.unscaled_bytes(), 0)
        .map(|u| u.to_string())
        .unwrap_or_else(|_| "0".into());
    let (sign, digits) = match integer.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", integer.as_str()),
    };
    let scale = usize::try_from(d.scale()).unwrap_or(0);
    if digits.len() > scale {
        let point = digits.len() - scale;
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

/// The rewriting of one file's schema and values (see the module doc).
#[derive(Debug, Clone)]
pub(crate) struct TextDecimals {
    /// The rewritten schema; `None` when the schema holds no decimal (values pass unchanged).
    schema: Option<Schema>,
}

impl TextDecimals {
    /// Rewrites `schema`.
    pub(crate) fn for_schema(schema: &Schema) -> Result<Self, String> {
        let rewritten = rewrite_schema(schema)?;
        Ok(TextDecimals {
            schema: (!Schema::ptr_eq(&rewritten, schema)).then_some(rewritten),
        })
    }

    /// The schema the file is written with (`original` when it holds no decimal).
    pub(crate) fn schema<'a>(&'a self, original: &'a Schema) -> &'a Schema {
        self.schema.as_ref().unwrap_or(original)
    }

    /// `value` (of `original`) as a value of the rewritten schema.
    pub(crate) fn value(&self, original: &Schema, value: &Value) -> Result<Value, String> {
        match &self.schema {
            None => Ok(value.clone()),
            Some(schema) => rewrite_value(value, original, schema),
        }
    }
}

fn is_decimal(schema: &Schema) -> bool {
    schema.ty() == Type::Bytes && schema.name() == Some(DECIMAL_NAME)
}

/// `schema` with its decimals as strings; the very same `Schema` (pointer-equal) when it holds
/// none.
fn rewrite_schema(schema: &Schema) -> Result<Schema, String> {
    let builder = match schema.ty() {
        Type::Bytes if is_decimal(schema) => {
            let mut b = SchemaBuilder::string();
            if let Some(params) = schema.parameters() {
                b = b.parameters(params.iter().cloned());
            }
            b
        }
        Type::Struct => {
            let fields: Vec<Schema> = schema
                .fields()
                .iter()
                .map(|f| rewrite_schema(f.schema()))
                .collect::<Result<_, _>>()?;
            if fields
                .iter()
                .zip(schema.fields())
                .all(|(new, old)| Schema::ptr_eq(new, old.schema()))
            {
                return Ok(schema.clone());
            }
            let mut b = SchemaBuilder::struct_();
            for (field, new) in schema.fields().iter().zip(fields) {
                b = b.field(field.name(), new);
            }
            with_meta(b, schema)
        }
        Type::Array => {
            let elem = schema
                .value_schema()
                .ok_or("an array schema has no element schema")?;
            let new = rewrite_schema(elem)?;
            if Schema::ptr_eq(&new, elem) {
                return Ok(schema.clone());
            }
            with_meta(SchemaBuilder::array(new), schema)
        }
        Type::Map => {
            let (k, v) = schema
                .key_schema()
                .zip(schema.value_schema())
                .ok_or("a map schema has no key or value schema")?;
            let (nk, nv) = (rewrite_schema(k)?, rewrite_schema(v)?);
            if Schema::ptr_eq(&nk, k) && Schema::ptr_eq(&nv, v) {
                return Ok(schema.clone());
            }
            with_meta(SchemaBuilder::map(nk, nv), schema)
        }
        _ => return Ok(schema.clone()),
    };
    let mut builder = builder;
    if let Some(doc) = schema.doc() {
        builder = builder.doc(doc);
    }
    if schema.is_optional() {
        builder = builder.optional();
    }
    // The default is rewritten against the schema without it, then set.
    let without_default = builder.clone().build().map_err(|e| e.to_string())?;
    if let Some(default) = schema.default_value() {
        let default = rewrite_value(default, schema, &without_default)?;
        builder = builder.default_value(default);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Copies the name, version and parameters of `schema` (a struct, array or map).
fn with_meta(mut b: SchemaBuilder, schema: &Schema) -> SchemaBuilder {
    if let Some(name) = schema.name() {
        b = b.name(name);
    }
    if let Some(version) = schema.version() {
        b = b.version(version);
    }
    if let Some(params) = schema.parameters() {
        b = b.parameters(params.iter().cloned());
    }
    b
}

/// `value` of `old` as a value of `new` (the rewrite of `old`).
fn rewrite_value(value: &Value, old: &Schema, new: &Schema) -> Result<Value, String> {
    if Schema::ptr_eq(old, new) || value.is_null() {
        return Ok(value.clone());
    }
    Ok(match value {
        Value::Decimal(d) => Value::String(plain_string(d).into()),
        Value::Bytes(b) if is_decimal(old) => {
            // A decimal given as its unscaled bytes (schema-checked, so the scale is the schema's).
            let scale = sluice_api::logical::decimal_scale(old).map_err(|e| e.to_string())?;
            let d = Decimal::from_unscaled_bytes(b, scale).map_err(|e| e.to_string())?;
            Value::String(plain_string(&d).into())
        }
        Value::Struct(s) => {
            let mut out = Struct::new(new.clone()).map_err(|e| e.to_string())?;
            for ((of, nf), v) in old.fields().iter().zip(new.fields()).zip(s.values()) {
                if v.is_null() {
                    // Left unset: the writer applies the field's (rewritten) default.
                    continue;
                }
                let v = rewrite_value(v, of.schema(), nf.schema())?;
                out.put_at(nf.index(), v).map_err(|e| e.to_string())?;
            }
            Value::Struct(out)
        }
        Value::Array(items) => {
            let (oe, ne) = old
                .value_schema()
                .zip(new.value_schema())
                .ok_or("no element schema")?;
            Value::Array(
                items
                    .iter()
                    .map(|v| rewrite_value(v, oe, ne))
                    .collect::<Result<_, _>>()?,
            )
        }
        Value::Map(entries) => {
            let (ok, nk) = old
                .key_schema()
                .zip(new.key_schema())
                .ok_or("no key schema")?;
            let (ov, nv) = old
                .value_schema()
                .zip(new.value_schema())
                .ok_or("no value schema")?;
            Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((rewrite_value(k, ok, nk)?, rewrite_value(v, ov, nv)?)))
                    .collect::<Result<_, String>>()?,
            )
        }
        other => {
            return Err(format!(
                "a {} value does not match its {} schema",
                other.kind(),
                old.ty()
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use sluice_api::logical;

    use super::*;

    fn dec(unscaled: i128, scale: i32) -> Decimal {
        Decimal::from_i128(unscaled, scale)
    }

    #[test]
    fn plain_strings_never_use_an_exponent() {
        assert_eq!(plain_string(&dec(12345, 2)), "123.45");
        assert_eq!(plain_string(&dec(-12345, 2)), "-123.45");
        assert_eq!(plain_string(&dec(150, 2)), "1.50");
        assert_eq!(plain_string(&dec(5, 3)), "0.005");
        assert_eq!(plain_string(&dec(-5, 3)), "-0.005");
        assert_eq!(plain_string(&dec(1, 10)), "0.0000000001");
        assert_eq!(plain_string(&dec(12, -2)), "1200");
        assert_eq!(plain_string(&dec(0, 2)), "0.00");
        assert_eq!(plain_string(&dec(7, 0)), "7");
        let big = dec(i128::MAX, 4);
        assert_eq!(
            plain_string(&big),
            "17014118346046923173168730371588410.5727"
        );
    }

    #[test]
    fn decimals_in_structs_arrays_and_maps_become_strings() {
        let amount = logical::decimal(2)
            .parameter("connect.decimal.precision", "10")
            .build()
            .unwrap();
        let opt_amount = logical::decimal(2).optional().build().unwrap();
        let inner = SchemaBuilder::struct_()
            .name("shop.Line")
            .field("price", amount.clone())
            .field("qty", Schema::int32())
            .build()
            .unwrap();
        let schema = SchemaBuilder::struct_()
            .name("shop.Order")
            .field("id", Schema::int64())
            .field("total", opt_amount.clone())
            .field(
                "lines",
                SchemaBuilder::array(inner.clone()).build().unwrap(),
            )
            .field(
                "fees",
                SchemaBuilder::map(Schema::string(), amount.clone())
                    .build()
                    .unwrap(),
            )
            .build()
            .unwrap();
        let text = TextDecimals::for_schema(&schema).unwrap();
        let new = text.schema(&schema);
        assert_eq!(new.name(), Some("shop.Order"));
        let total = new.field("total").unwrap().schema();
        assert_eq!(
            (total.ty(), total.is_optional(), total.name()),
            (Type::String, true, None)
        );
        assert_eq!(total.parameter("scale"), Some("2"));
        let price = new.field("lines").unwrap().schema().value_schema().unwrap();
        assert_eq!(price.name(), Some("shop.Line"));
        assert_eq!(price.field("price").unwrap().schema().ty(), Type::String);
        assert_eq!(
            price
                .field("price")
                .unwrap()
                .schema()
                .parameter("connect.decimal.precision"),
            Some("10")
        );

        let mut line = Struct::new(inner).unwrap();
        line.put("price", dec(199, 2))
            .unwrap()
            .put("qty", 3)
            .unwrap();
        let mut order = Struct::new(schema.clone()).unwrap();
        order
            .put("id", 1_i64)
            .unwrap()
            .put("lines", Value::Array(vec![Value::Struct(line)]))
            .unwrap()
            .put(
                "fees",
                Value::Map(vec![(Value::from("ship"), Value::Decimal(dec(-50, 2)))]),
            )
            .unwrap();
        let v = text.value(&schema, &Value::Struct(order)).unwrap();
        let s = v.as_struct().unwrap();
        assert_eq!(s.get("total").unwrap(), &Value::Null);
        let Value::Array(lines) = s.get("lines").unwrap() else {
            panic!()
        };
        assert_eq!(
            lines[0].as_struct().unwrap().get("price").unwrap(),
            &Value::from("1.99")
        );
        assert_eq!(
            s.get("fees").unwrap(),
            &Value::Map(vec![(Value::from("ship"), Value::from("-0.50"))])
        );
    }

    #[test]
    fn schemas_without_decimals_are_kept_as_they_are() {
        let schema = SchemaBuilder::struct_()
            .field("id", Schema::int64())
            .field("d", logical::date().build().unwrap())
            .build()
            .unwrap();
        let text = TextDecimals::for_schema(&schema).unwrap();
        assert!(Schema::ptr_eq(text.schema(&schema), &schema));
    }

    #[test]
    fn the_option_is_bytes_or_string() {
        let props = |v: &str| Props::from([(DECIMAL_FORMAT_CONFIG.to_string(), v.to_string())]);
        assert_eq!(
            DecimalEncoding::from_props(&Props::new()).unwrap(),
            DecimalEncoding::Bytes
        );
        assert_eq!(
            DecimalEncoding::from_props(&props("STRING")).unwrap(),
            DecimalEncoding::Text
        );
        assert_eq!(
            DecimalEncoding::from_props(&props("bytes")).unwrap(),
            DecimalEncoding::Bytes
        );
        let e = DecimalEncoding::from_props(&props("double")).unwrap_err();
        assert!(e.to_string().contains(DECIMAL_FORMAT_CONFIG), "{e}");
    }
}
