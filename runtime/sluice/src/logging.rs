//! Structured logs with `tracing`: `RUST_LOG`-style filters (default `info`), text or JSON, and
//! levels changed at run time by `PUT /admin/loggers/…` ([`RuntimeLevels`]).
//!
//! # Run-time levels
//! The `EnvFilter` sits in a `tracing_subscriber::reload` layer. [`RuntimeLevels`] keeps the
//! filter's directives as text (those of `RUST_LOG`, then those set through the REST API) and,
//! for each change, builds a whole new filter from them and swaps it in; the reload handle
//! rebuilds tracing's callsite interest cache, so events disabled before are emitted from then
//! on. The directives are edited as text because `EnvFilter` cannot be inspected or edited in
//! place.
//!
//! Kafka's logger names map to directives as [`sluice_worker::herder::log_levels`] documents:
//! `root` becomes the default level and drops every narrower directive (Kafka sets every
//! logger), any other name `n` becomes the directive `n=<level>` and drops the directives of
//! targets below it (`n::…`, `n.…`), so the namespace and everything under it take the level.
//! Since tracing matches a target by string prefix, `sluice_worker` covers
//! `sluice_worker::task::…`. Levels: Kafka's `FATAL` is `error` (tracing has nothing above
//! it), `ALL` is `trace`.

use std::sync::Mutex;

use sluice_rest::LogLevel;
use sluice_worker::herder::LogLevels;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

/// The log output format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Installs the global subscriber; `RUST_LOG` overrides the default `info` level. Answers the
/// handle that changes levels later.
pub(crate) fn init(format: Format) -> RuntimeLevels {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| EnvFilter::try_new(s).is_ok() && !s.trim().is_empty());
    let directives: Vec<String> = from_env
        .as_deref()
        .unwrap_or("info")
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(String::from)
        .collect();
    let filter =
        EnvFilter::try_new(directives.join(",")).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::new(filter);
    let (text, json) = match format {
        Format::Text => (
            Some(tracing_subscriber::fmt::layer().with_writer(std::io::stderr)),
            None,
        ),
        Format::Json => (
            None,
            Some(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_writer(std::io::stderr),
            ),
        ),
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(text)
        .with(json)
        .init();
    RuntimeLevels {
        handle,
        directives: Mutex::new(directives),
    }
}

/// Changes the installed filter's levels (see the module doc).
#[derive(Debug)]
pub(crate) struct RuntimeLevels {
    handle: reload::Handle<EnvFilter, Registry>,
    /// The directives of the filter in use, in `RUST_LOG` syntax.
    directives: Mutex<Vec<String>>,
}

impl LogLevels for RuntimeLevels {
    fn set(&self, namespace: &str, level: LogLevel) -> Result<(), String> {
        let level = tracing_level(level);
        let mut directives = self
            .directives
            .lock()
            .map_err(|_| "the log filter is unusable after a panic".to_string())?;
        let next = with_level(&directives, namespace, level)?;
        let filter = EnvFilter::try_new(next.join(","))
            .map_err(|e| format!("logger name '{namespace}' is not a valid log target: {e}"))?;
        self.handle
            .reload(filter)
            .map_err(|e| format!("cannot change the log filter: {e}"))?;
        *directives = next;
        Ok(())
    }
}

/// Kafka's level as a tracing `EnvFilter` level.
fn tracing_level(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Off => "off",
        LogLevel::Fatal | LogLevel::Error => "error",
        LogLevel::Warn => "warn",
        LogLevel::Info => "info",
        LogLevel::Debug => "debug",
        LogLevel::Trace | LogLevel::All => "trace",
    }
}

/// `directives` after setting `namespace` and everything below it to `level`.
fn with_level(directives: &[String], namespace: &str, level: &str) -> Result<Vec<String>, String> {
    if namespace == "root" {
        return Ok(vec![level.to_string()]);
    }
    if namespace.is_empty()
        || namespace
            .chars()
            .any(|c| c.is_whitespace() || ",=[]{}\"".contains(c))
    {
        return Err(format!(
            "logger name '{namespace}' cannot be a log target: use 'root', a Rust module path \
             such as 'sluice_worker::task', or a dotted name without spaces or ,=[]{{}}\""
        ));
    }
    let below = |target: &str| {
        target == namespace
            || target
                .strip_prefix(namespace)
                .is_some_and(|rest| rest.starts_with("::") || rest.starts_with('.'))
    };
    let mut next: Vec<String> = directives
        .iter()
        .filter(|d| !target_of(d).is_some_and(below))
        .cloned()
        .collect();
    next.push(format!("{namespace}={level}"));
    Ok(next)
}

/// The target a directive applies to; `None` for a bare level (the default) or a span-only
/// directive. Follows `EnvFilter`'s syntax `target[span{field=value}]=level`.
fn target_of(directive: &str) -> Option<&str> {
    let end = directive.find(['[', '=']).unwrap_or(directive.len());
    let target = &directive[..end];
    let bare_level = end == directive.len()
        && target
            .parse::<tracing_subscriber::filter::LevelFilter>()
            .is_ok();
    (!target.is_empty() && !bare_level).then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dirs(s: &str) -> Vec<String> {
        s.split(',').map(String::from).collect()
    }

    #[test]
    fn root_replaces_every_directive() {
        let d = dirs("info,hyper=warn,sluice_worker::task=trace");
        assert_eq!(with_level(&d, "root", "debug").unwrap(), ["debug"]);
    }

    #[test]
    fn a_namespace_replaces_the_directives_below_it_only() {
        let d = dirs("info,sluice_worker::task=trace,sluice_worker_x=warn,a.b.c=off");
        assert_eq!(
            with_level(&d, "sluice_worker", "debug").unwrap(),
            [
                "info",
                "sluice_worker_x=warn",
                "a.b.c=off",
                "sluice_worker=debug"
            ]
        );
        assert_eq!(
            with_level(&d, "a.b", "error").unwrap(),
            [
                "info",
                "sluice_worker::task=trace",
                "sluice_worker_x=warn",
                "a.b=error"
            ]
        );
    }

    #[test]
    fn names_the_filter_cannot_hold_are_refused() {
        for bad in ["", "a b", "a=b", "a,b", "x[span]"] {
            assert!(with_level(&[], bad, "info").is_err(), "{bad}");
        }
    }

    #[test]
    fn targets_of_directives() {
        assert_eq!(target_of("info"), None);
        assert_eq!(target_of("[span]=debug"), None);
        assert_eq!(target_of("a::b=debug"), Some("a::b"));
        assert_eq!(target_of("a::b"), Some("a::b"));
        assert_eq!(target_of("a[s{f=1}]=warn"), Some("a"));
    }

    #[test]
    fn kafka_levels() {
        assert_eq!(tracing_level(LogLevel::Fatal), "error");
        assert_eq!(tracing_level(LogLevel::All), "trace");
        assert_eq!(tracing_level(LogLevel::Off), "off");
    }
}
