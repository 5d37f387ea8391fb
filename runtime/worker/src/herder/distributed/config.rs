//! The distributed worker's own configuration keys (Kafka Connect's `DistributedConfig`), read
//! from the worker properties with Kafka Connect's defaults (spec/internals.md §5–6). The three
//! internal topics' keys (`config.storage.topic`, `offset.storage.partitions`, …) are read by
//! [`KafkaStoreSettings`]; the keys here are the group's and the session key's.

use std::time::Duration;

use crate::kafka::{GroupConfig, Properties};
use crate::stores::KafkaStoreSettings;
use crate::{Error, Result};

/// `group.id`: the worker group; every worker of one cluster uses the same (required).
pub const GROUP_ID: &str = "group.id";
/// `connect.protocol`: `eager`, `compatible` or `sessioned` (default), the group
/// sub-protocols a worker offers (see [`ConnectProtocol`]).
pub const CONNECT_PROTOCOL: &str = "connect.protocol";
/// `session.timeout.ms` (10 000): the coordinator drops a worker silent for this long.
pub const SESSION_TIMEOUT_MS: &str = "session.timeout.ms";
/// `heartbeat.interval.ms` (3 000): how often the worker tells the coordinator it is alive.
pub const HEARTBEAT_INTERVAL_MS: &str = "heartbeat.interval.ms";
/// `rebalance.timeout.ms` (60 000): how long the coordinator waits for workers to rejoin.
pub const REBALANCE_TIMEOUT_MS: &str = "rebalance.timeout.ms";
/// `worker.sync.timeout.ms` (3 000): how long the worker reads the config topic to catch up
/// before acting on an assignment.
pub const WORKER_SYNC_TIMEOUT_MS: &str = "worker.sync.timeout.ms";
/// `worker.unsync.backoff.ms` (300 000): how long a worker that could not catch up waits
/// before rejoining.
pub const WORKER_UNSYNC_BACKOFF_MS: &str = "worker.unsync.backoff.ms";
/// `scheduled.rebalance.max.delay.ms` (300 000): how long the work of a departed worker is
/// held for it. Read for compatibility; Sluice reassigns lost work at once.
pub const SCHEDULED_REBALANCE_MAX_DELAY_MS: &str = "scheduled.rebalance.max.delay.ms";
/// `inter.worker.key.ttl.ms` (3 600 000): how long a session key lives before the leader
/// writes a new one.
pub const INTER_WORKER_KEY_TTL_MS: &str = "inter.worker.key.ttl.ms";
/// `inter.worker.key.generation.algorithm` (`HmacSHA256`, the only one supported).
pub const INTER_WORKER_KEY_GENERATION_ALGORITHM: &str = "inter.worker.key.generation.algorithm";
/// `inter.worker.key.size`: the session key's size in bits (default 256, the algorithm's).
pub const INTER_WORKER_KEY_SIZE: &str = "inter.worker.key.size";
/// `request.timeout.ms` (40 000): bound on the group requests other than JoinGroup.
pub const REQUEST_TIMEOUT_MS: &str = "request.timeout.ms";
/// `retry.backoff.ms` (100): pause before retrying a failed group request.
pub const RETRY_BACKOFF_MS: &str = "retry.backoff.ms";
/// `client.id`: the id sent with group requests (default `sluice-<worker id>`).
pub const CLIENT_ID: &str = "client.id";

/// The only session key algorithm Sluice generates.
pub(crate) const HMAC_SHA256: &str = "HmacSHA256";

/// Which group sub-protocols a worker offers (`connect.protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectProtocol {
    /// `eager`: only `default` (v0); every rebalance stops all work first.
    Eager,
    /// `compatible`: `compatible` (v1, incremental cooperative), then `default`.
    Compatible,
    /// `sessioned`: `sessioned` (v2, cooperative with a session key), then the others.
    Sessioned,
}

impl ConnectProtocol {
    /// The sub-protocols offered, most preferred first, with their metadata versions.
    pub fn offered(self) -> &'static [(&'static str, i16)] {
        let all = &sluice_protocol::group::PROTOCOLS;
        match self {
            ConnectProtocol::Sessioned => &all[..],
            ConnectProtocol::Compatible => &all[1..],
            ConnectProtocol::Eager => &all[2..],
        }
    }

    /// The metadata version of the sub-protocol the coordinator chose, `None` if unknown.
    pub fn version_of(name: &str) -> Option<i16> {
        sluice_protocol::group::PROTOCOLS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }
}

