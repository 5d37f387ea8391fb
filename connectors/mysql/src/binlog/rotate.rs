//! ROTATE events, including the one the server sends before anything else.
//!
//! A dump starts with a made-up ROTATE naming the file being read, sent *before* the
//! FORMAT_DESCRIPTION event that tells the reader whether events carry a CRC32 checksum. So
//! `mysql_common` cannot know to strip the checksum from that first ROTATE, and its file name
//! would end in four checksum bytes. We strip them when they are exactly the CRC32 of the
//! event (a real name matches by chance with probability 2⁻³²), which works whatever the
//! server's `binlog_checksum` is.

use mysql_async::binlog::events::Event;

use super::position::FilePosition;
use crate::error::{Error, Result};

/// The file and position a ROTATE event points to.
pub(crate) fn rotate_target(event: &Event) -> Result<FilePosition> {
    let data = event.data();
    let Some((pos, mut name)) = data.split_first_chunk::<8>() else {
        return Err(Error::malformed(
            "ROTATE",
            format!("{} bytes, needs at least 8", data.len()),
        ));
    };
    if let Some((rest, checksum)) = data.split_last_chunk::<4>()
        && rest.len() >= 8
        && crc32_of_event(event, rest) == u32::from_le_bytes(*checksum)
    {
        name = &rest[8..];
    }
    Ok(FilePosition {
        file: String::from_utf8_lossy(name).into_owned(),
        pos: u64::from_le_bytes(*pos),
    })
}

/// CRC32 (IEEE) of the event header followed by `body`, as the server computes it.
fn crc32_of_event(event: &Event, body: &[u8]) -> u32 {
    let h = event.header();
    let mut header = Vec::with_capacity(19);
    header.extend_from_slice(&h.timestamp().to_le_bytes());
    header.push(h.event_type_raw());
    header.extend_from_slice(&h.server_id().to_le_bytes());
    header.extend_from_slice(&h.event_size().to_le_bytes());
    header.extend_from_slice(&h.log_pos().to_le_bytes());
    header.extend_from_slice(&h.flags_raw().to_le_bytes());
    crc32(header.iter().chain(body))
}

/// Bitwise CRC32 (IEEE 802.3, reflected). Only a few dozen bytes per dump go through it, so
/// a table or a CRC crate is not worth a dependency.
fn crc32<'a>(bytes: impl IntoIterator<Item = &'a u8>) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
