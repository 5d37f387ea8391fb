//! The binlog client against a real MariaDB: GTID and file positioning, decoded row images
//! with column names, transaction boundaries, resuming mid-transaction, and a refused login.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::Duration;

use mysql_async::prelude::Queryable;
use sluice_mysql::Error;
use sluice_mysql::binlog::{
    BinlogClient, BinlogStream, ChangeEvent, ColumnValue, ConnectOptions, RowChange, RowOp,
    StartPosition,
};
use sluice_mysql::gtid::{Gtid, GtidPosition};

/// A random replica id in a high range, so parallel tests never share one (the server would
/// disconnect the older dump with the same id).
fn server_id() -> u32 {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    1_000_000 + (h.finish() % 2_000_000_000) as u32
}

fn options() -> ConnectOptions {
    let m = sluice_testkit::services().mariadb();
    ConnectOptions::new(m.host, m.port, m.user, m.password, server_id())
}

async fn connect() -> BinlogClient {
    BinlogClient::connect(options())
        .await
        .expect("connect the binlog client")
}

/// A plain SQL connection to `db` for making changes.
async fn sql(db: &str) -> mysql_async::Conn {
    let m = sluice_testkit::services().mariadb();
    mysql_async::Conn::new(m.opts(Some(db)))
        .await
        .expect("connect to MariaDB")
}

/// Runs `stmts` on `conn` and returns the GTID MariaDB gave the last transaction of the session.
async fn run(conn: &mut mysql_async::Conn, stmts: &[&str]) -> Gtid {
    for s in stmts {
        conn.query_drop(*s)
            .await
            .unwrap_or_else(|e| panic!("{s}: {e}"));
    }
    let g: String = conn
        .query_first("SELECT @@last_gtid")
        .await
        .unwrap()
        .unwrap();
    g.parse().unwrap()
}

/// Reads events until the commit of `last` (other tests write to the same server meanwhile).
async fn read_until_commit_of(stream: &mut BinlogStream, last: Gtid) -> Vec<ChangeEvent> {
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let e = tokio::time::timeout_at(deadline, stream.next())
            .await
            .unwrap_or_else(|_| panic!("no commit of {last} within 30 s; got {events:#?}"))
            .expect("read the binlog")
            .expect("the server ended the dump");
        let done = matches!(&e, ChangeEvent::Commit(c) if c.offset.gtids.includes(&last));
        events.push(e);
        if done {
            return events;
        }
    }
}

fn rows_of<'a>(events: &'a [ChangeEvent], db: &str) -> Vec<&'a RowChange> {
    events
        .iter()
        .filter_map(|e| match e {
            ChangeEvent::Row(r) if r.table.schema == db => Some(r),
            _ => None,
        })
        .collect()
}

fn text(s: &str) -> ColumnValue {
    ColumnValue::Text(s.to_string())
}

