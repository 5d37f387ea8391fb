//! The replication client against the real PostgreSQL 15 (`wal_level=logical`): slot creation
//! with an exported snapshot, reading through that snapshot, streaming decoded `pgoutput`
//! changes from the consistent point, confirming the flushed position, and refused credentials.
//!
//! Every test works in a fresh database with its own slot and publication, and drops its slot
//! even when its assertions fail (slots are cluster-wide and would otherwise retain WAL).

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use sluice_postgres::pgoutput::{ColumnValue, Message, OldTuple, ReplicaIdentity};
use sluice_postgres::{
    Error, Lsn, PgConnectionConfig, ReplicationStream, SnapshotTransaction, StreamEvent,
    StreamOptions, create_slot_with_snapshot, drop_slot, slot_state,
};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A fresh database on the test server.
async fn fresh_database(prefix: &str) -> PgConnectionConfig {
    let pg = sluice_testkit::services().postgres();
    let db = pg.create_database(prefix).await;
    PgConnectionConfig::new(pg.host, pg.port, pg.user, pg.password, db)
}

/// Runs `body` with a unique slot name, then drops the slot whether or not `body` failed.
async fn with_slot<F, Fut>(conn: &PgConnectionConfig, body: F)
where
    F: FnOnce(PgConnectionConfig, String) -> Fut,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let slot = sluice_testkit::unique_ident("slot");
    let outcome = tokio::spawn(body(conn.clone(), slot.clone())).await;
    let dropped = match slot_state(conn, &slot)
        .await
        .expect("read pg_replication_slots")
    {
        Some(_) => drop_slot(conn, &slot).await.map_err(anyhow::Error::from),
        None => Ok(()),
    };
    match outcome {
        Ok(result) => result.expect("the test failed"),
        Err(panic) => std::panic::resume_unwind(panic.into_panic()),
    }
    dropped.expect("drop the test slot");
    assert_eq!(
        slot_state(conn, &slot).await.unwrap(),
        None,
        "the slot is gone after drop_slot"
    );
}

async fn ids(client: &tokio_postgres::Client, sql: &str) -> anyhow::Result<Vec<i32>> {
    Ok(client
        .query(sql, &[])
        .await?
        .iter()
        .map(|r| r.get::<_, i32>(0))
        .collect())
}

#[tokio::test]
async fn exported_snapshot_sees_only_rows_committed_before_the_slot() {
    let conn = fresh_database("pgsnap").await;
    with_slot(&conn, |conn, slot| async move {
        let sql = conn.connect("test setup").await?;
        sql.batch_execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
             INSERT INTO items VALUES (1, 'one'), (2, 'two'), (3, 'three');",
        )
        .await?;

        let exported = create_slot_with_snapshot(&conn, &slot).await?;
        assert_eq!(exported.slot_name, slot);
        assert_eq!(exported.output_plugin, "pgoutput");
        ensure!(
            exported.consistent_point > Lsn::ZERO,
            "consistent point {}",
            exported.consistent_point
        );

        // Committed after the slot: invisible to the snapshot, visible to everyone else.
        sql.batch_execute(
            "INSERT INTO items VALUES (4, 'four'); INSERT INTO items VALUES (5, 'five');",
        )
        .await?;

        let snapshot = SnapshotTransaction::begin(&conn, &exported.snapshot_name).await?;
        let snapshot_name = exported.snapshot_name.clone();
        exported.release();

        assert_eq!(
            ids(snapshot.client(), "SELECT id FROM items ORDER BY id").await?,
            vec![1, 2, 3]
        );
        let names: Vec<String> = snapshot
            .client()
            .query("SELECT name FROM items ORDER BY id", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(names, ["one", "two", "three"]);
        assert_eq!(
            ids(&sql, "SELECT id FROM items ORDER BY id").await?,
            vec![1, 2, 3, 4, 5]
        );
        // The transaction is read-only.
        let write = snapshot
            .client()
            .batch_execute("INSERT INTO items VALUES (6, 'six')")
            .await;
        ensure!(
            write.is_err(),
            "a write inside the snapshot transaction succeeded"
        );
        drop(snapshot);

        // Once the creating session ended, the snapshot can no longer be imported.
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match SnapshotTransaction::begin(&conn, &snapshot_name).await {
                Err(e @ Error::Server { .. }) => {
                    ensure!(
                        !e.is_transient(),
                        "an unknown snapshot is a definite error: {e}"
                    );
                    break;
                }
                Err(e) => bail!("unexpected error importing a released snapshot: {e}"),
                Ok(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Ok(_) => bail!("the snapshot stayed importable after its slot session ended"),
            }
        }
        Ok(())
    })
    .await;
}

