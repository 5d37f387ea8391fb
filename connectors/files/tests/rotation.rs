//! Rotation decisions follow Confluent's TopicPartitionWriter, with injected clocks.

use sluice_files::{Error, Props, RotateReason, Rotation, RotationPolicy};

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
// 2024-05-01T00:00:00Z
const DAY0: i64 = 1_714_521_600_000;

fn props(pairs: &[(&str, &str)]) -> Props {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn policy(pairs: &[(&str, &str)], time_based: bool) -> RotationPolicy {
    RotationPolicy::from_props(&props(pairs), time_based).unwrap()
}

#[test]
fn flush_size_rotates_after_the_nth_record() {
    let mut r = Rotation::new(policy(&[("flush.size", "3")], false), 0);
    assert_eq!(r.before_record("p", None, 0), None);
    assert_eq!(r.record_written("p", None), None);
    assert_eq!(r.record_written("p", None), None);
    assert_eq!(r.record_written("p", None), Some(RotateReason::FlushSize));
    r.rotated(RotateReason::FlushSize, 0);
    assert_eq!(r.record_count(), 0);
    assert_eq!(r.record_written("p", None), None);
}

#[test]
fn interval_is_measured_on_record_time_from_the_first_record() {
    let p = policy(
        &[("flush.size", "1000"), ("rotate.interval.ms", "500")],
        true,
    );
    let mut r = Rotation::new(p, 0);
    // Wall clock far in the future does not matter: only record times count.
    assert_eq!(r.before_record("p", Some(1_000), 10 * HOUR), None);
    assert_eq!(r.record_written("p", Some(1_000)), None);
    assert_eq!(r.before_record("p", Some(1_499), 10 * HOUR), None);
    assert_eq!(r.record_written("p", Some(1_499)), None);
    assert_eq!(
        r.before_record("p", Some(1_500), 10 * HOUR),
        Some(RotateReason::Interval)
    );
    r.rotated(RotateReason::Interval, 10 * HOUR);
    // The record that triggered the rotation starts the next file and its base time.
    assert_eq!(r.before_record("p", Some(1_500), 10 * HOUR), None);
    r.record_written("p", Some(1_500));
    assert_eq!(r.before_record("p", Some(1_999), 10 * HOUR), None);
    assert_eq!(
        r.before_record("p", Some(2_000), 10 * HOUR),
        Some(RotateReason::Interval)
    );
    // The timer never closes on rotate.interval.ms (Confluent judges it on record time only).
    assert_eq!(r.on_timer(i64::MAX), None);
}

#[test]
fn partition_change_rotates_only_with_an_interval() {
    let with = policy(
        &[("flush.size", "1000"), ("rotate.interval.ms", "3600000")],
        true,
    );
    let mut r = Rotation::new(with, 0);
    r.record_written("hour=13", Some(0));
    assert_eq!(
        r.before_record("hour=14", Some(1), 0),
        Some(RotateReason::PartitionChange)
    );

    // Without rotate.interval.ms several encoded partitions stay open side by side.
    let without = policy(&[("flush.size", "1000")], true);
    let mut r = Rotation::new(without, 0);
    r.record_written("hour=13", Some(0));
    assert_eq!(r.before_record("hour=14", Some(HOUR), 0), None);
}

#[test]
fn interval_is_ignored_without_a_time_based_partitioner() {
    let p = policy(&[("flush.size", "10"), ("rotate.interval.ms", "1")], false);
    assert_eq!(p.interval_ms, None);
    let mut r = Rotation::new(p, 0);
    r.record_written("partition=0", None);
    assert_eq!(r.before_record("partition=0", None, HOUR), None);
}

#[test]
fn scheduled_rotation_fires_from_the_timer_on_aligned_deadlines() {
    let p = policy(
        &[
            ("flush.size", "1000"),
            ("rotate.schedule.interval.ms", "600000"),
            ("timezone", "UTC"),
        ],
        false,
    );
    let start = DAY0 + 3 * MIN;
    let mut r = Rotation::new(p, start);
    // Nothing written: nothing to close, no timer needed.
    assert_eq!(r.next_deadline(), None);
    assert_eq!(r.on_timer(DAY0 + HOUR), None);
    r.record_written("partition=0", None);
    assert_eq!(r.next_deadline(), Some(DAY0 + 10 * MIN));
    assert_eq!(r.on_timer(DAY0 + 10 * MIN - 1), None);
    // A quiet partition: no new record, yet the file closes on time.
    assert_eq!(r.on_timer(DAY0 + 10 * MIN), Some(RotateReason::Schedule));
    r.rotated(RotateReason::Schedule, DAY0 + 10 * MIN + 7);
    r.record_written("partition=0", None);
    assert_eq!(r.next_deadline(), Some(DAY0 + 20 * MIN));
    // A record arriving after the deadline also triggers it.
    assert_eq!(
        r.before_record("partition=0", None, DAY0 + 25 * MIN),
        Some(RotateReason::Schedule)
    );
}

#[test]
fn size_rotations_do_not_rearm_the_schedule() {
    let p = policy(
        &[
            ("flush.size", "1"),
            ("rotate.schedule.interval.ms", "600000"),
            ("timezone", "UTC"),
        ],
        false,
    );
    let mut r = Rotation::new(p, DAY0);
    assert_eq!(r.record_written("p", None), Some(RotateReason::FlushSize));
    r.rotated(RotateReason::FlushSize, DAY0 + 15 * MIN);
    r.record_written("p", None);
    // Still the deadline armed at DAY0 (Confluent re-arms only on time-based rotations).
    assert_eq!(r.next_deadline(), Some(DAY0 + 10 * MIN));
    assert_eq!(r.on_timer(DAY0 + 15 * MIN), Some(RotateReason::Schedule));
}

#[test]
fn schedule_is_aligned_to_local_midnight_and_capped_there() {
    let p = policy(
        &[
            ("flush.size", "1"),
            ("rotate.schedule.interval.ms", &(7 * HOUR).to_string()),
            ("timezone", "+02:00"),
        ],
        false,
    );
    // 00:30Z is 02:30 local; local midnight is 22:00Z the day before; next multiple of 7 h
    // after it is 05:00Z.
    assert_eq!(p.next_scheduled(DAY0 + 30 * MIN), Some(DAY0 + 5 * HOUR));
    // 20:00Z is 22:00 local; 21 h + 7 h passes midnight, so the deadline is local midnight
    // (22:00Z).
    assert_eq!(p.next_scheduled(DAY0 + 20 * HOUR), Some(DAY0 + 22 * HOUR));
    // Exactly on a boundary: the next one.
    let utc = policy(
        &[
            ("flush.size", "1"),
            ("rotate.schedule.interval.ms", "3600000"),
            ("timezone", "UTC"),
        ],
        false,
    );
    assert_eq!(utc.next_scheduled(DAY0 + HOUR), Some(DAY0 + 2 * HOUR));
}

#[test]
fn config_errors_name_the_key() {
    let key_of = |pairs: &[(&str, &str)]| match RotationPolicy::from_props(&props(pairs), true) {
        Err(Error::Config { key, .. }) => key,
        other => panic!("expected a config error, got {other:?}"),
    };
    assert_eq!(key_of(&[]), "flush.size");
    assert_eq!(key_of(&[("flush.size", "0")]), "flush.size");
    assert_eq!(key_of(&[("flush.size", "x")]), "flush.size");
    assert_eq!(
        key_of(&[("flush.size", "1"), ("rotate.schedule.interval.ms", "1000")]),
        "timezone"
    );
    assert_eq!(
        key_of(&[
            ("flush.size", "1"),
            ("rotate.schedule.interval.ms", "1000"),
            ("timezone", "Asia/Tokyo")
        ]),
        "timezone"
    );
}
