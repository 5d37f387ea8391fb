//! Replaying the config topic Java Kafka Connect 4.3 wrote for one connector's life
//! (golden/internal/configs.jsonl) gives the states Kafka Connect went through: created
//! STOPPED, deleted, re-created, its task committed, deleted again.

use serde_json::Value;
use sluice_protocol::{ConfigRecord, TargetState};
use sluice_worker::config_state::{ConfigChange, ConfigState};

fn golden_records() -> Vec<(i64, ConfigRecord)> {
    let path = sluice_testkit::golden("internal/configs.jsonl");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            let key = v["key_text"].as_str().unwrap();
            let value = v["value_text"].as_str().map(str::as_bytes);
            (
                v["offset"].as_i64().unwrap(),
                ConfigRecord::decode(key, value).unwrap().unwrap(),
            )
        })
        .collect()
}

#[test]
fn replaying_the_golden_config_topic_follows_the_connectors_life() {
    let mut state = ConfigState::new();
    let mut changes = Vec::new();
    for (offset, rec) in golden_records() {
        changes.push(state.apply(offset, rec));
        if offset == 2 {
            // Created with initial_state=STOPPED: the target state record came first.
            let c = state
                .connector("golden-pg")
                .expect("connector after its config record");
            assert_eq!(c.target_state, TargetState::Stopped);
            assert!(c.tasks.is_empty());
            assert_eq!(
                c.config.last().unwrap(),
                &("name".to_string(), Some("golden-pg".to_string()))
            );
        }
        if offset == 4 {
            assert!(state.connector("golden-pg").is_none(), "deleted");
        }
        if offset == 7 {
            let c = state.connector("golden-pg").expect("re-created");
            assert_eq!(
                c.target_state,
                TargetState::Started,
                "the delete cleared the STOPPED state"
            );
            assert_eq!(c.tasks.len(), 1);
            assert!(
                c.tasks[0]
                    .iter()
                    .any(|(k, v)| k == "task.class" && v.is_some())
            );
        }
    }
    assert!(state.connector_names().is_empty(), "deleted at the end");
    assert_eq!(state.session_key().unwrap().algorithm, "HmacSHA256");
    assert_eq!(state.next_offset, 10);
    assert!(changes.contains(&ConfigChange::TasksCommitted("golden-pg".into())));
    assert_eq!(
        changes
            .iter()
            .filter(|c| **c == ConfigChange::ConnectorRemoved("golden-pg".into()))
            .count(),
        2
    );
}

fn props(kv: &[(&str, &str)]) -> Option<Vec<(String, Option<String>)>> {
    Some(
        kv.iter()
            .map(|(k, v)| (k.to_string(), Some(v.to_string())))
            .collect(),
    )
}

#[test]
fn tasks_apply_only_on_a_commit_with_the_complete_set() {
    let mut s = ConfigState::new();
    let c = "orders".to_string();
    s.apply(
        0,
        ConfigRecord::Connector {
            connector: c.clone(),
            properties: props(&[("tasks.max", "2")]),
        },
    );
    s.apply(
        1,
        ConfigRecord::Task {
            connector: c.clone(),
            task: 0,
            properties: props(&[("t", "0")]),
        },
    );
    assert!(
        s.connector(&c).unwrap().tasks.is_empty(),
        "a task record alone applies nothing"
    );
    // Commit of 2 tasks with only task 0 written: inconsistent, nothing applied.
    assert_eq!(
        s.apply(
            2,
            ConfigRecord::Commit {
                connector: c.clone(),
                tasks: Some(2)
            }
        ),
        ConfigChange::TasksInconsistent(c.clone())
    );
    assert!(s.connector(&c).unwrap().inconsistent);
    assert!(s.connector(&c).unwrap().tasks.is_empty());
    // The missing task arrives and a new commit completes the set.
    s.apply(
        3,
        ConfigRecord::Task {
            connector: c.clone(),
            task: 1,
            properties: props(&[("t", "1")]),
        },
    );
    assert_eq!(
        s.apply(
            4,
            ConfigRecord::Commit {
                connector: c.clone(),
                tasks: Some(2)
            }
        ),
        ConfigChange::TasksCommitted(c.clone())
    );
    let conn = s.connector(&c).unwrap();
    assert!(!conn.inconsistent);
    assert_eq!(
        conn.tasks,
        vec![props(&[("t", "0")]).unwrap(), props(&[("t", "1")]).unwrap()]
    );
    // A commit for a deleted connector is ignored.
    s.apply(
        5,
        ConfigRecord::Connector {
            connector: c.clone(),
            properties: None,
        },
    );
    assert_eq!(
        s.apply(
            6,
            ConfigRecord::Commit {
                connector: c.clone(),
                tasks: Some(0)
            }
        ),
        ConfigChange::None
    );
    // A tombstoned target state falls back to STARTED.
    s.apply(
        7,
        ConfigRecord::Connector {
            connector: c.clone(),
            properties: props(&[]),
        },
    );
    s.apply(
        8,
        ConfigRecord::TargetState {
            connector: c.clone(),
            state: Some(TargetState::Paused),
        },
    );
    assert_eq!(s.connector(&c).unwrap().target_state, TargetState::Paused);
    s.apply(
        9,
        ConfigRecord::TargetState {
            connector: c.clone(),
            state: None,
        },
    );
    assert_eq!(s.connector(&c).unwrap().target_state, TargetState::Started);
}
