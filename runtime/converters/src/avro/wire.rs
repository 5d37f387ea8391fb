//! Confluent's wire format: magic byte `0x00`, the schema id as a 4-byte big-endian integer, then
//! the Avro binary body (no container-file header).

/// The magic byte of the classic Confluent framing.
pub const MAGIC_BYTE: u8 = 0;
/// Bytes before the body.
pub const HEADER_LEN: usize = 5;

/// Appends the 5-byte header for schema `id`.
pub fn write_header(out: &mut Vec<u8>, id: u32) {
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&id.to_be_bytes());
}

/// Splits framed bytes into the schema id and the body; the error says what is wrong.
pub fn split(bytes: &[u8]) -> Result<(u32, &[u8]), String> {
    match bytes.first() {
        None => Err(
            "the data is empty; expected the magic byte 0x00, a 4-byte schema id and an Avro body"
                .to_string(),
        ),
        Some(&b) if b != MAGIC_BYTE => Err(format!(
            "Unknown magic byte 0x{b:02x} (expected 0x00): the data was not written by a Confluent Avro serializer (wrong converter for this topic?)"
        )),
        Some(_) if bytes.len() < HEADER_LEN => Err(format!(
            "the data is {} bytes long, too short for the 5-byte header (magic byte and schema id)",
            bytes.len()
        )),
        Some(_) => {
            let id = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]);
            Ok((id, &bytes[HEADER_LEN..]))
        }
    }
}