/// Everything a distributed worker reads from its properties beyond the client settings.
#[derive(Debug, Clone)]
pub struct DistributedSettings {
    /// The group membership: `group.id` and the timeouts.
    pub group: GroupConfig,
    /// `connect.protocol`.
    pub protocol: ConnectProtocol,
    /// `worker.sync.timeout.ms`.
    pub sync_timeout: Duration,
    /// `worker.unsync.backoff.ms`.
    pub unsync_backoff: Duration,
    /// `inter.worker.key.ttl.ms`.
    pub key_ttl: Duration,
    /// `inter.worker.key.size` in bytes.
    pub key_bytes: usize,
    /// The config topic.
    pub configs: KafkaStoreSettings,
    /// The offsets topic.
    pub offsets: KafkaStoreSettings,
    /// The status topic.
    pub statuses: KafkaStoreSettings,
}

impl DistributedSettings {
    /// Reads the settings; a missing required key or a value of the wrong kind is an error
    /// naming the key and saying what it accepts.
    pub fn from_worker(worker: &Properties, worker_id: &str) -> Result<Self> {
        let group_id = match worker.get(GROUP_ID).map(|v| v.trim()) {
            Some(g) if !g.is_empty() => g.to_string(),
            _ => {
                return Err(Error::Config {
                    key: GROUP_ID.into(),
                    message: "missing; set the worker group's name (the same on every worker of \
                              the cluster)"
                        .into(),
                });
            }
        };
        let protocol = match worker
            .get(CONNECT_PROTOCOL)
            .map(|v| v.trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("sessioned") => ConnectProtocol::Sessioned,
            Some("compatible") => ConnectProtocol::Compatible,
            Some("eager") => ConnectProtocol::Eager,
            Some(other) => {
                return Err(Error::Config {
                    key: CONNECT_PROTOCOL.into(),
                    message: format!("'{other}' is not one of eager, compatible, sessioned"),
                });
            }
        };
        match worker
            .get(INTER_WORKER_KEY_GENERATION_ALGORITHM)
            .map(|v| v.trim())
        {
            None => {}
            Some(a) if a == HMAC_SHA256 => {}
            Some(a) => {
                return Err(Error::Config {
                    key: INTER_WORKER_KEY_GENERATION_ALGORITHM.into(),
                    message: format!("'{a}' is not supported; use {HMAC_SHA256}"),
                });
            }
        }
        let key_bits = millis_or(worker, INTER_WORKER_KEY_SIZE, 256)?;
        if key_bits == 0 || key_bits % 8 != 0 {
            return Err(Error::Config {
                key: INTER_WORKER_KEY_SIZE.into(),
                message: format!("{key_bits} is not a positive number of whole bytes in bits"),
            });
        }
        let _lost_work_delay = ms(worker, SCHEDULED_REBALANCE_MAX_DELAY_MS, 300_000)?;
        let mut group = GroupConfig::connect(group_id);
        group.client_id = worker
            .get(CLIENT_ID)
            .cloned()
            .unwrap_or_else(|| format!("sluice-{worker_id}"));
        group.session_timeout = ms(worker, SESSION_TIMEOUT_MS, 10_000)?;
        group.heartbeat_interval = ms(worker, HEARTBEAT_INTERVAL_MS, 3_000)?;
        group.rebalance_timeout = ms(worker, REBALANCE_TIMEOUT_MS, 60_000)?;
        group.request_timeout = ms(worker, REQUEST_TIMEOUT_MS, 40_000)?;
        group.retry_backoff = ms(worker, RETRY_BACKOFF_MS, 100)?;
        if group.heartbeat_interval >= group.session_timeout {
            return Err(Error::Config {
                key: HEARTBEAT_INTERVAL_MS.into(),
                message: format!(
                    "must be lower than {SESSION_TIMEOUT_MS} ({} ms), typically a third of it",
                    group.session_timeout.as_millis()
                ),
            });
        }
        Ok(DistributedSettings {
            group,
            protocol,
            sync_timeout: ms(worker, WORKER_SYNC_TIMEOUT_MS, 3_000)?,
            unsync_backoff: ms(worker, WORKER_UNSYNC_BACKOFF_MS, 300_000)?,
            key_ttl: ms(worker, INTER_WORKER_KEY_TTL_MS, 3_600_000)?,
            key_bytes: usize::try_from(key_bits / 8).unwrap_or(32),
            configs: KafkaStoreSettings::config_from_worker(worker)?,
            offsets: KafkaStoreSettings::offsets_from_worker(worker)?,
            statuses: KafkaStoreSettings::status_from_worker(worker)?,
        })
    }
}

