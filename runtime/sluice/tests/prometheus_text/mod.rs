//! Reading a worker's `GET /metrics` in tests: the Prometheus text format parsed into samples
//! (name, labels, value), and waiting until a sample satisfies a condition.
// Each test binary uses only some of these helpers.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One sample line: `name{label="value",…} number`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) name: String,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) value: f64,
}

/// The samples of a Prometheus text exposition (comments skipped). Panics on a line that is
/// not a sample, so a malformed exposition fails the test.
pub(crate) fn parse(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| parse_line(line).unwrap_or_else(|| panic!("not a sample line: {line:?}")))
        .collect()
}

fn parse_line(line: &str) -> Option<Sample> {
    let name_end = line.find(['{', ' '])?;
    let name = line[..name_end].to_string();
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        let mut end = None;
        let (mut key, mut value, mut in_value, mut escaped) =
            (String::new(), String::new(), false, false);
        while let Some((i, c)) = chars.next() {
            if in_value {
                match (escaped, c) {
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        in_value = false;
                        labels.insert(std::mem::take(&mut key), std::mem::take(&mut value));
                    }
                    (true, 'n') => {
                        value.push('\n');
                        escaped = false;
                    }
                    (_, c) => {
                        value.push(c);
                        escaped = false;
                    }
                }
            } else {
                match c {
                    '}' => {
                        end = Some(i);
                        break;
                    }
                    ',' | ' ' => {}
                    '=' => {
                        if chars.next().map(|(_, c)| c) != Some('"') {
                            return None;
                        }
                        in_value = true;
                    }
                    c => key.push(c),
                }
            }
        }
        rest = &inner[end? + 1..];
    }
    let value = rest.split_whitespace().next()?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().ok()?,
    };
    Some(Sample {
        name,
        labels,
        value,
    })
}

/// The value of the sample named `name` whose labels include `labels`.
pub(crate) fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).is_some_and(|x| x == v))
        })
        .map(|s| s.value)
}

/// `GET {base}/metrics`: asserts a 200 with the Prometheus text Content-Type, returns the text.
pub(crate) async fn scrape(client: &reqwest::Client, base: &str) -> String {
    let r = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("GET /metrics answers");
    assert_eq!(r.status(), 200, "GET /metrics");
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "Content-Type {content_type}"
    );
    r.text().await.unwrap()
}

/// Scrapes until the sample `name{labels…}` exists and `ok` accepts its value (within
/// `within`); returns the value. On timeout, fails with the last value and the exposition.
pub(crate) async fn wait_for(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    labels: &[(&str, &str)],
    within: Duration,
    ok: impl Fn(f64) -> bool,
) -> f64 {
    match poll_for(client, base, name, labels, within, ok).await {
        Ok(v) => v,
        Err((v, text)) => {
            panic!("{name}{labels:?} is {v:?} after {within:?}; the worker exports:\n{text}")
        }
    }
}

/// [`wait_for`] without the failure: on timeout, the last value and exposition.
pub(crate) async fn poll_for(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    labels: &[(&str, &str)],
    within: Duration,
    ok: impl Fn(f64) -> bool,
) -> Result<f64, (Option<f64>, String)> {
    let deadline = Instant::now() + within;
    loop {
        let text = scrape(client, base).await;
        let v = value(&parse(&text), name, labels);
        if let Some(v) = v
            && ok(v)
        {
            return Ok(v);
        }
        if Instant::now() >= deadline {
            return Err((v, text));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
