//! Decoder tests on hand-built payloads laid out as the PostgreSQL manual describes them.

use bytes::Bytes;

use super::*;

/// Builds a payload field by field, big-endian.
#[derive(Default)]
struct Buf(Vec<u8>);

impl Buf {
    fn tag(mut self, t: u8) -> Self {
        self.0.push(t);
        self
    }
    fn i8(self, v: u8) -> Self {
        self.tag(v)
    }
    fn i16(mut self, v: i16) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i32(mut self, v: i32) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn i64(mut self, v: i64) -> Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn str(mut self, s: &str) -> Self {
        self.0.extend_from_slice(s.as_bytes());
        self.0.push(0);
        self
    }
    fn text(self, s: &str) -> Self {
        let mut b = self.tag(b't').i32(s.len() as i32);
        b.0.extend_from_slice(s.as_bytes());
        b
    }
    fn bytes(self) -> Bytes {
        Bytes::from(self.0)
    }
}

fn relation_payload() -> Buf {
    Buf::default()
        .tag(b'R')
        .i32(16385)
        .str("public")
        .str("orders")
        .i8(b'f')
        .i16(3)
        .i8(1)
        .str("id")
        .i32(23)
        .i32(-1)
        .i8(0)
        .str("note")
        .i32(1043)
        .i32(36)
        .i8(0)
        .str("blob")
        .i32(17)
        .i32(-1)
}

/// An update with an old full row and a new row that uses all four column kinds.
fn update_payload() -> Buf {
    let b = Buf::default()
        .tag(b'U')
        .i32(16385)
        .tag(b'O')
        .i16(3)
        .text("7")
        .text("old")
        .tag(b'n');
    let b = b.tag(b'N').i16(3).text("7").tag(b'u').tag(b'b').i32(2);
    Buf([b.0, vec![0xDE, 0xAD]].concat())
}

#[test]
fn decodes_begin_commit_origin() {
    let begin = Buf::default()
        .tag(b'B')
        .i64(0x16_B374_D848)
        .i64(776_000_000)
        .i32(-2);
    assert_eq!(
        decode(begin.bytes()).unwrap(),
        Message::Begin(Begin {
            final_lsn: Lsn(0x16_B374_D848),
            commit_time_micros: 776_000_000,
            xid: u32::MAX - 1
        })
    );
    let commit = Buf::default().tag(b'C').i8(0).i64(10).i64(20).i64(30);
    assert_eq!(
        decode(commit.bytes()).unwrap(),
        Message::Commit(Commit {
            flags: 0,
            commit_lsn: Lsn(10),
            end_lsn: Lsn(20),
            commit_time_micros: 30
        })
    );
    let origin = Buf::default().tag(b'O').i64(99).str("upstream");
    assert_eq!(
        decode(origin.bytes()).unwrap(),
        Message::Origin(Origin {
            commit_lsn: Lsn(99),
            name: "upstream".into()
        })
    );
}

#[test]
fn decodes_relation_and_type() {
    let Message::Relation(rel) = decode(relation_payload().bytes()).unwrap() else {
        panic!("not a relation")
    };
    assert_eq!(rel.id, 16385);
    assert_eq!(
        (rel.namespace.as_str(), rel.name.as_str()),
        ("public", "orders")
    );
    assert_eq!(rel.replica_identity, ReplicaIdentity::Full);
    assert_eq!(
        rel.columns,
        vec![
            Column {
                is_key: true,
                name: "id".into(),
                type_oid: 23,
                type_modifier: -1
            },
            Column {
                is_key: false,
                name: "note".into(),
                type_oid: 1043,
                type_modifier: 36
            },
            Column {
                is_key: false,
                name: "blob".into(),
                type_oid: 17,
                type_modifier: -1
            },
        ]
    );
    let ty = Buf::default()
        .tag(b'Y')
        .i32(70000)
        .str("public")
        .str("mood");
    assert_eq!(
        decode(ty.bytes()).unwrap(),
        Message::Type(TypeInfo {
            oid: 70000,
            namespace: "public".into(),
            name: "mood".into()
        })
    );
}

