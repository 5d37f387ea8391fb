//! REST conformance against a LIVE `sluice standalone`: replays the 83 requests of
//! `golden/rest/` (Kafka Connect 4.3's answers) in order and fails on any difference not listed
//! in `docs/rest-conformance.md` (see `conformance/replay.rs`; `distributed_rest_conformance.rs`
//! holds `sluice distributed` to the same table).

mod conformance;

use conformance::replay::{Mode, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_golden_request_gets_the_reference_answer_from_a_live_worker() {
    run(Mode::Standalone).await;
}
