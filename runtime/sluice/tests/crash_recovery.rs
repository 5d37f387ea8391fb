//! `kill -9` of a streaming `sluice standalone`, several times, then a clean finish: a
//! FileStreamSource streams a large file into a one-partition topic and a FileStreamSink writes
//! the topic back out to a file. The output must hold every input line, in order except for
//! re-delivered windows, and no more duplicates than the windows that were not yet committed
//! when the worker was killed.
//!
//! # Why duplicates are allowed, and the bound asserted
//! Both halves are at-least-once, as in Kafka Connect:
//! - the **source** stores a line's offset (its byte position) only after Kafka acknowledged it
//!   and every earlier line, and only every `offset.flush.interval.ms`; after a kill it resumes
//!   from the stored position, so the lines it had sent after that position are sent again;
//! - the **sink** commits consumer offsets only for what `pre_commit` (i.e. the file sink's
//!   `flush`) made durable, also every `offset.flush.interval.ms`; lines written to the file
//!   after the last commit (including the early writes of a full buffer) are consumed and
//!   written again after a restart.
//!
//! After each kill the test reads what the dead worker left: the source's stored position `R`
//! (from the offsets file), the last line `X` in the topic, the sink group's committed offset
//! `C` and the output file's length. The source's window is the lines `R..=X` it will send
//! again; the sink's window is the topic records after `C` that it had already written. The
//! test asserts that the output's duplicates are at most the sum of these windows over all
//! kills (in practice they are equal), that no line is missing, that no line is skipped and
//! filled in later (the sequence never jumps forward), and that no line is torn.

mod worker_process;

use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hasher};
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sluice_worker::kafka::{Admin, GroupConsumer, Properties, TopicReader};
use worker_process::{WAIT, Worker, free_port, temp};

/// Lines in the input file.
const LINES: usize = 200_000;
/// Every line has the same length (terminator included), so a byte position is a line number.
const LINE_BYTES: usize = 61;
/// How many times the worker is killed.
const KILLS: usize = 4;
const SOURCE: &str = "crash-source";
const SINK: &str = "crash-sink";
/// The input grows by this many lines…
const APPEND_LINES: usize = 500;
/// …this often (5,000 lines/s: the whole file takes 40 s to appear).
const APPEND_EVERY: Duration = Duration::from_millis(100);
/// The longest a restarted worker's sink is given to rejoin its group and write again.
const SINK_JOIN: Duration = Duration::from_secs(20);

fn line(i: usize) -> String {
    format!("line {i:07} {}", "x".repeat(LINE_BYTES - 14))
}

/// The line number of an output line; panics on a line that is not an input line (torn).
fn number(l: &str) -> usize {
    let n = l
        .strip_prefix("line ")
        .and_then(|r| r.get(..7))
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("not an input line (torn?): {l:?}"));
    assert_eq!(l, line(n), "a damaged line in the output");
    n
}

/// A small xorshift generator: the kill moments are random, and the seed is printed (and can be
/// forced with `SLUICE_CRASH_SEED`) so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::env::var("SLUICE_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::collections::hash_map::RandomState::new()
                    .build_hasher()
                    .finish()
                    | 1
            });
        eprintln!("crash_recovery seed: {seed}");
        Rng(seed)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The source's stored byte position, from the standalone offsets file (JSON lines).
fn stored_position(offsets: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(offsets) else {
        return 0;
    };
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["key"].as_str().is_some_and(|k| k.contains(SOURCE)))
        .filter_map(|e| serde_json::from_str::<Value>(e["value"].as_str()?).ok())
        .filter_map(|v| v["position"].as_u64())
        .max()
        .unwrap_or(0) as usize
}

