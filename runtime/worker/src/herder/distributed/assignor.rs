//! The leader's assignment of connectors and tasks to the members of the worker group, pure so
//! it can be tested without a broker.
//!
//! A unit of work is a connector instance (task number [`CONNECTOR_TASK`], -1) or one of its
//! tasks. The leader first checks that it has read the config topic as far as every member
//! (else every member gets `CONFIG_MISMATCH` and re-reads, spec/internals.md §5), then:
//!
//! - **eager** (`default`, v0): all work round-robin over the members sorted by member id,
//!   connectors first, then tasks (Kafka's `EagerAssignor`). Each member gets its full set;
//!   eager members stopped all their work before joining, so no unit runs twice.
//! - **cooperative** (`compatible`/`sessioned`, v1/v2): each member keeps what its metadata
//!   says it runs (a unit two members claim stays with the first by member id and is revoked
//!   from the other); units nobody runs go to the least loaded member; units no longer
//!   configured are revoked. A member gets only what is new to it (`assigned`) and what it
//!   must stop (`revoked`) — the incremental cooperative layout. Because no unit moves from one
//!   live member to another in a round, no unit ever runs on two workers; a worker that joins
//!   takes new work as it is created but is not handed running work (Kafka's load-balancing
//!   revocations and the `scheduled.rebalance.max.delay.ms` hold on a departed member's work
//!   are not implemented: lost work is reassigned at once).
//!
//! In a group of one, both give the only member everything.

use std::collections::{BTreeMap, BTreeSet};

use sluice_protocol::group::CONNECTOR_TASK;
use sluice_protocol::{Assignment, ConnectorTasks, WorkerMetadata};

use crate::config_state::ConfigState;

/// The assignment error telling members to re-read the config topic and rejoin.
pub(crate) const CONFIG_MISMATCH: i16 = 1;

/// Work by connector: its instance (-1) and task numbers.
pub(crate) type Work = BTreeMap<String, BTreeSet<i32>>;

/// Every unit of work the config describes.
pub(crate) fn configured_work(config: &ConfigState) -> Work {
    config
        .connector_names()
        .into_iter()
        .map(|name| {
            let tasks = config.connector(name).map_or(0, |c| c.tasks.len());
            let units = std::iter::once(CONNECTOR_TASK)
                .chain((0..tasks).map(|t| i32::try_from(t).unwrap_or(i32::MAX)))
                .collect();
            (name.to_string(), units)
        })
        .collect()
}

/// `work` in the wire layout (connectors sorted, units ascending).
pub(crate) fn to_wire(work: &Work) -> Vec<ConnectorTasks> {
    work.iter()
        .filter(|(_, units)| !units.is_empty())
        .map(|(connector, units)| ConnectorTasks {
            connector: connector.clone(),
            tasks: units.iter().copied().collect(),
        })
        .collect()
}

/// The wire layout back to work.
pub(crate) fn from_wire(list: &[ConnectorTasks]) -> Work {
    let mut work = Work::new();
    for c in list {
        work.entry(c.connector.clone())
            .or_default()
            .extend(c.tasks.iter().copied());
    }
    work
}

/// One member as the coordinator reported it to the leader.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) metadata: WorkerMetadata,
}

/// The assignment of every member, for the protocol of metadata `version` (0 eager, 1/2
/// cooperative). `leader` is the leader's member id; `config` the leader's config snapshot.
pub(crate) fn assign(
    leader: &str,
    members: &[Member],
    config: &ConfigState,
    version: i16,
) -> Vec<(String, Assignment)> {
    let mut members: Vec<&Member> = members.iter().collect();
    members.sort_by(|a, b| a.id.cmp(&b.id));
    let leader_url = members
        .iter()
        .find(|m| m.id == leader)
        .map(|m| m.metadata.url.clone())
        .unwrap_or_default();
    let config_offset = config.next_offset - 1;
    let base = Assignment {
        version,
        error: 0,
        leader: leader.to_string(),
        leader_url,
        config_offset,
        assigned: Vec::new(),
        revoked: Vec::new(),
        delay: 0,
    };
    let behind = members
        .iter()
        .any(|m| m.metadata.config_offset > config_offset);
    if behind {
        return members
            .iter()
            .map(|m| {
                let a = Assignment {
                    error: CONFIG_MISMATCH,
                    ..base.clone()
                };
                (m.id.clone(), a)
            })
            .collect();
    }
    let work = configured_work(config);
    let plans = if version == 0 {
        eager(&members, &work)
    } else {
        cooperative(&members, &work)
    };
    plans
        .into_iter()
        .map(|(id, assigned, revoked)| {
            let a = Assignment {
                assigned: to_wire(&assigned),
                revoked: to_wire(&revoked),
                ..base.clone()
            };
            (id, a)
        })
        .collect()
}

