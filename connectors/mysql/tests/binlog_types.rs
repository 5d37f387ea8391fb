//! Every common MariaDB column type decodes from the binlog to the expected typed value.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

use mysql_async::prelude::Queryable;
use sluice_mysql::binlog::{BinlogClient, ChangeEvent, ColumnValue, ConnectOptions, StartPosition};
use sluice_mysql::gtid::Gtid;

fn server_id() -> u32 {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    1_000_000 + (h.finish() % 2_000_000_000) as u32
}

#[tokio::test]
async fn decodes_column_types() {
    let m = sluice_testkit::services().mariadb();
    let db = m.create_database("binlog_types").await;
    let mut conn = mysql_async::Conn::new(m.opts(Some(&db))).await.unwrap();
    conn.query_drop(
        "CREATE TABLE t (
            id BIGINT UNSIGNED PRIMARY KEY, y YEAR, u INT UNSIGNED, s SMALLINT, ti TINYINT UNSIGNED,
            m MEDIUMINT, f FLOAT, d DOUBLE, dt DATE, tm TIME(6), ts TIMESTAMP(3) NULL, b BIT(10),
            st SET('x','y','z'), e ENUM('one','two'), l1 VARCHAR(20) CHARACTER SET latin1,
            c CHAR(5) CHARACTER SET utf8mb4, vb VARBINARY(8), bl BLOB, tx TEXT CHARACTER SET utf8mb4
        )",
    )
    .await
    .unwrap();

    let mut client = BinlogClient::connect(ConnectOptions::new(
        m.host,
        m.port,
        m.user,
        m.password,
        server_id(),
    ))
    .await
    .unwrap();
    let start = client.gtid_binlog_pos().await.unwrap();

    conn.query_drop("SET time_zone = '+00:00'").await.unwrap();
    conn.query_drop(
        "INSERT INTO t VALUES (18446744073709551615, 2155, 4294967295, -32768, 255, -8388608, 1.5, -2.25,
            '2024-02-29', '-838:59:58.999999', '2024-01-02 03:04:05.678', b'1000000001', 'x,z', 'two',
            'café', 'ab', x'00ff10', x'deadbeef', 'héllo ✓'),
            (1, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '00:00:00', NULL, b'0', '', 'one', '', '', '', '', '')",
    )
    .await
    .unwrap();
    let last: String = conn
        .query_first("SELECT @@last_gtid")
        .await
        .unwrap()
        .unwrap();
    let last: Gtid = last.parse().unwrap();

    let mut stream = client.start(StartPosition::Gtid(start)).await.unwrap();
    let mut rows = Vec::new();
    loop {
        let e = tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .expect("the insert arrives within 30 s")
            .unwrap()
            .unwrap();
        match e {
            ChangeEvent::Row(r) if r.table.schema == db => rows.push(r),
            ChangeEvent::Commit(c) if c.offset.gtids.includes(&last) => break,
            _ => {}
        }
    }
    stream.close().await.unwrap();
    assert_eq!(rows.len(), 2);

    let v = |i: usize, name: &str| {
        rows[i]
            .after_value(name)
            .unwrap_or_else(|| panic!("no column {name}"))
            .clone()
    };
    use ColumnValue::*;
    assert_eq!(v(0, "id"), UInt(u64::MAX));
    assert_eq!(v(0, "y"), Year(2155));
    assert_eq!(
        v(0, "u"),
        UInt(4_294_967_295),
        "signedness lines up after a YEAR column"
    );
    assert_eq!(v(0, "s"), Int(-32768));
    assert_eq!(v(0, "ti"), UInt(255));
    assert_eq!(v(0, "m"), Int(-8_388_608));
    assert_eq!(v(0, "f"), Float(1.5));
    assert_eq!(v(0, "d"), Double(-2.25));
    assert_eq!(
        v(0, "dt"),
        Date {
            year: 2024,
            month: 2,
            day: 29
        }
    );
    assert_eq!(
        v(0, "tm"),
        Time(-((838 * 3600 + 59 * 60 + 58) * 1_000_000 + 999_999))
    );
    assert_eq!(
        v(0, "ts"),
        Timestamp {
            secs: 1_704_164_645,
            micros: 678_000
        }
    );
    assert_eq!(v(0, "b"), Bit(vec![0b10, 0b0000_0001]));
    assert_eq!(v(0, "st"), Set(0b101));
    assert_eq!(v(0, "e"), Enum(2));
    assert_eq!(v(0, "l1"), Text("café".into()), "latin1 decodes as text");
    assert_eq!(v(0, "c"), Text("ab".into()));
    assert_eq!(v(0, "vb"), Bytes(vec![0, 0xff, 0x10]));
    assert_eq!(v(0, "bl"), Bytes(vec![0xde, 0xad, 0xbe, 0xef]));
    assert_eq!(v(0, "tx"), Text("héllo ✓".into()));

    assert_eq!(v(1, "y"), Year(0));
    assert_eq!(
        v(1, "dt"),
        Date {
            year: 0,
            month: 0,
            day: 0
        }
    );
    assert_eq!(v(1, "tm"), Time(0));
    assert_eq!(v(1, "ts"), Null);
    assert_eq!(v(1, "st"), Set(0));
    assert_eq!(v(1, "tx"), Text(String::new()));

    let cols = &rows[0].table.columns;
    let col = |name: &str| cols.iter().find(|c| c.name == name).unwrap();
    assert_eq!(col("l1").charset.as_deref(), Some("latin1"));
    assert_eq!(col("vb").charset.as_deref(), Some("binary"));
    assert_eq!(col("st").set_values, ["x", "y", "z"]);
    assert_eq!(col("tm").fractional_seconds(), Some(6));
    assert!(col("ts").nullable && !col("id").nullable);
}
