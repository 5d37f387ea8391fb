//! Recovery after a restart or rebalance: finding the objects a previous owner of a topic
//! partition published but never committed, so the replay can rewrite them under the same names.
//!
//! # Why this is needed, and why it suffices
//! Files are named by their first offset. The consumer resumes at the committed offset `c`, and
//! every object whose first offset is below `c` holds only records below `c` (the whole topic
//! partition rotates at once, and `c` never passes a file that is not yet stored). Objects
//! whose first offset is `≥ c` are *leftovers*: published after the last commit. If the replay
//! cut its files at other offsets than the first attempt (scheduled or wall-clock rotation, an
//! early rotation under memory pressure), a leftover would keep records that the replay also
//! writes under another name: duplicates.
//!
//! So, the first time a replayed topic partition meets an encoded partition, it lists that
//! directory's objects of the topic partition with a first offset `≥ c`, and when a record's
//! offset is the first offset of a leftover, the files are closed before it. Every leftover is
//! then rewritten, whole, by a replay file of the same name (a record's encoded partition depends
//! only on the record for every extractor but `Wallclock`), and every replay file either
//! replaces a leftover or has a name no leftover has: each record ends up in exactly one object.
//! A crash during the replay leaves leftovers of the same kind, handled the same way next time.
//!
//! Cost: one listing per (topic partition, encoded partition) after each assignment. S3 starts
//! the listing at the resume offset's key (`StartAfter`), so old objects are not read.

use std::collections::{BTreeSet, HashSet};

use crate::Result;
use crate::naming::ObjectNaming;
use crate::store::ObjectStore;

/// What the replay of one topic partition must reproduce.
#[derive(Debug, Default)]
pub(crate) struct Recovery {
    /// The first offset delivered after the partition was opened (the committed offset).
    resume: Option<i64>,
    /// Encoded partitions already listed.
    scanned: HashSet<String>,
    /// First offsets of leftover objects.
    starts: BTreeSet<i64>,
}

/// Where the objects of one topic partition in one directory are named.
#[derive(Debug)]
pub(crate) struct Directory<'a> {
    pub(crate) naming: &'a ObjectNaming,
    pub(crate) partitioned_path: &'a str,
    pub(crate) topic: &'a str,
    pub(crate) partition: i32,
    pub(crate) extension: &'a str,
}

impl Directory<'_> {
    /// The key prefix shared by this topic partition's objects in the directory.
    fn prefix(&self) -> String {
        let n = self.naming;
        format!(
            "{}{d}{}{d}{}{f}{}{f}",
            n.topics_dir,
            self.partitioned_path,
            self.topic,
            self.partition,
            d = n.directory_delim,
            f = n.file_delim
        )
    }

    /// The first offset of `key`, if it is one of this topic partition's objects.
    fn start_offset(&self, prefix: &str, key: &str) -> Option<i64> {
        let digits = key.strip_prefix(prefix)?.strip_suffix(self.extension)?;
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

impl Recovery {
    /// Notes the offset of a delivered record: the first one fixes the resume offset.
    pub(crate) fn saw(&mut self, offset: i64) {
        self.resume.get_or_insert(offset);
    }

    /// Whether `encoded` still has to be listed.
    pub(crate) fn needs_scan(&self, encoded: &str) -> bool {
        !self.scanned.contains(encoded)
    }

    /// Lists the leftovers of the topic partition in `dir` (the directory of `encoded`).
    pub(crate) async fn scan(
        &mut self,
        store: &dyn ObjectStore,
        encoded: &str,
        dir: Directory<'_>,
    ) -> Result<()> {
        let Some(resume) = self.resume else {
            return Ok(());
        };
        let prefix = dir.prefix();
        let objects = match start_after(&prefix, resume, dir.naming.zero_pad_width) {
            Some(after) => store.list_after(&prefix, &after).await?,
            None => store.list(&prefix).await?,
        };
        let before = self.starts.len();
        self.starts.extend(
            objects
                .iter()
                .filter_map(|o| dir.start_offset(&prefix, &o.key))
                .filter(|s| *s >= resume),
        );
        if self.starts.len() > before {
            tracing::info!(
                prefix,
                resume,
                leftovers = self.starts.len() - before,
                "Found objects written after the last commit; the replay rewrites them under the same names."
            );
        }
        self.scanned.insert(encoded.to_string());
        Ok(())
    }

    /// Whether a file must start at `offset` because a leftover does.
    pub(crate) fn is_leftover_start(&self, offset: i64) -> bool {
        !self.starts.is_empty() && self.starts.contains(&offset)
    }
}

/// The key to start listing after so that only first offsets `≥ resume` follow — when byte
/// order agrees with number order for them: zero-padded names sort numerically among names of
/// the same length, and a longer (larger) number sorts after the start key only if that key
/// begins with a `0` pad digit. Otherwise (offsets past 10^(width-1)) the whole prefix is listed.
fn start_after(prefix: &str, resume: i64, width: usize) -> Option<String> {
    if resume <= 0 {
        return None;
    }
    let previous = format!("{:0width$}", resume - 1);
    (previous.len() == width && previous.starts_with('0')).then(|| format!("{prefix}{previous}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_after_only_where_byte_order_is_number_order() {
        assert_eq!(start_after("p/", 0, 10), None);
        assert_eq!(start_after("p/", 100, 10).as_deref(), Some("p/0000000099"));
        assert_eq!(start_after("p/", 1_000_000_001, 10), None);
        assert_eq!(start_after("p/", 100, 2), None);
    }

    #[test]
    fn parses_only_this_partitions_names() {
        let naming = ObjectNaming::default();
        let dir = Directory {
            naming: &naming,
            partitioned_path: "t/partition=1",
            topic: "t",
            partition: 1,
            extension: ".avro",
        };
        let prefix = dir.prefix();
        assert_eq!(prefix, "topics/t/partition=1/t+1+");
        assert_eq!(
            dir.start_offset(&prefix, "topics/t/partition=1/t+1+0000000042.avro"),
            Some(42)
        );
        assert_eq!(
            dir.start_offset(&prefix, "topics/t/partition=1/t+1+0000000042.json"),
            None
        );
        assert_eq!(
            dir.start_offset(&prefix, "topics/t/partition=1/t+12+0000000042.avro"),
            None
        );
    }
}
