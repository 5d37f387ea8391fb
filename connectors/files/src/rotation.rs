//! When a topic partition's open files are closed and committed: pure decisions, no I/O and no
//! clock of their own (the caller passes `now`), so they are tested with injected times.
//!
//! The rules are those of Confluent's S3 `TopicPartitionWriter`; the state is per Kafka topic
//! partition, across all the files it has open (one per encoded partition), and a rotation
//! closes them all:
//!
//! * **`flush.size`** — after a record is appended, rotate when the partition has written that
//!   many records since the last rotation.
//! * **`rotate.interval.ms`** — before a record is appended, rotate when its timestamp (from the
//!   partitioner's timestamp extractor) is at least this far past the timestamp of the first
//!   record since the last rotation, or when it belongs to another encoded partition than the
//!   previous record. It applies only with a time-based partitioner (Confluent ignores it
//!   otherwise) and is judged on record time, so it only fires when a record arrives.
//! * **`rotate.schedule.interval.ms`** — wall-clock deadlines aligned to the interval from local
//!   midnight in `timezone` (never past the next midnight: Confluent's
//!   `getNextTimeAdjustedByDay`). Checked before each record *and* by [`Rotation::on_timer`],
//!   which the sink calls from a timer armed at [`Rotation::next_deadline`]: a quiet partition's
//!   file closes on time without waiting for a new record. As in Confluent the deadline is
//!   re-armed only by time-based rotations.
//! * **schema change** — the format reports it (`Appended::SchemaChanged`); the sink then calls
//!   [`Rotation::rotated`] with [`RotateReason::SchemaChange`].
//! * **`rotate.interval.ms` timer** (Sluice only) — when the caller tracks open times
//!   ([`Rotation::record_written_at`]), [`Rotation::on_timer`] also closes files that have been
//!   open for `rotate.interval.ms` of wall time, so a quiet partition's last file does not wait
//!   for a record that may never come. During a catch-up files live far shorter than that and
//!   the record-time rule decides, as in Confluent.
//!
//! Nothing rotates an empty file: every time rule requires at least one record written.

use crate::config::{self, Props};
use crate::partitioner::TIMEZONE_CONFIG;
use crate::zone::TimeZone;
use crate::{Error, Result};

/// `flush.size`: records per file (per topic partition between rotations).
pub const FLUSH_SIZE_CONFIG: &str = "flush.size";
/// `rotate.interval.ms`: record-time span of a file (-1 = off).
pub const ROTATE_INTERVAL_MS_CONFIG: &str = "rotate.interval.ms";
/// `rotate.schedule.interval.ms`: wall-clock rotation period (-1 = off).
pub const ROTATE_SCHEDULE_INTERVAL_MS_CONFIG: &str = "rotate.schedule.interval.ms";

const DAY_MS: i64 = 86_400_000;

/// Why the open files must be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotateReason {
    /// `flush.size` records were written.
    FlushSize,
    /// `rotate.interval.ms` of record time elapsed since the first record.
    Interval,
    /// The record belongs to another encoded partition (with `rotate.interval.ms` set).
    PartitionChange,
    /// The `rotate.schedule.interval.ms` deadline passed.
    Schedule,
    /// The value schema changed.
    SchemaChange,
    /// After a restart, an object already exists that starts at the next record: the files
    /// are closed there so the replay rewrites that object under the same name (see
    /// `crate::sink` on recovery).
    Recovery,
    /// The task's memory budget is exhausted; this partition holds the most bytes.
    MemoryBudget,
    /// `rotate.interval.ms` of wall-clock time passed since the files were opened and no
    /// record arrived to close them (Sluice's timer; Confluent waits for the next record).
    IntervalTimer,
}

impl RotateReason {
    /// Whether the rotation re-arms the scheduled deadline (Confluent does it only for
    /// rotations decided by `rotateOnTime`).
    fn is_time_based(self) -> bool {
        matches!(
            self,
            RotateReason::Interval
                | RotateReason::PartitionChange
                | RotateReason::Schedule
                | RotateReason::IntervalTimer
        )
    }
}

/// The rotation settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationPolicy {
    /// `flush.size` (≥ 1).
    pub flush_size: u64,
    /// `rotate.interval.ms` when positive and the partitioner is time-based.
    pub interval_ms: Option<i64>,
    /// `rotate.schedule.interval.ms` when positive.
    pub schedule_interval_ms: Option<i64>,
    /// `timezone` the schedule is aligned to.
    pub timezone: TimeZone,
}

impl RotationPolicy {
    /// Reads the settings; `time_based` says whether the partitioner has a timestamp extractor
    /// (without one `rotate.interval.ms` is ignored, with a warning, as Confluent does).
    pub fn from_props(props: &Props, time_based: bool) -> Result<Self> {
        let flush = config::long(props, FLUSH_SIZE_CONFIG, -1)?;
        if !props.contains_key(FLUSH_SIZE_CONFIG) || flush < 1 {
            return Err(Error::config(
                FLUSH_SIZE_CONFIG,
                "is required and must be at least 1 (records per file)",
            ));
        }
        let interval = config::long(props, ROTATE_INTERVAL_MS_CONFIG, -1)?;
        if interval > 0 && !time_based {
            tracing::warn!(
                rotate_interval_ms = interval,
                "rotate.interval.ms is set but the partitioner is not time-based; it is ignored."
            );
        }
        let schedule = config::long(props, ROTATE_SCHEDULE_INTERVAL_MS_CONFIG, -1)?;
        let zone_text = config::string(props, TIMEZONE_CONFIG, "");
        let timezone = if schedule > 0 {
            if zone_text.is_empty() {
                return Err(Error::config(
                    TIMEZONE_CONFIG,
                    "is required when rotate.schedule.interval.ms is set; e.g. UTC",
                ));
            }
            TimeZone::parse(TIMEZONE_CONFIG, &zone_text)?
        } else {
            TimeZone::utc()
        };
        Ok(RotationPolicy {
            flush_size: flush.unsigned_abs(),
            interval_ms: (interval > 0 && time_based).then_some(interval),
            schedule_interval_ms: (schedule > 0).then_some(schedule),
            timezone,
        })
    }