#[test]
fn decodes_insert_and_pairs_values_with_columns() {
    let payload = Buf::default()
        .tag(b'I')
        .i32(16385)
        .tag(b'N')
        .i16(3)
        .text("1")
        .text("héllo")
        .tag(b'n');
    let Message::Insert(insert) = decode(payload.bytes()).unwrap() else {
        panic!("not an insert")
    };
    assert_eq!(insert.relation_id, 16385);
    let Message::Relation(rel) = decode(relation_payload().bytes()).unwrap() else {
        panic!()
    };
    let named = rel.named(&insert.new).unwrap();
    assert_eq!(named[0].0, "id");
    assert_eq!(named[0].1.as_str(), Some("1"));
    assert_eq!(named[1], ("note", &ColumnValue::Text(Bytes::from("héllo"))));
    assert_eq!(named[2], ("blob", &ColumnValue::Null));
    let short = TupleData(vec![ColumnValue::Null]);
    let err = rel.named(&short).unwrap_err().to_string();
    assert!(err.contains("public.orders") && err.contains("3"), "{err}");
}

#[test]
fn decodes_update_with_and_without_old_tuple() {
    let Message::Update(u) = decode(update_payload().bytes()).unwrap() else {
        panic!("not an update")
    };
    assert_eq!(u.relation_id, 16385);
    let old = u.old.unwrap();
    assert!(matches!(old, OldTuple::Full(_)));
    assert_eq!(old.tuple().0[1].as_str(), Some("old"));
    assert_eq!(old.tuple().0[2], ColumnValue::Null);
    assert_eq!(
        u.new.0,
        vec![
            ColumnValue::Text(Bytes::from("7")),
            ColumnValue::UnchangedToast,
            ColumnValue::Binary(Bytes::from_static(&[0xDE, 0xAD])),
        ]
    );
    let key = Buf::default()
        .tag(b'U')
        .i32(5)
        .tag(b'K')
        .i16(1)
        .text("1")
        .tag(b'N')
        .i16(1)
        .text("2");
    let Message::Update(u) = decode(key.bytes()).unwrap() else {
        panic!()
    };
    assert!(matches!(u.old, Some(OldTuple::Key(ref t)) if t.0[0].as_str() == Some("1")));
    let plain = Buf::default().tag(b'U').i32(5).tag(b'N').i16(1).text("2");
    let Message::Update(u) = decode(plain.bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(u.old, None);
    assert_eq!(u.new.0[0].as_str(), Some("2"));
}

#[test]
fn decodes_delete_truncate_and_message() {
    let del = Buf::default().tag(b'D').i32(9).tag(b'K').i16(1).text("42");
    assert_eq!(
        decode(del.bytes()).unwrap(),
        Message::Delete(Delete {
            relation_id: 9,
            old: OldTuple::Key(TupleData(vec![ColumnValue::Text(Bytes::from("42"))]))
        })
    );
    let del = Buf::default().tag(b'D').i32(9).tag(b'O').i16(0);
    assert!(matches!(
        decode(del.bytes()).unwrap(),
        Message::Delete(Delete {
            old: OldTuple::Full(_),
            ..
        })
    ));
    let trunc = Buf::default().tag(b'T').i32(2).i8(3).i32(16385).i32(16390);
    assert_eq!(
        decode(trunc.bytes()).unwrap(),
        Message::Truncate(Truncate {
            cascade: true,
            restart_identity: true,
            relation_ids: vec![16385, 16390]
        })
    );
    let trunc = Buf::default().tag(b'T').i32(1).i8(2).i32(7);
    let Message::Truncate(t) = decode(trunc.bytes()).unwrap() else {
        panic!()
    };
    assert!(!t.cascade && t.restart_identity);
    let mut msg = Buf::default()
        .tag(b'M')
        .i8(1)
        .i64(77)
        .str("sluice.signal")
        .i32(3);
    msg.0.extend_from_slice(b"abc");
    assert_eq!(
        decode(msg.bytes()).unwrap(),
        Message::Message(LogicalMessage {
            transactional: true,
            lsn: Lsn(77),
            prefix: "sluice.signal".into(),
            content: Bytes::from_static(b"abc")
        })
    );
}

/// Every strict prefix of every valid payload fails cleanly with the message type.
#[test]
fn every_truncation_is_an_error_naming_the_message() {
    let mut msg = Buf::default().tag(b'M').i8(0).i64(1).str("p").i32(2);
    msg.0.extend_from_slice(b"xy");
    let cases = [
        ("Begin", Buf::default().tag(b'B').i64(1).i64(2).i32(3).0),
        (
            "Commit",
            Buf::default().tag(b'C').i8(0).i64(1).i64(2).i64(3).0,
        ),
        ("Origin", Buf::default().tag(b'O').i64(1).str("o").0),
        ("Relation", relation_payload().0),
        ("Type", Buf::default().tag(b'Y').i32(1).str("s").str("t").0),
        (
            "Insert",
            Buf::default()
                .tag(b'I')
                .i32(1)
                .tag(b'N')
                .i16(2)
                .text("ab")
                .tag(b'u')
                .0,
        ),
        ("Update", update_payload().0),
        (
            "Delete",
            Buf::default().tag(b'D').i32(1).tag(b'O').i16(1).text("x").0,
        ),
        (
            "Truncate",
            Buf::default().tag(b'T').i32(2).i8(0).i32(1).i32(2).0,
        ),
        ("Message", msg.0),
    ];
    for (kind, full) in cases {
        assert_eq!(decode(Bytes::from(full.clone())).unwrap().kind(), kind);
        for cut in 1..full.len() {
            let err = decode(Bytes::copy_from_slice(&full[..cut])).unwrap_err();
            assert_eq!(err.message_type(), kind, "cut at {cut}: {err}");
            assert!(
                err.offset() <= cut,
                "cut at {cut}: offset {} past the end",
                err.offset()
            );
            assert!(err.to_string().contains(kind), "{err}");
        }
        let mut long = full.clone();
        long.push(0);
        let err = decode(Bytes::from(long)).unwrap_err();
        assert!(err.reason().contains("trailing"), "{kind}: {err}");
        assert_eq!(err.offset(), full.len());
    }
}

#[test]
fn truncated_value_reports_offset_and_field() {
    // Insert, one text column announcing 10 bytes but carrying 3.
    let mut p = Buf::default()
        .tag(b'I')
        .i32(1)
        .tag(b'N')
        .i16(1)
        .tag(b't')
        .i32(10);
    p.0.extend_from_slice(b"abc");
    let err = decode(p.bytes()).unwrap_err();
    assert_eq!((err.message_type(), err.offset()), ("Insert", 13));
    let text = err.to_string();
    assert!(
        text.contains("Insert") && text.contains("byte 13") && text.contains("10 bytes"),
        "{text}"
    );
}

#[test]
fn garbage_is_rejected_without_panicking() {
    let bad = [
        (vec![], "empty"),
        (vec![b'Z', 1, 2], "unknown message tag 0x5A"),
        (vec![b'S', 0, 0, 0, 1, 1], "newer protocol"),
        (Buf::default().tag(b'I').i32(1).tag(b'X').0, "'N'"),
        (
            Buf::default().tag(b'U').i32(1).tag(b'K').i16(0).tag(b'O').0,
            "'N'",
        ),
        (
            Buf::default().tag(b'D').i32(1).tag(b'N').i16(0).0,
            "'K' or 'O'",
        ),
        (
            Buf::default().tag(b'I').i32(1).tag(b'N').i16(1).tag(b'q').0,
            "column kind",
        ),
        (
            Buf::default().tag(b'I').i32(1).tag(b'N').i16(-1).0,
            "negative",
        ),
        (
            Buf::default()
                .tag(b'I')
                .i32(1)
                .tag(b'N')
                .i16(1)
                .tag(b't')
                .i32(-5)
                .0,
            "negative",
        ),
        (Buf::default().tag(b'T').i32(i32::MAX).i8(0).0, "truncated"),
        (
            Buf::default()
                .tag(b'M')
                .i8(0)
                .i64(1)
                .str("p")
                .i32(i32::MAX)
                .0,
            "truncated",
        ),
        (
            Buf::default()
                .tag(b'R')
                .i32(1)
                .str("s")
                .str("t")
                .i8(b'x')
                .i16(0)
                .0,
            "replica identity",
        ),
        (
            Buf::default()
                .tag(b'R')
                .i32(1)
                .str("s")
                .str("t")
                .i8(b'd')
                .i16(i16::MAX)
                .0,
            "truncated",
        ),
        (vec![b'O', 0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFE, 0], "UTF-8"),
    ];
    for (payload, expected) in bad {
        let err = decode(Bytes::from(payload.clone())).unwrap_err();
        assert!(err.to_string().contains(expected), "{payload:?}: {err}");
    }
}

#[test]
fn values_are_zero_copy_slices_of_the_payload() {
    let payload = Buf::default()
        .tag(b'I')
        .i32(1)
        .tag(b'N')
        .i16(1)
        .text("abcdef")
        .bytes();
    let range = payload.as_ptr_range();
    let Message::Insert(i) = decode(payload.clone()).unwrap() else {
        panic!()
    };
    let value = i.new.0[0].bytes().unwrap();
    assert!(range.contains(&value.as_ptr()), "the value was copied");
}