#[tokio::test]
async fn streams_rows_from_a_gtid_position() {
    let db = sluice_testkit::services()
        .mariadb()
        .create_database("binlog_gtid")
        .await;
    let mut client = connect().await;
    let start = client.gtid_binlog_pos().await.unwrap();
    assert!(
        !start.is_empty(),
        "the server has written GTIDs before (CREATE DATABASE)"
    );

    let mut conn = sql(&db).await;
    let g_create = run(
        &mut conn,
        &[
            "CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50), price DECIMAL(10,2), \
           qty INT UNSIGNED, made DATETIME(3), kind ENUM('a','b','c'), doc JSON) \
           ENGINE=InnoDB CHARSET=utf8mb4",
        ],
    )
    .await;
    let g_insert = run(
        &mut conn,
        &[
            "BEGIN",
            "INSERT INTO items VALUES (1, 'widget', 9.99, 4294967295, '2024-05-06 07:08:09.123', 'b', '{\"k\": 1}')",
            "INSERT INTO items VALUES (2, 'gadget', -0.50, 0, NULL, 'c', NULL)",
            "COMMIT",
        ],
    )
    .await;
    let g_update = run(
        &mut conn,
        &["UPDATE items SET name = 'widget 2', price = 10.00 WHERE id = 1"],
    )
    .await;
    let g_delete = run(&mut conn, &["DELETE FROM items WHERE id = 2"]).await;
    assert!(
        g_create.seq_no < g_insert.seq_no
            && g_insert.seq_no < g_update.seq_no
            && g_update.seq_no < g_delete.seq_no
    );

    let mut stream = client
        .start(StartPosition::Gtid(start.clone()))
        .await
        .unwrap();
    let events = read_until_commit_of(&mut stream, g_delete).await;
    stream.close().await.unwrap();

    // The DDL is a statement of its own transaction.
    assert!(events.iter().any(|e| matches!(e, ChangeEvent::Statement(s)
        if s.gtid == Some(g_create) && s.schema == db && s.sql.contains("CREATE TABLE items"))));

    let rows = rows_of(&events, &db);
    assert_eq!(rows.len(), 4, "{rows:#?}");
    let names: Vec<&str> = rows[0]
        .table
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["id", "name", "price", "qty", "made", "kind", "doc"]);
    assert_eq!(rows[0].table.table, "items");
    assert!(rows[0].table.columns[0].primary_key && !rows[0].table.columns[1].primary_key);
    assert!(rows[0].table.columns[3].unsigned);
    assert_eq!(rows[0].table.columns[5].enum_values, ["a", "b", "c"]);
    assert_eq!(
        rows[0].table.columns[2].decimal_precision_scale(),
        Some((10, 2))
    );

    let ops: Vec<RowOp> = rows.iter().map(|r| r.op).collect();
    assert_eq!(
        ops,
        [RowOp::Insert, RowOp::Insert, RowOp::Update, RowOp::Delete]
    );
    let gtids: Vec<Option<Gtid>> = rows.iter().map(|r| r.gtid).collect();
    assert_eq!(
        gtids,
        [
            Some(g_insert),
            Some(g_insert),
            Some(g_update),
            Some(g_delete)
        ]
    );

    let first = &rows[0];
    assert!(first.before.is_none());
    assert_eq!(
        first.after.as_deref().unwrap(),
        [
            ColumnValue::Int(1),
            text("widget"),
            ColumnValue::Decimal("9.99".into()),
            ColumnValue::UInt(4_294_967_295),
            ColumnValue::DateTime {
                year: 2024,
                month: 5,
                day: 6,
                hour: 7,
                minute: 8,
                second: 9,
                micros: 123_000
            },
            ColumnValue::Enum(2),
            text("{\"k\": 1}"),
        ]
    );
    assert_eq!(
        rows[1].after_value("price"),
        Some(&ColumnValue::Decimal("-0.50".into()))
    );
    assert_eq!(rows[1].after_value("made"), Some(&ColumnValue::Null));

    let update = rows[2];
    assert_eq!(update.before_value("name"), Some(&text("widget")));
    assert_eq!(
        update.before_value("price"),
        Some(&ColumnValue::Decimal("9.99".into()))
    );
    assert_eq!(update.after_value("name"), Some(&text("widget 2")));
    assert_eq!(
        update.after_value("price"),
        Some(&ColumnValue::Decimal("10.00".into()))
    );
    assert_eq!(
        update.after_value("qty"),
        Some(&ColumnValue::UInt(4_294_967_295))
    );

    let delete = rows[3];
    assert!(delete.after.is_none());
    assert_eq!(delete.before_value("id"), Some(&ColumnValue::Int(2)));
    assert_eq!(delete.before_value("kind"), Some(&ColumnValue::Enum(3)));

    // Transaction boundaries: a Begin and an XID commit per transaction, in order.
    for g in [g_insert, g_update, g_delete] {
        let begin = events
            .iter()
            .position(|e| matches!(e, ChangeEvent::Begin(b) if b.gtid == g))
            .unwrap();
        let commit = events
            .iter()
            .position(
                |e| matches!(e, ChangeEvent::Commit(c) if c.gtid == Some(g) && c.xid.is_some()),
            )
            .unwrap();
        assert!(begin < commit);
        let ChangeEvent::Commit(c) = &events[commit] else {
            unreachable!()
        };
        assert_eq!(
            c.offset.gtids.get(g.domain_id),
            Some(&g),
            "the commit offset includes the transaction"
        );
        assert_eq!((c.offset.event, c.offset.row), (0, 0));
    }
    // A row's offset points at its transaction's start, before its GTID.
    assert!(!rows[0].offset.gtids.includes(&g_insert));
    // Events after the GTID event: TABLE_MAP, WRITE_ROWS (row 1), TABLE_MAP, WRITE_ROWS (row 2).
    assert_eq!((rows[0].offset.event, rows[0].offset.row), (1, 1));
    assert_eq!((rows[1].offset.event, rows[1].offset.row), (3, 1));
    assert_eq!(
        (rows[1].offset.file.as_str(), rows[1].offset.pos),
        (rows[0].offset.file.as_str(), rows[0].offset.pos)
    );
    let at = connect().await.master_status().await.unwrap();
    assert_eq!(
        rows[0].offset.file, at.file,
        "the file name of the dump's first ROTATE, checksum stripped"
    );
    assert!(rows[0].offset.pos > 4 && rows[0].offset.pos < at.pos);
}

