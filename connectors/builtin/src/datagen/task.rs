//! The data generator task: generates its share of the record numbers in batches, paced to
//! its share of `rate`, resuming after the stored position.
//!
//! Cancel safety: the only `.await`s in `poll` are the offset look-up of the first poll
//! (nothing is kept until it finishes) and sleeps; the task's position advances only when a
//! batch is returned, so a dropped `poll` future loses nothing.

use std::time::{Duration, Instant};

use sluice_api::config::ConfigSource;
use sluice_api::connector::{
    ConnectError, ConnectResult, SourceTask, SourceTaskContext, TaskConfig,
};
use sluice_api::{OffsetMap, Schema, SourceRecord, Value};

use super::schema::Generator;
use super::{
    DatagenConfig, POSITION_FIELD, TASK_COUNT_CONFIG, TASK_FIELD, TASK_INDEX_CONFIG, TASKS_FIELD,
    TOPIC_FIELD,
};
use crate::error::Error;

/// How long a poll waits once every record was generated.
const DONE_WAIT: Duration = Duration::from_millis(500);

#[derive(Debug)]
struct Running {
    config: DatagenConfig,
    generator: Generator,
    ctx: SourceTaskContext,
    partition: OffsetMap,
    index: u64,
    count: u64,
    /// The next sequence number of this task (its records so far); `None` until looked up.
    next: Option<u64>,
    /// Pacing: when the first record was returned, and how many since.
    paced_since: Option<(Instant, u64)>,
}

/// The data generator task (see the module doc).
#[derive(Debug, Default)]
pub struct DatagenTask {
    running: Option<Running>,
}

fn task_number(props: &TaskConfig, key: &str, default: u64) -> ConnectResult<u64> {
    match props.get_raw(key) {
        None => Ok(default),
        Some(raw) => raw.trim().parse().map_err(|_| {
            ConnectError::Api(sluice_api::Error::Config {
                key: key.into(),
                message: format!(
                    "Invalid value {raw} for configuration {key}: Not a number of type LONG"
                ),
            })
        }),
    }
}

impl Running {
    /// How many records of this task exist in total (`None`: no end).
    fn total(&self) -> Option<u64> {
        let records = self.config.records;
        (records > 0).then(|| {
            if records > self.index {
                (records - self.index).div_ceil(self.count)
            } else {
                0
            }
        })
    }

    async fn resume_position(&self) -> ConnectResult<u64> {
        let stored = self.ctx.offset_reader().offset(&self.partition).await?;
        match stored.as_ref().and_then(|o| o.get(POSITION_FIELD)) {
            None | Some(serde_json::Value::Null) => Ok(0),
            Some(v) => v.as_u64().ok_or_else(|| {
                Error::BadOffset {
                    partition: serde_json::Value::Object(self.partition.clone()).to_string(),
                    offset: v.to_string(),
                    reason: format!("'{POSITION_FIELD}' must be a non-negative integer"),
                }
                .into()
            }),
        }
    }

    /// How many records may be returned now under the rate limit, sleeping until one may.
    async fn paced(&mut self, wanted: u64) -> u64 {
        let rate = self.config.rate / self.count as f64;
        if rate <= 0.0 {
            return wanted;
        }
        let (since, sent) = *self.paced_since.get_or_insert((Instant::now(), 0));
        loop {
            // Record k (counted from `since`) is due at k / rate seconds.
            let due = (since.elapsed().as_secs_f64() * rate).floor() as u64 + 1;
            if due > sent {
                return wanted.min(due - sent);
            }
            let at = since + Duration::from_secs_f64(sent as f64 / rate);
            tokio::time::sleep_until(at.into()).await;
        }
    }
}

impl SourceTask for DatagenTask {
    async fn start(&mut self, props: TaskConfig, ctx: SourceTaskContext) -> ConnectResult<()> {
        let config = DatagenConfig::parse(&props)?;
        let index = task_number(&props, TASK_INDEX_CONFIG, 0)?;
        let count = task_number(&props, TASK_COUNT_CONFIG, 1)?.max(1);
        let generator = Generator::new(config.columns.clone())?;
        let mut partition = OffsetMap::new();
        partition.insert(TOPIC_FIELD.into(), config.topic.clone().into());
        partition.insert(TASK_FIELD.into(), index.into());
        partition.insert(TASKS_FIELD.into(), count.into());
        self.running = Some(Running {
            config,
            generator,
            ctx,
            partition,
            index,
            count,
            next: None,
            paced_since: None,
        });
        Ok(())
    }

    async fn poll(&mut self) -> ConnectResult<Vec<SourceRecord>> {
        let r = self.running.as_mut().ok_or_else(|| {
            ConnectError::definite("The data generator task was polled before it was started.")
        })?;
        let next = match r.next {
            Some(n) => n,
            None => {
                let n = r.resume_position().await?;
                r.next = Some(n);
                n
            }
        };
        let left = r.total().map_or(u64::MAX, |t| t.saturating_sub(next));
        if left == 0 {
            tokio::time::sleep(DONE_WAIT).await;
            return Ok(Vec::new());
        }
        let wanted = left.min(r.config.batch_size as u64);
        let n = r.paced(wanted).await;
        let mut records = Vec::with_capacity(n as usize);
        for seq in next..next + n {
            let number = r.index + seq * r.count;
            let mut offset = OffsetMap::new();
            offset.insert(POSITION_FIELD.into(), (seq + 1).into());
            records.push(SourceRecord::new(
                r.partition.clone(),
                offset,
                r.config.topic.clone(),
                Some(Schema::int64()),
                Value::Int64(number as i64),
                Some(r.generator.schema().clone()),
                r.generator.value(number)?,
            ));
        }
        r.next = Some(next + n);
        if let Some((_, sent)) = r.paced_since.as_mut() {
            *sent += n;
        }
        Ok(records)
    }

    async fn stop(&mut self) -> ConnectResult<()> {
        self.running = None;
        Ok(())
    }
}