/// A non-negative integer property, `default` when absent.
fn millis_or(worker: &Properties, key: &str, default: u64) -> Result<u64> {
    match worker.get(key) {
        None => Ok(default),
        Some(v) => v.trim().parse::<u64>().map_err(|_| Error::Config {
            key: key.into(),
            message: format!("'{v}' is not a non-negative integer"),
        }),
    }
}

/// A duration in milliseconds, `default_ms` when absent.
fn ms(worker: &Properties, key: &str, default_ms: u64) -> Result<Duration> {
    millis_or(worker, key, default_ms).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(entries: &[(&str, &str)]) -> Properties {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn base() -> Vec<(&'static str, &'static str)> {
        vec![
            ("bootstrap.servers", "k:9092"),
            ("group.id", "connect-cluster"),
            ("config.storage.topic", "c"),
            ("offset.storage.topic", "o"),
            ("status.storage.topic", "s"),
        ]
    }

    #[test]
    fn kafka_connect_defaults() {
        let s = DistributedSettings::from_worker(&props(&base()), "h:8083").unwrap();
        assert_eq!(s.group.group_id, "connect-cluster");
        assert_eq!(s.group.client_id, "sluice-h:8083");
        assert_eq!(s.protocol, ConnectProtocol::Sessioned);
        assert_eq!(s.group.session_timeout, Duration::from_secs(10));
        assert_eq!(s.group.heartbeat_interval, Duration::from_secs(3));
        assert_eq!(s.group.rebalance_timeout, Duration::from_secs(60));
        assert_eq!(s.sync_timeout, Duration::from_secs(3));
        assert_eq!(s.key_ttl, Duration::from_secs(3600));
        assert_eq!(s.key_bytes, 32);
        assert_eq!(
            (s.offsets.topic.partitions, s.statuses.topic.partitions),
            (25, 5)
        );
        assert_eq!(s.configs.topic.replication_factor, 3);
    }

    #[test]
    fn protocols_offered_per_connect_protocol() {
        let names = |p: ConnectProtocol| p.offered().iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert_eq!(
            names(ConnectProtocol::Sessioned),
            ["sessioned", "compatible", "default"]
        );
        assert_eq!(
            names(ConnectProtocol::Compatible),
            ["compatible", "default"]
        );
        assert_eq!(names(ConnectProtocol::Eager), ["default"]);
        assert_eq!(ConnectProtocol::version_of("default"), Some(0));
        assert_eq!(ConnectProtocol::version_of("sessioned"), Some(2));
        let mut p = base();
        p.push(("connect.protocol", "EAGER"));
        let s = DistributedSettings::from_worker(&props(&p), "h:1").unwrap();
        assert_eq!(s.protocol, ConnectProtocol::Eager);
    }

    #[test]
    fn errors_name_the_key() {
        let missing: Vec<_> = base()
            .into_iter()
            .filter(|(k, _)| *k != "group.id")
            .collect();
        let e = DistributedSettings::from_worker(&props(&missing), "h:1").unwrap_err();
        assert!(e.to_string().contains("group.id"), "{e}");
        for (key, value) in [
            ("connect.protocol", "fast"),
            ("session.timeout.ms", "ten"),
            ("heartbeat.interval.ms", "20000"),
            ("inter.worker.key.generation.algorithm", "HmacMD5"),
        ] {
            let mut p = base();
            p.push((key, value));
            let e = DistributedSettings::from_worker(&props(&p), "h:1").unwrap_err();
            assert!(e.to_string().contains(key), "{key}: {e}");
        }
        let no_topic: Vec<_> = base()
            .into_iter()
            .filter(|(k, _)| *k != "status.storage.topic")
            .collect();
        let e = DistributedSettings::from_worker(&props(&no_topic), "h:1").unwrap_err();
        assert!(e.to_string().contains("status.storage.topic"), "{e}");
    }
}