/// Round-robin of all work, connectors first (see the module doc).
fn eager(members: &[&Member], work: &Work) -> Vec<(String, Work, Work)> {
    let mut plans: Vec<(String, Work, Work)> = members
        .iter()
        .map(|m| (m.id.clone(), Work::new(), Work::new()))
        .collect();
    if plans.is_empty() {
        return plans;
    }
    let connectors = work.keys().map(|c| (c.clone(), CONNECTOR_TASK));
    let tasks = work.iter().flat_map(|(c, units)| {
        units
            .iter()
            .filter(|t| **t != CONNECTOR_TASK)
            .map(move |t| (c.clone(), *t))
    });
    for (i, (connector, unit)) in connectors.chain(tasks).enumerate() {
        let slot = i % plans.len();
        plans[slot].1.entry(connector).or_default().insert(unit);
    }
    plans
}

/// Keep, deduplicate, place new work on the least loaded member (see the module doc).
fn cooperative(members: &[&Member], work: &Work) -> Vec<(String, Work, Work)> {
    let previous: Vec<Work> = members
        .iter()
        .map(|m| {
            m.metadata
                .allocation
                .as_ref()
                .map(|a| from_wire(&a.assigned))
                .unwrap_or_default()
        })
        .collect();
    let mut target: Vec<Work> = vec![Work::new(); members.len()];
    let mut unowned = Vec::new();
    for (connector, units) in work {
        for unit in units {
            let owner = previous
                .iter()
                .position(|p| p.get(connector).is_some_and(|u| u.contains(unit)));
            match owner {
                Some(i) => {
                    target[i]
                        .entry(connector.clone())
                        .or_default()
                        .insert(*unit);
                }
                None => unowned.push((connector.clone(), *unit)),
            }
        }
    }
    for (connector, unit) in unowned {
        let load = |w: &Work| w.values().map(BTreeSet::len).sum::<usize>();
        let Some(i) = (0..target.len()).min_by_key(|i| (load(&target[*i]), *i)) else {
            break;
        };
        target[i].entry(connector).or_default().insert(unit);
    }
    members
        .iter()
        .zip(previous.iter().zip(target))
        .map(|(m, (before, after))| {
            (
                m.id.clone(),
                difference(&after, before),
                difference(before, &after),
            )
        })
        .collect()
}

