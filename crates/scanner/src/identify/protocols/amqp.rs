//! AMQP 0-9-1 (the AMQP 0-9-1 specification, 4.2.2 and 1.4.2): after the
//! protocol header the broker sends Connection.Start, whose
//! server-properties table names the product and version. A broker that
//! speaks another version answers with its own protocol header.

use super::{Identified, Proto, be16, be32, version_prefix};
use crate::identify::evidence::{field, field_bytes};

pub(crate) const PROTOCOL_HEADER: &[u8] = b"AMQP\x00\x00\x09\x01";

/// Whether a whole frame (or a protocol header) has arrived.
pub(crate) fn complete(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"AMQP") {
        return bytes.len() >= 8;
    }
    be32(bytes, 3).is_some_and(|size| bytes.len() >= 8 + size as usize || size > 1 << 20)
}

/// AMQP from Connection.Start or a protocol header.
pub(crate) fn identify(bytes: &[u8]) -> Option<Identified> {
    if let Some(version) = bytes.strip_prefix(b"AMQP") {
        let version = version.get(..4)?;
        let mut found = Identified::protocol(Proto::Amqp);
        found.add_extra(format!(
            "speaks AMQP {}-{}-{}",
            version[1], version[2], version[3]
        ));
        return Some(found);
    }
    // Frame: type 1 (method), channel 0, size, payload, 0xce.
    if bytes.first() != Some(&1) || be16(bytes, 1)? != 0 {
        return None;
    }
    let size = be32(bytes, 3)? as usize;
    let payload = bytes.get(7..7 + size)?;
    // Connection (10) . Start (10), version 0-9.
    if be16(payload, 0)? != 10 || be16(payload, 2)? != 10 {
        return None;
    }
    let table_size = be32(payload, 6)? as usize;
    let table = payload.get(10..10 + table_size)?;
    let properties = read_table(table);
    let value = |key: &str| {
        properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut found = match value("product") {
        Some(product) => Identified::product(
            Proto::Amqp,
            product,
            value("version").and_then(version_prefix),
        ),
        None => Identified::protocol(Proto::Amqp),
    };
    if let Some(platform) = value("platform") {
        found.add_extra(field(platform));
    }
    Some(found)
}

/// The long-string entries of a field table; other types are skipped.
fn read_table(mut table: &[u8]) -> Vec<(String, String)> {
    let mut entries = Vec::new();
    while let Some((&name_length, rest)) = table.split_first() {
        if entries.len() >= 64 {
            break;
        }
        let name_length = usize::from(name_length);
        let Some(name) = rest.get(..name_length) else {
            break;
        };
        let Some((&kind, rest)) = rest[name_length..].split_first() else {
            break;
        };
        let size = match kind {
            b't' | b'b' | b'B' => 1,
            b's' | b'u' => 2,
            b'I' | b'i' | b'f' => 4,
            b'l' | b'L' | b'd' | b'T' => 8,
            b'D' => 5,
            b'V' => 0,
            b'S' | b'F' | b'A' | b'x' => match be32(rest, 0) {
                Some(length) => 4 + length as usize,
                None => break,
            },
            _ => break,
        };
        let Some(value) = rest.get(..size) else {
            break;
        };
        if kind == b'S' {
            entries.push((field_bytes(name), field_bytes(&value[4..])));
        }
        table = &rest[size..];
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_string(name: &str, value: &str) -> Vec<u8> {
        let mut entry = vec![name.len() as u8];
        entry.extend_from_slice(name.as_bytes());
        entry.push(b'S');
        entry.extend_from_slice(&(value.len() as u32).to_be_bytes());
        entry.extend_from_slice(value.as_bytes());
        entry
    }

    #[test]
    fn rabbitmq_start() {
        let mut table = Vec::new();
        table.extend_from_slice(&[12]);
        table.extend_from_slice(b"capabilities");
        table.push(b'F');
        table.extend_from_slice(&[0, 0, 0, 6, 4, b'a', b'b', b'c', b'd', b'V']);
        table.extend_from_slice(&long_string("product", "RabbitMQ"));
        table.extend_from_slice(&long_string("version", "3.12.1"));
        table.extend_from_slice(&long_string("platform", "Erlang/OTP 25.3"));
        let mut payload = vec![0, 10, 0, 10, 0, 9];
        payload.extend_from_slice(&(table.len() as u32).to_be_bytes());
        payload.extend_from_slice(&table);
        payload.extend_from_slice(&[0, 0, 0, 5, b'P', b'L', b'A', b'I', b'N']);
        let mut frame = vec![1, 0, 0];
        frame.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        frame.extend_from_slice(&payload);
        frame.push(0xce);
        assert!(complete(&frame));
        let found = identify(&frame).unwrap();
        assert_eq!(found.product.as_deref(), Some("RabbitMQ"));
        assert_eq!(found.version.as_deref(), Some("3.12.1"));
        assert_eq!(found.extra.as_deref(), Some("Erlang/OTP 25.3"));
    }

    #[test]
    fn other_versions_and_junk() {
        let found = identify(b"AMQP\x00\x01\x00\x00").unwrap();
        assert_eq!(found.extra.as_deref(), Some("speaks AMQP 1-0-0"));
        assert!(identify(b"\x01\x00\x00\xff\xff\xff\xff").is_none());
        assert!(identify(b"").is_none());
    }
}
