//! Which offsets a sink task may commit: what `pre_commit` answered, checked against what was
//! consumed (Kafka's `WorkerSinkTask.commitOffsets` rules).
//!
//! An answer is dropped when its partition is not assigned any more (another member owns it
//! now), when it is **ahead** of what the task was given (committing it would skip records the
//! task never saw), or when it equals what is already committed (nothing to do). What is left
//! can never run ahead of the data the task says is durable: the runner commits exactly these,
//! never the consumed positions themselves.

use std::collections::{BTreeMap, BTreeSet};

use sluice_api::connector::{CommitOffsets, TopicPartition};

/// The offsets of `answered` (from `pre_commit`) that may be committed (see the module doc).
/// `consumed` holds the next offset after the last record given to `put` (or skipped) per
/// partition; `committed` the last committed offset where known.
pub fn committable(
    answered: CommitOffsets,
    consumed: &CommitOffsets,
    assigned: &BTreeSet<TopicPartition>,
    committed: &BTreeMap<TopicPartition, Option<i64>>,
) -> CommitOffsets {
    answered
        .into_iter()
        .filter(|(tp, o)| {
            if !assigned.contains(tp) {
                tracing::debug!(partition = %tp, offset = o.offset,
                    "Ignoring an offset from pre_commit: the partition is not assigned.");
                return false;
            }
            match consumed.get(tp) {
                Some(c) if o.offset <= c.offset => {}
                current => {
                    tracing::warn!(partition = %tp, offset = o.offset,
                        consumed = ?current.map(|c| c.offset),
                        "Ignoring an offset from pre_commit that is ahead of what the task \
                         was given; committing it would skip records.");
                    return false;
                }
            }
            committed.get(tp).copied().flatten() != Some(o.offset)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use sluice_api::connector::OffsetAndMetadata;

    use super::*;

    fn tp(p: i32) -> TopicPartition {
        TopicPartition::new("t", p)
    }

    fn offsets(pairs: &[(i32, i64)]) -> CommitOffsets {
        pairs
            .iter()
            .map(|(p, o)| (tp(*p), OffsetAndMetadata::new(*o)))
            .collect()
    }

    #[test]
    fn never_ahead_never_foreign_never_repeated() {
        let consumed = offsets(&[(0, 10), (1, 20), (2, 30)]);
        let assigned: BTreeSet<_> = [tp(0), tp(1), tp(2)].into();
        let committed: BTreeMap<_, _> = [(tp(2), Some(30))].into();
        let answered = offsets(&[(0, 10), (1, 21), (2, 30), (3, 5)]);
        let ok = committable(answered, &consumed, &assigned, &committed);
        assert_eq!(ok, offsets(&[(0, 10)]));
        let answered = offsets(&[(0, 7)]);
        assert_eq!(
            committable(answered, &consumed, &assigned, &committed),
            offsets(&[(0, 7)])
        );
    }
}