/// Receives decoded messages until `stop` says so, or fails after [`TIMEOUT`].
async fn collect_until(
    stream: &mut ReplicationStream,
    mut stop: impl FnMut(&Message) -> bool,
) -> anyhow::Result<Vec<Message>> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + TIMEOUT;
    loop {
        let event = tokio::time::timeout_at(deadline, stream.recv())
            .await
            .with_context(|| format!("timed out; received so far: {out:#?}"))??;
        match event {
            Some(StreamEvent::Message(m)) => {
                let done = stop(&m.message);
                out.push(m.message);
                if done {
                    return Ok(out);
                }
            }
            Some(StreamEvent::KeepAlive { .. }) => {}
            None => bail!("the stream ended early; received: {out:#?}"),
        }
    }
}

fn text(v: &ColumnValue) -> Option<&str> {
    v.as_str()
}

#[tokio::test]
async fn stream_from_the_consistent_point_decodes_every_kind_of_change() {
    let conn = fresh_database("pgstream").await;
    with_slot(&conn, |conn, slot| async move {
        let publication = sluice_testkit::unique_ident("pub");
        let sql = conn.connect("test setup").await?;
        sql.batch_execute(&format!(
            "CREATE TABLE items (id int PRIMARY KEY, name text, score int);
             ALTER TABLE items REPLICA IDENTITY FULL;
             CREATE TABLE keyed (id int PRIMARY KEY, label text);
             INSERT INTO items VALUES (1, 'before', 10), (2, 'before', 20);
             CREATE PUBLICATION {publication} FOR TABLE items, keyed;"
        ))
        .await?;
        let items_oid: u32 = sql
            .query_one("SELECT 'items'::regclass::oid", &[])
            .await?
            .get(0);
        let keyed_oid: u32 = sql
            .query_one("SELECT 'keyed'::regclass::oid", &[])
            .await?
            .get(0);

        let exported = create_slot_with_snapshot(&conn, &slot).await?;
        let start = exported.consistent_point;
        exported.release();

        // One transaction per statement (a multi-statement simple query is one transaction).
        for statement in [
            "INSERT INTO items VALUES (3, 'three', 30), (4, 'four', NULL)",
            "UPDATE items SET name = 'three!' WHERE id = 3",
            "DELETE FROM items WHERE id = 4",
            "INSERT INTO keyed VALUES (7, 'seven')",
            "UPDATE keyed SET id = 8 WHERE id = 7",
            "SELECT pg_logical_emit_message(true, 'sluice', 'hello')",
            "TRUNCATE items RESTART IDENTITY",
        ] {
            sql.batch_execute(statement).await?;
        }

        let options = StreamOptions::new(slot.clone(), vec![publication.clone()], start)
            .with_status_interval(Duration::from_millis(200));
        let mut stream = ReplicationStream::start(&conn, options).await?;
        let mut truncated = false;
        let messages = collect_until(&mut stream, |m| {
            truncated |= matches!(m, Message::Truncate(_));
            truncated && matches!(m, Message::Commit(_))
        })
        .await?;
        stream.shutdown().await?;

        // Transactions are well formed: Begin … Commit, commit LSNs after the consistent point.
        let kinds: Vec<&str> = messages.iter().map(Message::kind).collect();
        let begins = kinds.iter().filter(|k| **k == "Begin").count();
        let commits: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                if let Message::Commit(c) = m {
                    Some(c)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(begins, 7, "{kinds:?}");
        assert_eq!(commits.len(), 7, "{kinds:?}");
        assert_eq!(kinds.first(), Some(&"Begin"));
        for pair in commits.windows(2) {
            assert!(pair[0].end_lsn < pair[1].end_lsn);
        }
        assert!(commits[0].commit_lsn >= start && commits[0].end_lsn > commits[0].commit_lsn);

        // Relations: FULL identity flags every column as key, the default only the primary key.
        let relations: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                if let Message::Relation(r) = m {
                    Some(r)
                } else {
                    None
                }
            })
            .collect();
        let items = relations
            .iter()
            .find(|r| r.id == items_oid)
            .context("no Relation for items")?;
        assert_eq!(
            (items.namespace.as_str(), items.name.as_str()),
            ("public", "items")
        );
        assert_eq!(items.replica_identity, ReplicaIdentity::Full);
        let cols: Vec<_> = items
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.type_oid, c.is_key))
            .collect();
        assert_eq!(
            cols,
            [("id", 23, true), ("name", 25, true), ("score", 23, true)]
        );
        let keyed = relations
            .iter()
            .find(|r| r.id == keyed_oid)
            .context("no Relation for keyed")?;
        assert_eq!(keyed.replica_identity, ReplicaIdentity::Default);
        assert_eq!(
            keyed.columns.iter().map(|c| c.is_key).collect::<Vec<_>>(),
            [true, false]
        );

        // Only the rows inserted after the slot, with their values by column name.
        let inserts: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                if let Message::Insert(i) = m {
                    Some(i)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(inserts.len(), 3, "{kinds:?}");
        let row = |i: usize| -> anyhow::Result<Vec<(String, Option<String>)>> {
            let rel = if inserts[i].relation_id == items_oid {
                items
            } else {
                keyed
            };
            Ok(rel
                .named(&inserts[i].new)?
                .into_iter()
                .map(|(n, v)| (n.to_string(), text(v).map(String::from)))
                .collect())
        };
        let s = |v: &str| Some(v.to_string());
        assert_eq!(
            row(0)?,
            [
                ("id".to_string(), s("3")),
                ("name".to_string(), s("three")),
                ("score".to_string(), s("30"))
            ]
        );
        assert_eq!(row(1)?[0].1, s("4"));
        assert_eq!(inserts[1].new.0[2], ColumnValue::Null);
        assert_eq!(inserts[2].relation_id, keyed_oid);
        assert_eq!(
            row(2)?,
            [
                ("id".to_string(), s("7")),
                ("label".to_string(), s("seven"))
            ]
        );

        // Updates: the FULL table carries the whole old row, the keyed one the old key.
        let updates: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                if let Message::Update(u) = m {
                    Some(u)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(updates.len(), 2);
        let Some(OldTuple::Full(old)) = &updates[0].old else {
            bail!("no full old row: {:?}", updates[0])
        };
        let old: Vec<_> = items
            .named(old)?
            .into_iter()
            .map(|(n, v)| (n, text(v)))
            .collect();
        assert_eq!(
            old,
            [
                ("id", Some("3")),
                ("name", Some("three")),
                ("score", Some("30"))
            ]
        );
        let new: Vec<_> = items
            .named(&updates[0].new)?
            .into_iter()
            .map(|(n, v)| (n, text(v)))
            .collect();
        assert_eq!(
            new,
            [
                ("id", Some("3")),
                ("name", Some("three!")),
                ("score", Some("30"))
            ]
        );
        assert_eq!(updates[1].relation_id, keyed_oid);
        let Some(OldTuple::Key(old_key)) = &updates[1].old else {
            bail!("no old key: {:?}", updates[1])
        };
        assert_eq!(text(&old_key.0[0]), Some("7"));
        assert_eq!(text(&updates[1].new.0[0]), Some("8"));

        // The delete carries the whole old row (REPLICA IDENTITY FULL).
        let deletes: Vec<_> = messages
            .iter()
            .filter_map(|m| {
                if let Message::Delete(d) = m {
                    Some(d)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(deletes.len(), 1);
        assert_eq!(deletes[0].relation_id, items_oid);
        let OldTuple::Full(old) = &deletes[0].old else {
            bail!("delete without the old row")
        };
        assert_eq!(
            old.0.iter().map(text).collect::<Vec<_>>(),
            [Some("4"), Some("four"), None]
        );

        // The transactional logical message and the truncate.
        let logical = messages
            .iter()
            .find_map(|m| {
                if let Message::Message(l) = m {
                    Some(l)
                } else {
                    None
                }
            })
            .context("no logical message")?;
        assert!(logical.transactional);
        assert_eq!(
            (logical.prefix.as_str(), &logical.content[..]),
            ("sluice", &b"hello"[..])
        );
        let truncate = messages
            .iter()
            .find_map(|m| {
                if let Message::Truncate(t) = m {
                    Some(t)
                } else {
                    None
                }
            })
            .context("no truncate")?;
        assert_eq!(truncate.relation_ids, [items_oid]);
        assert!(truncate.restart_identity && !truncate.cascade);
        Ok(())
    })
    .await;
}

/// Polls `pg_replication_slots` (plain SQL, independent of the crate) until `confirmed_flush_lsn`
/// equals `expected`.
async fn wait_for_confirmed_flush(
    sql: &tokio_postgres::Client,
    slot: &str,
    expected: Lsn,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let row = sql
            .query_one(
                "SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1",
                &[&slot],
            )
            .await?;
        let current: Lsn = row.get::<_, String>(0).parse()?;
        if current == expected {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "confirmed_flush_lsn stayed at {current}, expected {expected}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn confirming_a_position_advances_the_slot_and_resumes_after_it() {
    let conn = fresh_database("pgflush").await;
    with_slot(&conn, |conn, slot| async move {
        let publication = sluice_testkit::unique_ident("pub");
        let sql = conn.connect("test setup").await?;
        sql.batch_execute(&format!(
            "CREATE TABLE events (id int PRIMARY KEY); CREATE PUBLICATION {publication} FOR TABLE events;"
        ))
        .await?;
        let exported = create_slot_with_snapshot(&conn, &slot).await?;
        let start = exported.consistent_point;
        exported.release();
        wait_for_confirmed_flush(&sql, &slot, start).await?;

        sql.batch_execute("INSERT INTO events VALUES (1)").await?;
        sql.batch_execute("INSERT INTO events VALUES (2)").await?;
        let options = StreamOptions::new(slot.clone(), vec![publication.clone()], start)
            .with_status_interval(Duration::from_millis(100));
        let mut stream = ReplicationStream::start(&conn, options.clone()).await?;
        let state = slot_state(&conn, &slot).await?.context("slot missing")?;
        assert!(state.active && state.plugin.as_deref() == Some("pgoutput"), "{state:?}");

        // Confirm only the first transaction.
        let first = collect_until(&mut stream, |m| matches!(m, Message::Commit(_))).await?;
        let Some(Message::Commit(commit)) = first.last() else { bail!("no commit: {first:?}") };
        stream.confirm_flushed(commit.end_lsn);
        wait_for_confirmed_flush(&sql, &slot, commit.end_lsn).await?;
        let state = slot_state(&conn, &slot).await?.context("slot missing")?;
        assert_eq!(state.confirmed_flush_lsn, Some(commit.end_lsn));
        stream.shutdown().await?;

        // A new session asked to start at the old position resumes after the confirmed one:
        // the first transaction is not delivered again, the second is.
        let mut stream = ReplicationStream::start(&conn, options).await?;
        let again = collect_until(&mut stream, |m| matches!(m, Message::Insert(_))).await?;
        stream.shutdown().await?;
        let Some(Message::Insert(insert)) = again.last() else { bail!("no insert: {again:?}") };
        assert_eq!(insert.new.0[0].as_str(), Some("2"), "{again:#?}");
        Ok(())
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_is_an_authentication_error() {
    let mut conn = fresh_database("pgauth").await;
    conn.password = "definitely-not-the-password".to_string();
    let slot = sluice_testkit::unique_ident("slot");

    let replication = create_slot_with_snapshot(&conn, &slot).await.unwrap_err();
    let options = StreamOptions::new(slot.clone(), vec!["p".to_string()], Lsn::ZERO);
    let streaming = ReplicationStream::start(&conn, options).await.unwrap_err();
    let snapshot = SnapshotTransaction::begin(&conn, "00000003-00000002-1")
        .await
        .unwrap_err();
    for e in [replication, streaming, snapshot] {
        assert!(matches!(e, Error::Authentication { .. }), "{e:?}");
        assert!(!e.is_transient(), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("authentication failed") && text.contains("password"),
            "{text}"
        );
    }
}
