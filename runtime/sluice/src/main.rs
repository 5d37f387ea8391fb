//! The `sluice` binary: command line, worker configuration and wiring of the compiled-in
//! connectors and services.

mod cmd;
mod logging;
mod plugins;
mod recorder;
mod shutdown;
mod worker_config;

use clap::{Parser, Subcommand};

/// The allocator: see the `mimalloc` feature in Cargo.toml for why.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Sluice: a Kafka Connect-compatible connector runtime.
#[derive(Debug, Parser)]
#[command(name = "sluice", version, about, long_about = None)]
struct Cli {
    /// Log format: `text` for people, `json` for log pipelines.
    #[arg(long, global = true, env = "SLUICE_LOG_FORMAT", default_value = "text")]
    log_format: logging::Format,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a distributed Kafka Connect worker: `distributed worker.properties`.
    Distributed(cmd::distributed::Args),
    /// Serve a Confluent-compatible Schema Registry backed by a Kafka topic.
    SchemaRegistry(cmd::schema_registry::Args),
    /// Run a standalone Kafka Connect worker: `standalone worker.properties [connector files…]`.
    Standalone(cmd::standalone::Args),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let log_levels = std::sync::Arc::new(logging::init(cli.log_format));
    if matches!(
        cli.command,
        Command::Distributed(_) | Command::Standalone(_)
    ) {
        recorder::install()?;
    }
    match cli.command {
        Command::Distributed(args) => cmd::distributed::run(args, log_levels).await,
        Command::SchemaRegistry(args) => cmd::schema_registry::run(args).await,
        Command::Standalone(args) => cmd::standalone::run(args, log_levels).await,
    }
}
