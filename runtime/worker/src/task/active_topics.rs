//! Active topic tracking (KIP-558): a task loop reports each topic the first time it produces
//! to it (source) or consumes a record from it (sink); the herder records it in the status
//! store as a `TopicStatus` and answers `GET /connectors/{c}/topics` from there.
//!
//! # Keeping the per-record path cheap
//! Kafka Connect looks the topic up in the status store's cache for every record. Here the
//! loop owns an [`ActiveTopics`]: a `HashSet` of the topics it already reported plus the reset
//! generation it saw, so a record costs one relaxed atomic load and one hash lookup; only the
//! first record of a topic calls the herder's listener (which must not block: the standalone
//! herder's sends an event on an unbounded channel).
//!
//! # Reset
//! [`TopicTracking::reset`] bumps a generation shared with the loop; the loop's next record
//! sees the new generation, forgets what it reported and so reports each topic again on its
//! next use — the set is rebuilt as tasks see topics again, as in Kafka Connect where the
//! status-store lookup misses after the tombstones. A report racing with a reset (sent just
//! before it, handled just after) records a topic the task did use a moment ago: harmless.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What the herder does with a topic a task used for the first time (since the last reset).
type Listener = dyn Fn(&str) + Send + Sync;

struct Shared {
    generation: AtomicU64,
    listener: Box<Listener>,
}

/// The herder's side of one task's topic tracking: creates the loop's [`ActiveTopics`] and
/// resets it. Clones share the same tracking.
#[derive(Clone)]
pub struct TopicTracking {
    shared: Arc<Shared>,
}

impl fmt::Debug for TopicTracking {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TopicTracking")
            .field(
                "generation",
                &self.shared.generation.load(Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

impl TopicTracking {
    /// Tracking that calls `listener` with each topic a task uses for the first time since
    /// it started or since the last [`TopicTracking::reset`]. The listener runs on the task
    /// loop and must return quickly (send it somewhere; do not write to a store inline).
    pub fn new(listener: impl Fn(&str) + Send + Sync + 'static) -> Self {
        TopicTracking {
            shared: Arc::new(Shared {
                generation: AtomicU64::new(0),
                listener: Box::new(listener),
            }),
        }
    }

    /// Makes the loop report every topic again on its next use (after a topics reset).
    pub fn reset(&self) {
        self.shared.generation.fetch_add(1, Ordering::Relaxed);
    }

    /// The loop's recorder.
    pub fn recorder(&self) -> ActiveTopics {
        ActiveTopics {
            tracking: Some(self.clone()),
            seen: HashSet::new(),
            generation: self.shared.generation.load(Ordering::Relaxed),
        }
    }
}

/// The loop's side: remembers which topics it already reported (see the module doc).
#[derive(Debug, Default)]
pub struct ActiveTopics {
    tracking: Option<TopicTracking>,
    seen: HashSet<String>,
    generation: u64,
}

impl ActiveTopics {
    /// A recorder that reports nothing (`topic.tracking.enable=false`, or a loop run without a
    /// herder).
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Notes that the task used `topic`; reports it if it is the first use since the start or
    /// the last reset.
    pub fn record(&mut self, topic: &str) {
        let Some(tracking) = &self.tracking else {
            return;
        };
        // Relaxed is enough: a reset only has to be seen eventually (at the next record), and
        // nothing else is published through the counter.
        let generation = tracking.shared.generation.load(Ordering::Relaxed);
        if generation != self.generation {
            self.generation = generation;
            self.seen.clear();
        }
        if self.seen.contains(topic) {
            return;
        }
        self.seen.insert(topic.to_string());
        (tracking.shared.listener)(topic);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn reports_each_topic_once_until_a_reset() {
        let reported = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&reported);
        let tracking = TopicTracking::new(move |t| sink.lock().unwrap().push(t.to_string()));
        let mut rec = tracking.recorder();
        for t in ["a", "b", "a", "a", "b"] {
            rec.record(t);
        }
        assert_eq!(*reported.lock().unwrap(), ["a", "b"]);
        tracking.reset();
        rec.record("b");
        rec.record("b");
        assert_eq!(*reported.lock().unwrap(), ["a", "b", "b"]);
        let mut off = ActiveTopics::disabled();
        off.record("c");
        assert_eq!(reported.lock().unwrap().len(), 3);
    }
}
