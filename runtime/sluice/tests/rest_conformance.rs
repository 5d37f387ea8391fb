//! REST conformance against a LIVE `sluice standalone` running Sluice's own PostgreSQL
//! connector on the test PostgreSQL: replays the 83 requests of `golden/rest/` (Kafka Connect
//! 4.3's answers with Debezium's PostgreSQL connector) in order and fails on any difference not
//! listed in `docs/rest-conformance.md` (see `conformance/replay.rs`;
//! `distributed_rest_conformance.rs` replays them against `sluice distributed` with
//! FileStreamSource stand-ins).

mod conformance;

use conformance::replay::{Connector, Mode, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_request_gets_the_reference_answer_from_a_live_worker() {
    run(Mode::Standalone, Connector::Postgres).await;
}