/// The units of `a` not in `b`.
pub(crate) fn difference(a: &Work, b: &Work) -> Work {
    a.iter()
        .filter_map(|(connector, units)| {
            let left: BTreeSet<i32> = match b.get(connector) {
                Some(other) => units.difference(other).copied().collect(),
                None => units.clone(),
            };
            (!left.is_empty()).then(|| (connector.clone(), left))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use sluice_protocol::{ConfigRecord, Properties};

    use super::*;

    fn props(name: &str) -> Properties {
        vec![("name".to_string(), Some(name.to_string()))]
    }

    /// Connectors `name → task count`, committed.
    fn config(connectors: &[(&str, usize)]) -> ConfigState {
        let mut state = ConfigState::new();
        let mut offset = 0;
        let mut apply = |state: &mut ConfigState, r: ConfigRecord| {
            state.apply(offset, r);
            offset += 1;
        };
        for (name, tasks) in connectors {
            apply(
                &mut state,
                ConfigRecord::Connector {
                    connector: name.to_string(),
                    properties: Some(props(name)),
                },
            );
            for t in 0..*tasks {
                apply(
                    &mut state,
                    ConfigRecord::Task {
                        connector: name.to_string(),
                        task: t as u32,
                        properties: Some(props(name)),
                    },
                );
            }
            apply(
                &mut state,
                ConfigRecord::Commit {
                    connector: name.to_string(),
                    tasks: Some(*tasks as u32),
                },
            );
        }
        state
    }

    fn member(id: &str, offset: i64, owns: &[(&str, &[i32])]) -> Member {
        let work: Work = owns
            .iter()
            .map(|(c, u)| (c.to_string(), u.iter().copied().collect()))
            .collect();
        Member {
            id: id.to_string(),
            metadata: WorkerMetadata {
                version: 1,
                url: format!("http://{id}:8083/"),
                config_offset: offset,
                allocation: Some(Assignment {
                    version: 1,
                    error: 0,
                    leader: String::new(),
                    leader_url: String::new(),
                    config_offset: offset,
                    assigned: to_wire(&work),
                    revoked: Vec::new(),
                    delay: 0,
                }),
            },
        }
    }

    fn units(a: &[ConnectorTasks]) -> Vec<(String, Vec<i32>)> {
        a.iter()
            .map(|c| (c.connector.clone(), c.tasks.clone()))
            .collect()
    }

    #[test]
    fn a_group_of_one_gets_everything() {
        let config = config(&[("a", 2), ("b", 1)]);
        for version in [0, 1, 2] {
            let out = assign("m1", &[member("m1", 5, &[])], &config, version);
            assert_eq!(out.len(), 1);
            let (id, a) = &out[0];
            assert_eq!((id.as_str(), a.error, a.version), ("m1", 0, version));
            assert_eq!(a.config_offset, config.next_offset - 1);
            assert_eq!(a.leader_url, "http://m1:8083/");
            assert_eq!(
                units(&a.assigned),
                [
                    ("a".to_string(), vec![-1, 0, 1]),
                    ("b".to_string(), vec![-1, 0])
                ]
            );
            assert!(a.revoked.is_empty());
        }
    }

    #[test]
    fn a_member_ahead_of_the_leader_is_a_config_mismatch() {
        let config = config(&[("a", 1)]);
        let ahead = config.next_offset + 10;
        let out = assign(
            "m1",
            &[member("m1", 0, &[]), member("m2", ahead, &[])],
            &config,
            1,
        );
        assert!(
            out.iter()
                .all(|(_, a)| a.error == CONFIG_MISMATCH && a.assigned.is_empty())
        );
    }

    #[test]
    fn eager_is_round_robin_connectors_first() {
        let config = config(&[("a", 2), ("b", 1)]);
        let out = assign(
            "m1",
            &[member("m2", 0, &[]), member("m1", 0, &[])],
            &config,
            0,
        );
        let by: BTreeMap<_, _> = out.into_iter().collect();
        // Units in order: a/-1, b/-1, a/0, a/1, b/0 over [m1, m2].
        assert_eq!(
            units(&by["m1"].assigned),
            [("a".to_string(), vec![-1, 0]), ("b".to_string(), vec![0])]
        );
        assert_eq!(
            units(&by["m2"].assigned),
            [("a".to_string(), vec![1]), ("b".to_string(), vec![-1])]
        );
    }

    #[test]
    fn cooperative_keeps_work_places_new_work_and_revokes_deleted_and_duplicates() {
        // a (1 task) runs on m1; b was deleted but m2 still runs it; m2 also runs a/0 (a
        // duplicate of m1's); c is new.
        let config = config(&[("a", 1), ("c", 1)]);
        let m1 = member("m1", 0, &[("a", &[-1, 0])]);
        let m2 = member("m2", 0, &[("b", &[-1]), ("a", &[0])]);
        let out = assign("m1", &[m1, m2], &config, 2);
        let by: BTreeMap<_, _> = out.into_iter().collect();
        assert!(by["m1"].assigned.is_empty(), "m1 keeps what it runs");
        assert!(by["m1"].revoked.is_empty());
        assert_eq!(
            units(&by["m2"].revoked),
            [("a".to_string(), vec![0]), ("b".to_string(), vec![-1])]
        );
        // m2 is left with nothing, so the new connector and its task go there.
        assert_eq!(units(&by["m2"].assigned), [("c".to_string(), vec![-1, 0])]);
    }
}
