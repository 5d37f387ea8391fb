//! Property checks of time bucketing against an independent computation with chrono.

use chrono::{DateTime, Duration, Timelike};
use proptest::prelude::*;
use sluice_files::TimeZone;
use sluice_files::partitioner::{
    Partitioner, PathFormat, Preset, TimeBasedConfig, TimeBasedPartitioner, TimestampExtractor,
};

fn hourly(zone: &str) -> TimeBasedPartitioner {
    TimeBasedPartitioner::new(TimeBasedConfig {
        duration_ms: Preset::Hourly.duration_ms(),
        path_format: Preset::Hourly.path_format("/"),
        locale: "en".into(),
        timezone: TimeZone::parse("timezone", zone).unwrap(),
        extractor: TimestampExtractor::Wallclock,
        delim: "/".into(),
    })
    .unwrap()
}

proptest! {
    #[test]
    fn hourly_paths_match_chrono_in_fixed_zones(ts in 0i64..4_102_444_800_000, offset_h in -12i64..=14) {
        let zone = format!("{}{:02}:00", if offset_h < 0 { '-' } else { '+' }, offset_h.abs());
        let p = hourly(&zone);
        let local = DateTime::from_timestamp_millis(ts).unwrap().naive_utc() + Duration::hours(offset_h);
        let want = local.format("year=%Y/month=%m/day=%d/hour=%H").to_string();
        prop_assert_eq!(p.encode_timestamp(ts).unwrap(), want);
        let r = sluice_api::SinkRecord {
            topic: "t".into(), kafka_partition: 0, kafka_offset: 0, timestamp: None,
            timestamp_type: Default::default(), key_schema: None, key: sluice_api::Value::Null,
            value_schema: None, value: sluice_api::Value::Null, encoded_value: None,
            headers: Default::default(),
        };
        // Wallclock: the caller's now decides.
        prop_assert_eq!(p.encode_partition(&r, ts).unwrap(), p.encode_timestamp(ts).unwrap());
    }

    #[test]
    fn buckets_contain_their_instant(ts in 0i64..4_102_444_800_000, minutes in 1i64..=1440) {
        let duration = minutes * 60_000;
        let start = TimeBasedPartitioner::bucket_start(duration, ts, &TimeZone::utc());
        prop_assert!(start <= ts && ts < start + duration);
        prop_assert_eq!(start % duration, 0);
    }

    #[test]
    fn minute_patterns_match_chrono(ts in 0i64..4_102_444_800_000) {
        let f = PathFormat::parse("yyyyMMdd'T'HHmmss.SSS").unwrap();
        let t = DateTime::from_timestamp_millis(ts).unwrap();
        let want = format!("{}.{:03}", t.format("%Y%m%dT%H%M%S"), t.nanosecond() / 1_000_000);
        prop_assert_eq!(f.format(ts).unwrap(), want);
    }
}
