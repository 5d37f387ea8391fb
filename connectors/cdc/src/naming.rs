//! Topic and schema names (`<topic.prefix>.<schema|database>.<table>`), as Debezium's default
//! topic naming strategy builds them.

/// The data topic of a table: `<prefix>.<namespace>.<table>` with `delimiter` (default `.`).
/// `namespace` is the PostgreSQL schema or the MySQL database.
pub fn data_topic(prefix: &str, namespace: &str, table: &str, delimiter: &str) -> String {
    [prefix, namespace, table]
        .iter()
        .map(|p| sanitize(p))
        .collect::<Vec<_>>()
        .join(delimiter)
}

/// The key schema name of a topic: `<topic>.Key`.
pub fn key_schema_name(topic: &str) -> String {
    format!("{topic}.Key")
}

/// The row schema name of a topic: `<topic>.Value`.
pub fn value_schema_name(topic: &str) -> String {
    format!("{topic}.Value")
}

/// The transaction metadata topic: `<prefix>.transaction`.
pub fn transaction_topic(prefix: &str, delimiter: &str) -> String {
    format!("{}{delimiter}transaction", sanitize(prefix))
}

/// Replaces characters Kafka does not allow in topic names (`[a-zA-Z0-9._-]`) with `_`, as
/// Debezium's topic naming does.
pub fn sanitize(part: &str) -> String {
    part.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_debezium() {
        assert_eq!(
            data_topic("dbserver1", "inventory", "customers", "."),
            "dbserver1.inventory.customers"
        );
        assert_eq!(
            data_topic("srv", "my schema", "t$1", "."),
            "srv.my_schema.t_1"
        );
        assert_eq!(
            key_schema_name("dbserver1.inventory.customers"),
            "dbserver1.inventory.customers.Key"
        );
        assert_eq!(transaction_topic("dbserver1", "."), "dbserver1.transaction");
    }
}
