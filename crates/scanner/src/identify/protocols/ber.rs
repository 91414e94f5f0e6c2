//! The part of ASN.1 BER (X.690) that SNMP and LDAP messages need:
//! type-length-value encoding of the requests, and a bounded reader for the
//! answers (definite lengths only, as both protocols require).

/// Encodes one TLV, with a long-form length when needed.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut encoded = vec![tag];
    let length = value.len();
    if length < 0x80 {
        encoded.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        encoded.push(0x80 | (bytes.len() - skip) as u8);
        encoded.extend_from_slice(&bytes[skip..]);
    }
    encoded.extend_from_slice(value);
    encoded
}

/// A small non-negative INTEGER.
pub(crate) fn integer(value: u32) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count().min(3);
    let mut content = bytes[skip..].to_vec();
    if content[0] & 0x80 != 0 {
        content.insert(0, 0);
    }
    tlv(0x02, &content)
}

/// One element read from a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    pub tag: u8,
    pub value: &'a [u8],
}

/// Reads the element at the start of `bytes`; returns it and the rest.
pub(crate) fn read(bytes: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *bytes.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tags: not used by SNMP or LDAP
    }
    let first = *bytes.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None; // indefinite or absurd
        }
        let mut length = 0usize;
        for byte in bytes.get(2..2 + count)? {
            length = (length << 8) | usize::from(*byte);
        }
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    let value = bytes.get(header..end)?;
    Some((Element { tag, value }, &bytes[end..]))
}

/// Reads every element of a constructed value, in order (at most 256).
pub(crate) fn children(mut bytes: &[u8]) -> Vec<Element<'_>> {
    let mut found = Vec::new();
    while !bytes.is_empty() && found.len() < 256 {
        match read(bytes) {
            Some((element, rest)) => {
                found.push(element);
                bytes = rest;
            }
            None => break,
        }
    }
    found
}

/// An INTEGER's value, when it fits.
pub(crate) fn as_integer(value: &[u8]) -> Option<i64> {
    if value.is_empty() || value.len() > 8 {
        return None;
    }
    let mut number = if value[0] & 0x80 != 0 { -1i64 } else { 0 };
    for byte in value {
        number = (number << 8) | i64::from(*byte);
    }
    Some(number)
}

/// Whether `bytes` hold one whole element (to know when to stop reading).
pub(crate) fn complete(bytes: &[u8]) -> bool {
    read(bytes).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_short_and_long_lengths() {
        let short = tlv(0x04, b"public");
        assert_eq!(short, b"\x04\x06public");
        let long = tlv(0x04, &[7u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        let (element, rest) = read(&long).unwrap();
        assert_eq!(element.value.len(), 300);
        assert!(rest.is_empty());
        assert!(read(&long[..200]).is_none());
        assert!(!complete(&long[..3]));
    }

    #[test]
    fn integers() {
        assert_eq!(integer(0), b"\x02\x01\x00");
        assert_eq!(integer(200), b"\x02\x02\x00\xc8");
        assert_eq!(as_integer(&[0x00, 0xc8]), Some(200));
        assert_eq!(as_integer(&[0xff]), Some(-1));
        assert_eq!(as_integer(&[]), None);
    }

    #[test]
    fn hostile_lengths_are_refused() {
        assert!(read(&[0x30, 0x80, 0x00]).is_none(), "indefinite");
        assert!(read(&[0x30, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).is_none());
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(read(&[0x1f, 0x01, 0x00]).is_none());
    }
}
