//! Records of the internal topics and worker group payloads come from other workers (possibly
//! other versions, possibly corrupted): decoding arbitrary bytes must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sluice_protocol::{Assignment, ConfigRecord, OffsetKey, Status, StatusKey, WorkerMetadata, decode_offset};

fuzz_target!(|data: &[u8]| {
    let _ = Assignment::decode(data);
    let _ = WorkerMetadata::decode(data);
    let _ = Status::decode(data);
    let _ = OffsetKey::decode(data);
    let _ = decode_offset(Some(data));
    if let Some((k, v)) = data.iter().position(|b| *b == 0).map(|i| data.split_at(i)) {
        if let Ok(key) = std::str::from_utf8(k) {
            let _ = ConfigRecord::decode(key, Some(&v[1..]));
            let _ = StatusKey::parse(key);
        }
    }
});