#[tokio::test]
async fn gtid_start_skips_earlier_transactions() {
    let db = sluice_testkit::services()
        .mariadb()
        .create_database("binlog_skip")
        .await;
    let mut conn = sql(&db).await;
    run(
        &mut conn,
        &["CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))"],
    )
    .await;
    let g_a = run(&mut conn, &["INSERT INTO t VALUES (1, 'early')"]).await;
    let g_b = run(&mut conn, &["INSERT INTO t VALUES (2, 'late')"]).await;

    let client = connect().await;
    let from: GtidPosition = [g_a].into_iter().collect();
    let mut stream = client.start(StartPosition::Gtid(from)).await.unwrap();
    let events = read_until_commit_of(&mut stream, g_b).await;
    stream.close().await.unwrap();

    let rows = rows_of(&events, &db);
    assert_eq!(rows.len(), 1, "only the transaction after {g_a}: {rows:#?}");
    assert_eq!(rows[0].after_value("id"), Some(&ColumnValue::Int(2)));
    assert_eq!(rows[0].gtid, Some(g_b));
    for e in &events {
        if let ChangeEvent::Begin(b) = e {
            assert!(
                b.gtid.domain_id != g_a.domain_id || b.gtid.seq_no > g_a.seq_no,
                "{b:?} is not after {g_a}"
            );
        }
    }
}

#[tokio::test]
async fn streams_from_a_file_position() {
    let db = sluice_testkit::services()
        .mariadb()
        .create_database("binlog_file")
        .await;
    let mut conn = sql(&db).await;
    run(
        &mut conn,
        &["CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10))"],
    )
    .await;
    let g_before = run(&mut conn, &["INSERT INTO t VALUES (1, 'before')"]).await;

    let mut client = connect().await;
    let at = client.master_status().await.unwrap();
    assert!(at.file.starts_with("mysql-bin.") && at.pos > 4, "{at}");
    let gtids_at = client
        .gtid_position_at(&at)
        .await
        .unwrap()
        .expect("BINLOG_GTID_POS knows the position");
    assert!(gtids_at.includes(&g_before));

    let g_after = run(
        &mut conn,
        &[
            "INSERT INTO t VALUES (2, 'after')",
            "UPDATE t SET v = 'changed' WHERE id = 1",
        ],
    )
    .await;
    let mut stream = client.start(StartPosition::File(at.clone())).await.unwrap();
    let events = read_until_commit_of(&mut stream, g_after).await;
    stream.close().await.unwrap();

    let rows = rows_of(&events, &db);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert_eq!(rows[0].op, RowOp::Insert);
    assert_eq!(rows[0].after_value("v"), Some(&text("after")));
    assert_eq!(rows[1].op, RowOp::Update);
    assert_eq!(rows[1].before_value("v"), Some(&text("before")));
    assert_eq!(rows[1].after_value("v"), Some(&text("changed")));
    // The offsets carry the file and the GTID position derived from it.
    let first_begin = events.iter().find_map(|e| match e {
        ChangeEvent::Begin(b) => Some(b),
        _ => None,
    });
    let first_begin = first_begin.expect("a transaction starts");
    assert_eq!(first_begin.offset.file, at.file);
    assert!(first_begin.offset.pos >= at.pos);
    assert!(first_begin.offset.gtids.includes(&g_before));
}

