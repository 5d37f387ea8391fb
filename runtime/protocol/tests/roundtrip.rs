//! Property tests: every codec round-trips, and no input bytes make a decoder panic.

use proptest::prelude::*;
use serde_json::{Map, Value};
use sluice_protocol::{
    Assignment, ConfigRecord, ConnectorTasks, OffsetKey, State, Status, StatusKey, TargetState,
    WorkerMetadata, decode_offset, encode_offset,
};

fn name() -> impl Strategy<Value = String> {
    // Connector names may contain '-' (task keys are split on the last one) and any Unicode.
    "[a-zA-Z0-9_.-]{1,12}|\\PC{1,8}"
}

fn props() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    proptest::collection::btree_map("[a-z.]{1,16}", proptest::option::of("\\PC{0,12}"), 0..30)
        .prop_map(|m| m.into_iter().collect())
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        "\\PC{0,10}".prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

fn connector_tasks() -> impl Strategy<Value = Vec<ConnectorTasks>> {
    proptest::collection::vec(
        (name(), proptest::collection::vec(-1i32..50, 0..5))
            .prop_map(|(connector, tasks)| ConnectorTasks { connector, tasks }),
        0..4,
    )
}

fn assignment(version: i16) -> impl Strategy<Value = Assignment> {
    (
        any::<i16>(),
        name(),
        "[a-z:/0-9.]{0,20}",
        any::<i64>(),
        connector_tasks(),
        connector_tasks(),
        any::<i32>(),
    )
        .prop_map(
            move |(error, leader, leader_url, config_offset, assigned, revoked, delay)| {
                Assignment {
                    version,
                    error,
                    leader,
                    leader_url,
                    config_offset,
                    assigned,
                    revoked: if version >= 1 { revoked } else { Vec::new() },
                    delay: if version >= 1 { delay } else { 0 },
                }
            },
        )
}

proptest! {
    #[test]
    fn connector_and_task_configs_roundtrip(connector in name(), task in 0u32..1000, p in props()) {
        let rec = ConfigRecord::Connector { connector: connector.clone(), properties: Some(p.clone()) };
        let back = ConfigRecord::decode(&rec.key(), rec.encode_value().as_deref()).unwrap().unwrap();
        prop_assert_eq!(back, rec);

        // Task configs are written in Java HashMap order: same set of properties back.
        let rec = ConfigRecord::Task { connector: connector.clone(), task, properties: Some(p.clone()) };
        let back = ConfigRecord::decode(&rec.key(), rec.encode_value().as_deref()).unwrap().unwrap();
        let ConfigRecord::Task { connector: c, task: t, properties: Some(mut bp) } = back else { panic!("not a task") };
        let mut p = p;
        p.sort();
        bp.sort();
        prop_assert_eq!((c, t, bp), (connector, task, p));
    }

    #[test]
    fn small_config_records_roundtrip(connector in name(), n in 0u32..100, b1: bool, b2: bool, s in 0usize..3) {
        let state = [TargetState::Started, TargetState::Paused, TargetState::Stopped][s];
        for rec in [
            ConfigRecord::Commit { connector: connector.clone(), tasks: Some(n) },
            ConfigRecord::TargetState { connector: connector.clone(), state: Some(state) },
            ConfigRecord::Restart { connector: connector.clone(), include_tasks: b1, only_failed: b2 },
            ConfigRecord::TasksFencing { connector: connector.clone(), task_count: n },
            ConfigRecord::Connector { connector: connector.clone(), properties: None },
        ] {
            let back = ConfigRecord::decode(&rec.key(), rec.encode_value().as_deref()).unwrap().unwrap();
            prop_assert_eq!(back, rec);
        }
    }

    #[test]
    fn status_roundtrips(connector in name(), task in 0u32..100, trace in proptest::option::of("\\PC{0,40}"), g: i32, s in 0usize..6) {
        let state = [State::Unassigned, State::Running, State::Paused, State::Failed, State::Restarting, State::Stopped][s];
        let st = Status { state, trace, worker_id: "127.0.0.1:8083".into(), generation: g, version: Some("1.0".into()) };
        prop_assert_eq!(Status::decode(&st.encode()).unwrap(), st);
        for key in [StatusKey::Connector(connector.clone()), StatusKey::Task { connector: connector.clone(), task }] {
            prop_assert_eq!(StatusKey::parse(&key.to_string()), Some(key));
        }
    }

    #[test]
    fn offsets_roundtrip(connector in name(), part in proptest::collection::btree_map("[a-z_]{1,8}", scalar(), 1..4),
                         off in proptest::collection::btree_map("[a-zA-Z_.]{1,24}", scalar(), 0..20)) {
        let key = OffsetKey { connector, partition: part.into_iter().collect() };
        prop_assert_eq!(OffsetKey::decode(&key.encode()), Some(key));
        let off: Map<String, Value> = off.into_iter().collect();
        let back = decode_offset(Some(&encode_offset(&off))).unwrap().unwrap();
        let mut a: Vec<_> = off.into_iter().collect();
        let mut b: Vec<_> = back.into_iter().collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn group_payloads_roundtrip((v, a) in (0i16..3).prop_flat_map(|v| (Just(v), assignment(v))),
                                url in "[a-z:/0-9.]{0,30}", off: i64, own: bool) {
        prop_assert_eq!(Assignment::decode(&a.encode()).unwrap(), a.clone());
        // A worker's current allocation is carried in the v1 layout.
        let allocation = (v >= 1 && own).then_some(Assignment { version: v, ..a });
        let m = WorkerMetadata { version: v, url, config_offset: off, allocation };
        prop_assert_eq!(WorkerMetadata::decode(&m.encode()).unwrap(), m);
    }

    #[test]
    fn decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200), key in "\\PC{0,30}") {
        let _ = Assignment::decode(&bytes);
        let _ = WorkerMetadata::decode(&bytes);
        let _ = Status::decode(&bytes);
        let _ = OffsetKey::decode(&bytes);
        let _ = decode_offset(Some(&bytes));
        let _ = ConfigRecord::decode(&key, Some(&bytes));
        let _ = StatusKey::parse(&key);
    }
}