fn output_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// What the dead worker left behind at one kill.
#[derive(Debug)]
struct Kill {
    /// Line number from which the source resumes (stored position / line length).
    resume: usize,
    /// Records in the topic.
    topic_len: usize,
    /// The last line in the topic.
    topic_last: Option<usize>,
    /// The sink group's committed offset (0 when none).
    committed: usize,
    /// Lines in the output file.
    output_len: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_streaming_loses_no_line_and_duplicates_only_unflushed_windows() {
    let kafka = sluice_testkit::services().kafka();
    let props: Properties = [("bootstrap.servers".to_string(), kafka.bootstrap.clone())].into();
    let admin = Admin::new(&props, &Properties::new(), Duration::from_secs(30)).unwrap();
    let topic = sluice_testkit::unique_name("crash");
    assert!(admin.create_topic(&topic, 1, 1, &[]).await.unwrap());

    let input = temp("crash-input", "txt");
    let output = temp("crash-output", "txt");
    let offsets = temp("crash-offsets", "json");
    let mut text = String::with_capacity(LINES * LINE_BYTES);
    for i in 0..LINES {
        text.push_str(&line(i));
        text.push('\n');
    }
    assert_eq!(text.len(), LINES * LINE_BYTES);
    std::fs::write(&input, "").unwrap();

    let port = free_port();
    let worker_file = temp("crash-worker", "properties");
    std::fs::write(
        &worker_file,
        format!(
            "bootstrap.servers={}\noffset.storage.file.filename={}\n\
             offset.flush.interval.ms=500\n\
             key.converter=org.apache.kafka.connect.storage.StringConverter\n\
             value.converter=org.apache.kafka.connect.storage.StringConverter\n\
             consumer.session.timeout.ms=6000\nconsumer.heartbeat.interval.ms=1000\n\
             listeners=http://127.0.0.1:{port}\n",
            kafka.bootstrap,
            offsets.display()
        ),
    )
    .unwrap();
    let source_file = temp("crash-source", "json");
    std::fs::write(
        &source_file,
        json!({"name": SOURCE, "config": {
            "connector.class": "FileStreamSource",
            "file": input.to_str().unwrap(),
            "topic": topic,
        }})
        .to_string(),
    )
    .unwrap();
    let sink_file = temp("crash-sink", "json");
    std::fs::write(
        &sink_file,
        json!({"name": SINK, "config": {
            "connector.class": "FileStreamSink",
            "file": output.to_str().unwrap(),
            "topics": topic,
        }})
        .to_string(),
    )
    .unwrap();
    let connectors = [source_file.as_path(), sink_file.as_path()];

    let client = reqwest::Client::new();
    let mut rng = Rng::new();
    let mut reader = TopicReader::open(&props, &topic, &Properties::new(), WAIT)
        .await
        .unwrap();
    let mut topic_lines: Vec<usize> = Vec::new();
    let group = GroupConsumer::new(&props, &format!("connect-{SINK}"), &Properties::new()).unwrap();
    let mut kills: Vec<Kill> = Vec::new();

    // The input grows while the worker runs, killed and restarted (the source follows the
    // file as `tail -f` does), so every kill lands while lines are still streaming in.
    let writer = {
        let input = input.clone();
        std::thread::spawn(move || {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&input)
                .unwrap();
            for chunk in text.as_bytes().chunks(APPEND_LINES * LINE_BYTES) {
                f.write_all(chunk).unwrap();
                std::thread::sleep(APPEND_EVERY);
            }
        })
    };

