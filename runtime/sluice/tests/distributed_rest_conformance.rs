//! REST conformance against a LIVE `sluice distributed` (a group of one on fresh internal
//! topics): the same replay of `golden/rest/` as `rest_conformance.rs`, with FileStreamSource
//! connectors standing in for the PostgreSQL connector, held to the same table of deviations
//! plus the stand-ins' own in `docs/rest-conformance.md` (see `conformance/replay.rs`).

mod conformance;

use conformance::replay::{Connector, Mode, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_request_gets_the_reference_answer_from_a_distributed_worker() {
    run(Mode::Distributed, Connector::StandIn).await;
}
