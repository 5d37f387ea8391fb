//! The Avro object container file layout (Avro 1.x specification, "Object Container Files"):
//!
//! ```text
//! header: "Obj" 0x01 | metadata map<bytes> (avro.schema, avro.codec) | 16-byte sync marker
//! block:  record count (long) | byte size (long) | records (compressed by the codec) | sync marker
//! ```
//!
//! Longs are zig-zag varints and strings/bytes are a length then the bytes (written here in a
//! few lines rather than through an Avro library, because only these two primitives are needed
//! around the record bodies that `sluice-converters` already encodes). The block codecs, as the
//! specification and Java's codecs write them:
//! - `deflate`: raw DEFLATE (RFC 1951, no zlib header);
//! - `snappy`: the Snappy raw block format, then the CRC-32 (ISO-HDLC, `java.util.zip.CRC32`) of
//!   the *uncompressed* data as 4 big-endian bytes;
//! - `zstandard`: one Zstandard frame.

use std::io::Write;

use flate2::write::DeflateEncoder;

/// The four magic bytes opening every container file.
pub(crate) const MAGIC: &[u8; 4] = b"Obj\x01";

/// Appends a zig-zag varint long.
pub(crate) fn write_long(out: &mut Vec<u8>, value: i64) {
    let mut n = ((value << 1) ^ (value >> 63)) as u64;
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Appends Avro `bytes` (or a `string`'s UTF-8): length, then the bytes.
pub(crate) fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_long(out, bytes.len() as i64);
    out.extend_from_slice(bytes);
}

/// The container header: magic, the metadata entries (as one map block) and the sync marker.
pub(crate) fn header(metadata: &[(&str, &[u8])], sync: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + metadata.iter().map(|(_, v)| v.len()).sum::<usize>());
    out.extend_from_slice(MAGIC);
    write_long(&mut out, metadata.len() as i64);
    for (key, value) in metadata {
        write_bytes(&mut out, key.as_bytes());
        write_bytes(&mut out, value);
    }
    write_long(&mut out, 0);
    out.extend_from_slice(sync);
    out
}

/// Appends one data block holding `count` records whose (already codec-compressed) bodies are
/// `data`.
pub(crate) fn block(out: &mut Vec<u8>, count: u64, data: &[u8], sync: &[u8; 16]) {
    write_long(out, count as i64);
    write_long(out, data.len() as i64);
    out.extend_from_slice(data);
    out.extend_from_slice(sync);
}

/// Raw-DEFLATE compresses `data` at `level`.
pub(crate) fn deflate(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut enc = DeflateEncoder::new(
        Vec::with_capacity(data.len() / 2),
        flate2::Compression::new(level),
    );
    enc.write_all(data)?;
    enc.finish()
}

/// Snappy-compresses `data` and appends the big-endian CRC-32 of `data`.
pub(crate) fn snappy(data: &[u8]) -> Result<Vec<u8>, snap::Error> {
    let mut out = vec![0; snap::raw::max_compress_len(data.len()) + 4];
    let n = snap::raw::Encoder::new().compress(data, &mut out)?;
    out.truncate(n);
    out.extend_from_slice(&crc32fast::hash(data).to_be_bytes());
    Ok(out)
}

/// Compresses `data` as one Zstandard frame at `level`.
pub(crate) fn zstandard(data: &[u8], level: i32) -> std::io::Result<Vec<u8>> {
    zstd::bulk::compress(data, level)
}

/// A sync marker derived from `seed` (typically the object key): FNV-1a 128 of the seed.
///
/// Java picks a random marker; deriving it from the key instead makes a replayed file
/// byte-identical to the first attempt (the overwrite after a crash is then exact), while the
/// marker stays as unlikely to occur inside the data as a random one.
pub fn sync_marker_for(seed: &str) -> [u8; 16] {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut h = OFFSET;
    for b in seed.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(PRIME);
    }
    h.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_longs() {
        let enc = |v| {
            let mut o = Vec::new();
            write_long(&mut o, v);
            o
        };
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(-1), [0x01]);
        assert_eq!(enc(1), [0x02]);
        assert_eq!(enc(-64), [0x7f]);
        assert_eq!(enc(64), [0x80, 0x01]);
        assert_eq!(
            enc(i64::MIN),
            [0xff; 9].iter().copied().chain([0x01]).collect::<Vec<_>>()
        );
    }

    #[test]
    fn snappy_blocks_end_with_the_crc_of_the_uncompressed_data() {
        let data = b"abcabcabcabcabcabcabcabc hello hello hello".repeat(20);
        let block = snappy(&data).unwrap();
        let (body, crc) = block.split_at(block.len() - 4);
        assert_eq!(crc, crc32fast::hash(&data).to_be_bytes());
        // The CRC-32 of "123456789" is the check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
        assert!(body.len() < data.len(), "compressed");
        assert_eq!(
            snap::raw::Decoder::new().decompress_vec(body).unwrap(),
            data
        );
    }

    #[test]
    fn zstandard_blocks_are_one_frame() {
        let data = b"zstandard ".repeat(100);
        let block = zstandard(&data, 3).unwrap();
        assert_eq!(&block[..4], &[0x28, 0xB5, 0x2F, 0xFD], "the frame magic");
        assert_eq!(zstd::stream::decode_all(&block[..]).unwrap(), data);
    }

    #[test]
    fn sync_markers_differ_per_seed_and_repeat_per_seed() {
        assert_eq!(sync_marker_for("a"), sync_marker_for("a"));
        assert_ne!(sync_marker_for("a"), sync_marker_for("b"));
    }
}
