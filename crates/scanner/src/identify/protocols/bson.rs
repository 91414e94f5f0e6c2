//! The part of BSON (bsonspec.org, version 1.1) MongoDB's handshake needs:
//! writing a flat command document, and reading the top level of a reply
//! with every element type skipped safely.

use crate::identify::evidence::field_bytes;

/// A value of a command we send.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    Int(i32),
    Str(&'a str),
    Bool(bool),
}

/// A flat document of `elements`.
pub(crate) fn document(elements: &[(&str, Value<'_>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in elements {
        let (kind, bytes) = match value {
            Value::Int(n) => (0x10u8, n.to_le_bytes().to_vec()),
            Value::Bool(b) => (0x08, vec![u8::from(*b)]),
            Value::Str(s) => {
                let mut bytes = ((s.len() + 1) as i32).to_le_bytes().to_vec();
                bytes.extend_from_slice(s.as_bytes());
                bytes.push(0);
                (0x02, bytes)
            }
        };
        body.push(kind);
        body.extend_from_slice(name.as_bytes());
        body.push(0);
        body.extend_from_slice(&bytes);
    }
    let mut document = ((body.len() + 5) as i32).to_le_bytes().to_vec();
    document.extend_from_slice(&body);
    document.push(0);
    document
}

/// A top-level value of a reply, as far as we read them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Read {
    Str(String),
    Number(f64),
    Bool(bool),
    Other,
}

/// The top-level elements of the document at the start of `bytes`.
pub(crate) fn read_top_level(bytes: &[u8]) -> Option<Vec<(String, Read)>> {
    let length = usize::try_from(i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?)).ok()?;
    if length < 5 {
        return None;
    }
    let document = bytes.get(..length)?;
    let mut at = 4;
    let mut elements = Vec::new();
    while at < document.len() - 1 && elements.len() < 256 {
        let kind = document[at];
        let name_end = at + 1 + document[at + 1..].iter().position(|b| *b == 0)?;
        let name = field_bytes(&document[at + 1..name_end]);
        let value_at = name_end + 1;
        let (value, size) = read_value(kind, document.get(value_at..)?)?;
        elements.push((name, value));
        at = value_at.checked_add(size)?;
    }
    Some(elements)
}

/// One value and how many bytes it took.
fn read_value(kind: u8, bytes: &[u8]) -> Option<(Read, usize)> {
    let i32_at = |at: usize| -> Option<usize> {
        usize::try_from(i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()
    };
    let fixed = |size: usize| bytes.get(..size).map(|_| (Read::Other, size));
    match kind {
        0x01 => {
            let value = f64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
            Some((Read::Number(value), 8))
        }
        0x02 | 0x0d | 0x0e => {
            let length = i32_at(0)?;
            let text = bytes.get(4..4 + length)?;
            let text = text.strip_suffix(&[0]).unwrap_or(text);
            Some((Read::Str(field_bytes(text)), 4 + length))
        }
        0x03 | 0x04 => {
            let length = i32_at(0)?;
            bytes.get(..length)?;
            Some((Read::Other, length))
        }
        0x05 => {
            let length = i32_at(0)?;
            fixed(5 + length)
        }
        0x06 | 0x0a | 0x7f | 0xff => Some((Read::Other, 0)),
        0x07 => fixed(12),
        0x08 => Some((Read::Bool(*bytes.first()? != 0), 1)),
        0x09 | 0x11 => fixed(8),
        0x12 => {
            let value = i64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
            Some((Read::Number(value as f64), 8))
        }
        0x10 => {
            let value = i32::from_le_bytes(bytes.get(..4)?.try_into().ok()?);
            Some((Read::Number(f64::from(value)), 4))
        }
        0x0b => {
            let first = bytes.iter().position(|b| *b == 0)?;
            let second = bytes[first + 1..].iter().position(|b| *b == 0)?;
            Some((Read::Other, first + second + 2))
        }
        0x0c => {
            let length = i32_at(0)?;
            fixed(4 + length + 12)
        }
        0x0f => {
            let length = i32_at(0)?;
            fixed(length)
        }
        0x13 => fixed(16),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip() {
        let doc = document(&[
            ("hello", Value::Int(1)),
            ("$db", Value::Str("admin")),
            ("nameOnly", Value::Bool(true)),
        ]);
        let read = read_top_level(&doc).unwrap();
        assert_eq!(read[0], ("hello".into(), Read::Number(1.0)));
        assert_eq!(read[1], ("$db".into(), Read::Str("admin".into())));
        assert_eq!(read[2], ("nameOnly".into(), Read::Bool(true)));
    }

    #[test]
    fn truncated_and_lying_documents_are_refused() {
        let doc = document(&[("$db", Value::Str("admin"))]);
        assert!(read_top_level(&doc[..doc.len() - 2]).is_none());
        let mut lying = doc.clone();
        lying[9] = 0x7f; // string length far too long
        lying[10] = 0x7f;
        assert!(read_top_level(&lying).is_none());
        assert!(read_top_level(&[0xff, 0xff, 0xff, 0xff]).is_none());
    }
}