    /// Confluent's `getNextTimeAdjustedByDay`: the first multiple of the schedule interval
    /// after `now_ms`, counted from local midnight and capped at the next midnight.
    pub fn next_scheduled(&self, now_ms: i64) -> Option<i64> {
        let period = self.schedule_interval_ms?;
        let zone = &self.timezone;
        let start_of_day = zone.local_to_utc(zone.utc_to_local(now_ms) / DAY_MS * DAY_MS);
        let offset = ((now_ms - start_of_day) / period + 1) * period;
        Some(start_of_day + offset.min(DAY_MS))
    }
}

/// The rotation state of one topic partition.
#[derive(Debug, Clone)]
pub struct Rotation {
    policy: RotationPolicy,
    record_count: u64,
    base_timestamp: Option<i64>,
    current_partition: Option<String>,
    next_scheduled: Option<i64>,
    /// Wall time of the first record since the last rotation, when the caller tracks it
    /// ([`Rotation::record_written_at`]): arms the `rotate.interval.ms` timer.
    opened_at: Option<i64>,
}

impl Rotation {
    /// A fresh state (nothing written); the schedule is armed from `now_ms`.
    pub fn new(policy: RotationPolicy, now_ms: i64) -> Self {
        let next_scheduled = policy.next_scheduled(now_ms);
        Rotation {
            policy,
            record_count: 0,
            base_timestamp: None,
            current_partition: None,
            next_scheduled,
            opened_at: None,
        }
    }

    /// The settings.
    pub fn policy(&self) -> &RotationPolicy {
        &self.policy
    }

    /// Records written since the last rotation.
    pub fn record_count(&self) -> u64 {
        self.record_count
    }

    /// Before appending a record of `encoded_partition` with extracted time `record_ts`
    /// (`None` without a time-based partitioner): must the open files be closed first?
    pub fn before_record(
        &self,
        encoded_partition: &str,
        record_ts: Option<i64>,
        now_ms: i64,
    ) -> Option<RotateReason> {
        if self.record_count == 0 {
            return None;
        }
        if let (Some(interval), Some(ts), Some(base)) =
            (self.policy.interval_ms, record_ts, self.base_timestamp)
        {
            if ts - base >= interval {
                return Some(RotateReason::Interval);
            }
            if self.current_partition.as_deref() != Some(encoded_partition) {
                return Some(RotateReason::PartitionChange);
            }
        }
        self.schedule_due(now_ms)
    }

    /// After appending a record: counts it and says whether `flush.size` is reached.
    pub fn record_written(
        &mut self,
        encoded_partition: &str,
        record_ts: Option<i64>,
    ) -> Option<RotateReason> {
        if self.base_timestamp.is_none() {
            self.base_timestamp = record_ts;
        }
        if self.current_partition.as_deref() != Some(encoded_partition) {
            self.current_partition = Some(encoded_partition.to_string());
        }
        self.record_count += 1;
        (self.record_count >= self.policy.flush_size).then_some(RotateReason::FlushSize)
    }

    /// [`Rotation::record_written`], also noting the wall time `now_ms` of the first record
    /// since the last rotation: with `rotate.interval.ms` set, [`Rotation::on_timer`] then
    /// closes the files once they have been open that long, even if no record arrives.
    pub fn record_written_at(
        &mut self,
        encoded_partition: &str,
        record_ts: Option<i64>,
        now_ms: i64,
    ) -> Option<RotateReason> {
        if self.record_count == 0 {
            self.opened_at = Some(now_ms);
            // A deadline that passed while nothing was open would cut this file after its
            // first record; the file gets a whole period instead.
            if self.next_scheduled.is_some_and(|d| now_ms >= d) {
                self.next_scheduled = self.policy.next_scheduled(now_ms);
            }
        }
        self.record_written(encoded_partition, record_ts)
    }

    /// From a timer, without a new record: whether the scheduled deadline has passed with
    /// records written, or (when the open time is tracked) the files have been open for
    /// `rotate.interval.ms`.
    pub fn on_timer(&self, now_ms: i64) -> Option<RotateReason> {
        if self.record_count == 0 {
            return None;
        }
        if let (Some(interval), Some(opened)) = (self.policy.interval_ms, self.opened_at)
            && now_ms - opened >= interval
        {
            return Some(RotateReason::IntervalTimer);
        }
        self.schedule_due(now_ms)
    }

    /// When the sink should next call [`Rotation::on_timer`] (`None`: no timer armed or
    /// nothing written yet, so nothing can become due without a record).
    pub fn next_deadline(&self) -> Option<i64> {
        if self.record_count == 0 {
            return None;
        }
        let interval = self
            .policy
            .interval_ms
            .zip(self.opened_at)
            .map(|(i, o)| o + i);
        match (self.next_scheduled, interval) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The files were closed for `reason`: start counting afresh.
    pub fn rotated(&mut self, reason: RotateReason, now_ms: i64) {
        self.record_count = 0;
        self.base_timestamp = None;
        self.current_partition = None;
        self.opened_at = None;
        if reason.is_time_based() {
            self.next_scheduled = self.policy.next_scheduled(now_ms);
        }
    }

    fn schedule_due(&self, now_ms: i64) -> Option<RotateReason> {
        match self.next_scheduled {
            Some(deadline) if now_ms >= deadline => Some(RotateReason::Schedule),
            _ => None,
        }
    }
}
