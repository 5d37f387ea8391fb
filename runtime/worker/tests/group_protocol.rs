//! Two workers form a `connect` group through the broker's group coordinator: one is elected
//! leader and sees both members' metadata, SyncGroup hands each member its own assignment,
//! heartbeats keep the generation, and LeaveGroup makes the group rebalance without the leaver.
//!
//! Each rebalance round takes about 5 s on Tansu, so this is one test with generous timeouts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sluice_worker::kafka::{
    GroupConfig, GroupMember, HeartbeatOutcome, JoinedGroup, ProtocolMetadata, SyncOutcome,
};

const WAIT: Duration = Duration::from_secs(90);

/// Kafka Connect's protocols in a `sessioned` worker's order of preference.
const PROTOCOLS: [&str; 3] = ["sessioned", "compatible", "default"];

fn protocols(worker: &str) -> Vec<ProtocolMetadata> {
    PROTOCOLS
        .iter()
        .map(|n| ProtocolMetadata {
            name: n.to_string(),
            metadata: Bytes::from(format!("{worker}:{n}")),
        })
        .collect()
}

/// What the leader assigns to `member` in a generation of `size` members.
fn assignment(member: &str, size: usize) -> Bytes {
    Bytes::from(format!("{size}|{member}"))
}

/// Joins and syncs until a generation of `size` members is synced; returns its join outcome and
/// our assignment. A member alone in an earlier generation heartbeats until told to rejoin.
async fn settle(
    member: &mut GroupMember,
    offered: &[ProtocolMetadata],
    size: usize,
) -> anyhow::Result<(JoinedGroup, Bytes)> {
    loop {
        let joined = member.join(offered).await?;
        let assignments: Vec<(String, Bytes)> = if joined.is_leader() {
            let n = joined.members.len();
            joined
                .members
                .iter()
                .map(|m| (m.member_id.clone(), assignment(&m.member_id, n)))
                .collect()
        } else {
            Vec::new()
        };
        match member.sync(&assignments).await? {
            SyncOutcome::Assigned(bytes) if bytes.starts_with(format!("{size}|").as_bytes()) => {
                return Ok((joined, bytes));
            }
            SyncOutcome::Assigned(_) => {
                // A generation without everyone yet: wait for the rebalance the others cause.
                while member.heartbeat().await? == HeartbeatOutcome::Stable {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
            SyncOutcome::Rejoin(_) => {}
        }
    }
}

#[tokio::test]
async fn two_workers_join_sync_heartbeat_and_leave() -> anyhow::Result<()> {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let bootstrap = sluice_testkit::services().kafka().bootstrap;
    let group = sluice_testkit::unique_name("workers");
    let mut a = GroupMember::new(&bootstrap, GroupConfig::connect(&group))?;
    let mut b = GroupMember::new(&bootstrap, GroupConfig::connect(&group))?;
    // (Apache Kafka picks the first protocol all members support; Tansu 0.6 takes the first
    // member's first choice and refuses later members lacking it with INCONSISTENT_GROUP_PROTOCOL,
    // so both workers offer the same list, as workers of one Sluice version do.)
    let (offered_a, offered_b) = (protocols("a"), protocols("b"));

    let started = Instant::now();
    let ((joined_a, assigned_a), (joined_b, assigned_b)) = tokio::time::timeout(WAIT, async {
        tokio::try_join!(settle(&mut a, &offered_a, 2), settle(&mut b, &offered_b, 2))
    })
    .await??;
    eprintln!("two members settled in {:?}", started.elapsed());

    // One generation, one leader, the preferred protocol.
    assert_eq!(joined_a.generation_id, joined_b.generation_id);
    assert_eq!(joined_a.leader_id, joined_b.leader_id);
    assert_ne!(joined_a.member_id, joined_b.member_id);
    assert!(!joined_a.member_id.is_empty() && !joined_b.member_id.is_empty());
    assert_eq!(
        (a.member_id(), b.member_id()),
        (joined_a.member_id.as_str(), joined_b.member_id.as_str())
    );
    assert_eq!(
        (joined_a.protocol.as_str(), joined_b.protocol.as_str()),
        ("sessioned", "sessioned")
    );
    assert!(
        joined_a.is_leader() ^ joined_b.is_leader(),
        "exactly one leader"
    );

    // The leader saw both members' metadata for the chosen protocol; the follower saw none.
    let (leader, follower) = if joined_a.is_leader() {
        (&joined_a, &joined_b)
    } else {
        (&joined_b, &joined_a)
    };
    let seen: BTreeMap<&str, &[u8]> = leader
        .members
        .iter()
        .map(|m| (m.member_id.as_str(), &m.metadata[..]))
        .collect();
    let expected: BTreeMap<&str, &[u8]> = [
        (joined_a.member_id.as_str(), &b"a:sessioned"[..]),
        (joined_b.member_id.as_str(), &b"b:sessioned"[..]),
    ]
    .into();
    assert_eq!(seen, expected);
    assert!(follower.members.is_empty());

    // Each member received the bytes the leader assigned to it.
    assert_eq!(assigned_a, assignment(&joined_a.member_id, 2));
    assert_eq!(assigned_b, assignment(&joined_b.member_id, 2));

    // Heartbeats keep the generation.
    for _ in 0..3 {
        assert_eq!(a.heartbeat().await?, HeartbeatOutcome::Stable);
        assert_eq!(b.heartbeat().await?, HeartbeatOutcome::Stable);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // b leaves: a is told to rejoin and forms a new generation alone, as leader.
    b.leave().await?;
    assert_eq!(b.member_id(), "");
    let (alone, assigned) = tokio::time::timeout(WAIT, async {
        loop {
            if let HeartbeatOutcome::Rejoin(_) = a.heartbeat().await? {
                return settle(&mut a, &offered_a, 1).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
    .await??;
    eprintln!("a alone after {:?}", started.elapsed());
    assert!(alone.generation_id > joined_a.generation_id);
    assert_eq!(alone.member_id, joined_a.member_id, "a keeps its member id");
    assert!(alone.is_leader());
    assert_eq!(alone.protocol, "sessioned");
    assert_eq!(alone.members.len(), 1);
    assert_eq!(&alone.members[0].metadata[..], b"a:sessioned");
    assert_eq!(assigned, assignment(&alone.member_id, 1));

    a.leave().await?;
    assert_eq!(a.generation_id(), -1);
    Ok(())
}