    for k in 0..KILLS {
        let mut worker = Worker::start(port, &worker_file, &connectors);
        worker.wait_running(&client, &[SOURCE, SINK]).await;
        // The sink first rejoins its group (seconds on Tansu); once it writes again (or after
        // SINK_JOIN at most), the kill comes at a random moment: anywhere in a flush window.
        let before = std::fs::metadata(&output).map_or(0, |m| m.len());
        let joined = Instant::now() + SINK_JOIN;
        while std::fs::metadata(&output).map_or(0, |m| m.len()) == before && Instant::now() < joined
        {
            assert!(worker.exited().is_none(), "the worker died by itself");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let delay = Duration::from_secs_f64(0.2 + 1.5 * rng.unit());
        tokio::time::sleep(delay).await;
        assert!(worker.exited().is_none(), "the worker died by itself");
        worker.kill_9();

        // What the dead worker left (a produce request it had sent may land a moment later).
        tokio::time::sleep(Duration::from_millis(500)).await;
        for r in reader.read_to_end(WAIT).await.unwrap() {
            topic_lines.push(number(std::str::from_utf8(&r.value.unwrap()).unwrap()));
        }
        let out = output_text(&output);
        assert!(
            out.is_empty() || out.ends_with('\n'),
            "kill {k} left a torn last line in the output: {:?}",
            out.lines().last()
        );
        let committed = group.committed(&topic, &[0], WAIT).await.unwrap()[0]
            .1
            .unwrap_or(0) as usize;
        let kill = Kill {
            resume: stored_position(&offsets) / LINE_BYTES,
            topic_len: topic_lines.len(),
            topic_last: topic_lines.last().copied(),
            committed,
            output_len: out.lines().count(),
        };
        eprintln!("kill {k} ({delay:?} after the sink wrote again): {kill:?}");
        assert_eq!(
            stored_position(&offsets) % LINE_BYTES,
            0,
            "the stored position is a line end"
        );
        kills.push(kill);
    }

    writer.join().unwrap();
    // The last run: until the last line is written out, then a clean stop.
    let mut worker = Worker::start(port, &worker_file, &connectors);
    worker.wait_running(&client, &[SOURCE, SINK]).await;
    let last = line(LINES - 1) + "\n";
    let deadline = Instant::now() + WAIT * 2;
    while !output_text(&output).ends_with(&last) {
        assert!(worker.exited().is_none(), "the worker died by itself");
        assert!(
            Instant::now() < deadline,
            "the output did not reach the last line"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // One more flush window, so the stored offsets and the sink's commit catch up.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let status = worker.terminate().await;
    assert!(status.success(), "clean exit on SIGTERM, got {status}");
    assert_eq!(
        stored_position(&offsets),
        LINES * LINE_BYTES,
        "the whole file is recorded"
    );
    for r in reader.read_to_end(WAIT).await.unwrap() {
        topic_lines.push(number(std::str::from_utf8(&r.value.unwrap()).unwrap()));
    }

    let out: Vec<usize> = output_text(&output).lines().map(number).collect();
    check_sequence("topic", &topic_lines);
    let (rewinds, duplicates) = check_sequence("output", &out);

    // The windows not committed at each kill (see the module doc).
    let mut bound = 0usize;
    let mut previous_topic_len = 0usize;
    let mut previous_committed = 0usize;
    let mut previous_output_len = 0usize;
    for (k, kill) in kills.iter().enumerate() {
        let source_window = match kill.topic_last {
            Some(last) if kill.topic_len > previous_topic_len => {
                (last + 1).saturating_sub(kill.resume)
            }
            _ => 0,
        };
        // The topic offset the sink had written up to: where it resumed plus what it appended.
        let written_to = previous_committed + (kill.output_len - previous_output_len);
        let sink_window = written_to.saturating_sub(kill.committed);
        eprintln!(
            "kill {k}: source window {source_window} lines, sink window {sink_window} records"
        );
        bound += source_window + sink_window;
        previous_topic_len = kill.topic_len;
        previous_committed = kill.committed;
        previous_output_len = kill.output_len;
    }
    eprintln!(
        "{} input lines; topic {} records; output {} lines: {duplicates} duplicates in {rewinds} \
         re-delivered windows; bound from the unflushed windows at the {KILLS} kills: {bound}",
        LINES,
        topic_lines.len(),
        out.len()
    );
    assert!(
        duplicates <= bound,
        "{duplicates} duplicated lines exceed the unflushed windows at the kills ({bound})"
    );
    assert!(
        rewinds <= 2 * KILLS,
        "{rewinds} re-delivered windows for {KILLS} kills (at most one per kill per connector)"
    );
    for f in [
        &input,
        &output,
        &offsets,
        &worker_file,
        &source_file,
        &sink_file,
    ] {
        let _ = std::fs::remove_file(f);
    }
}

/// Checks that `seq` holds every line `0..LINES`, starts at 0, ends at the last line and never
/// jumps forward (a jump forward would skip lines, even if a later replay filled them in).
/// Returns how many times it goes back (re-delivered windows) and how many extra lines it has.
fn check_sequence(what: &str, seq: &[usize]) -> (usize, usize) {
    assert_eq!(seq.first(), Some(&0), "{what} starts at the first line");
    assert_eq!(
        seq.last(),
        Some(&(LINES - 1)),
        "{what} ends at the last line"
    );
    let mut rewinds = 0;
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for (i, pair) in seq.windows(2).enumerate() {
        let (a, b) = (pair[0], pair[1]);
        assert!(
            b <= a + 1,
            "{what} jumps from line {a} to {b} at index {}: lines skipped",
            i + 1
        );
        if b <= a {
            rewinds += 1;
        }
    }
    for n in seq {
        *counts.entry(*n).or_default() += 1;
    }
    assert_eq!(
        counts.len(),
        LINES,
        "{what} misses {} lines",
        LINES - counts.len()
    );
    (rewinds, seq.len() - LINES)
}
