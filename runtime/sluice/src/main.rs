//! The `sluice` binary: command line, worker configuration and wiring of the compiled-in
//! connectors.

use clap::Parser;

/// Sluice: a Kafka Connect-compatible connector runtime.
#[derive(Debug, Parser)]
#[command(name = "sluice", version, about)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