#[tokio::test]
async fn resumes_inside_a_transaction() {
    let db = sluice_testkit::services()
        .mariadb()
        .create_database("binlog_resume")
        .await;
    let mut conn = sql(&db).await;
    run(&mut conn, &["CREATE TABLE t (id INT PRIMARY KEY)"]).await;
    let mut client = connect().await;
    let start = client.gtid_binlog_pos().await.unwrap();
    let g = run(
        &mut conn,
        &[
            "BEGIN",
            "INSERT INTO t VALUES (1), (2)",
            "INSERT INTO t VALUES (3)",
            "COMMIT",
        ],
    )
    .await;

    let mut stream = client.start(StartPosition::Gtid(start)).await.unwrap();
    let events = read_until_commit_of(&mut stream, g).await;
    stream.close().await.unwrap();
    let rows = rows_of(&events, &db);
    assert_eq!(rows.len(), 3);

    // As if the task crashed right after delivering row 1, then row 2 (the end of the first
    // rows event): resuming delivers exactly the rows after it.
    for (delivered, expected) in [(0usize, vec![2, 3]), (1, vec![3])] {
        let offset = rows[delivered].offset.clone();
        assert!(offset.is_mid_transaction());
        let mut stream = connect()
            .await
            .start(StartPosition::Resume(offset))
            .await
            .unwrap();
        let events = read_until_commit_of(&mut stream, g).await;
        stream.close().await.unwrap();
        let ids: Vec<ColumnValue> = rows_of(&events, &db)
            .iter()
            .map(|r| r.after_value("id").unwrap().clone())
            .collect();
        let expected: Vec<ColumnValue> = expected.into_iter().map(ColumnValue::Int).collect();
        assert_eq!(ids, expected, "resuming after row {}", delivered + 1);
    }
}

#[tokio::test]
async fn wrong_password_is_an_authentication_error() {
    let mut opts = options();
    opts.password.push_str("-wrong");
    let err = BinlogClient::connect(opts)
        .await
        .expect_err("a wrong password must be refused");
    assert!(matches!(err, Error::Authentication { .. }), "{err:?}");
    assert!(!err.is_transient());
    let message = err.to_string();
    assert!(message.contains("authentication failed"), "{message}");
    assert!(
        !message.contains("-wrong"),
        "the password must not appear: {message}"
    );
}

#[tokio::test]
async fn a_gtid_the_server_never_wrote_is_position_unavailable() {
    let mut client = connect().await;
    let now = client.gtid_binlog_pos().await.unwrap();
    let domain = now
        .iter()
        .next()
        .expect("the server has written a GTID")
        .domain_id;
    // Server id 99 never wrote to this server's binlog.
    let never: GtidPosition = [Gtid::new(domain, 99, 1)].into_iter().collect();
    let mut stream = client.start(StartPosition::Gtid(never)).await.unwrap();
    let err = tokio::time::timeout(Duration::from_secs(30), stream.next())
        .await
        .expect("the server answers within 30 s")
        .expect_err("the server refuses a GTID it does not have");
    assert!(matches!(err, Error::PositionUnavailable { .. }), "{err:?}");
    assert!(!err.is_transient());
    assert!(err.to_string().contains(&format!("{domain}-99-1")), "{err}");
}

#[tokio::test]
async fn sends_heartbeats_when_idle() {
    let mut opts = options();
    opts.heartbeat_interval = Some(Duration::from_millis(200));
    let idle = opts.idle_timeout().expect("heartbeats are on");
    let mut client = BinlogClient::connect(opts).await.unwrap();
    let now = client.gtid_binlog_pos().await.unwrap();
    let mut stream = client.start(StartPosition::Gtid(now)).await.unwrap();
    // Other tests may write meanwhile; a heartbeat still comes in each idle gap, and with
    // heartbeats on, no wait for the next event exceeds the idle timeout.
    for _ in 0..1000 {
        let e = tokio::time::timeout(idle, stream.next())
            .await
            .expect("an event or heartbeat within the idle timeout")
            .unwrap()
            .unwrap();
        if let ChangeEvent::Heartbeat(offset) = e {
            assert_eq!(offset.file, stream.server_position().file);
            stream.close().await.unwrap();
            return;
        }
    }
    panic!("no heartbeat among 1000 events");
}
