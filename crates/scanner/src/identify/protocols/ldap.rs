//! LDAP (RFC 4511): a search of the root DSE (RFC 4512 5.1), base "",
//! scope base, filter (objectClass=*), which servers answer before any
//! bind with what they are.

use super::ber::{self, tlv};
use super::{Identified, Proto};
use crate::identify::evidence::field_bytes;

/// The attributes asked for: vendor and the marks of OpenLDAP and Active
/// Directory.
const ATTRIBUTES: [&str; 6] = [
    "objectClass",
    "vendorName",
    "vendorVersion",
    "supportedLDAPVersion",
    "namingContexts",
    "forestFunctionality",
];

/// SearchRequest for the root DSE, message id 1.
pub(crate) fn root_dse_search() -> Vec<u8> {
    let attributes: Vec<u8> = ATTRIBUTES
        .iter()
        .flat_map(|a| tlv(0x04, a.as_bytes()))
        .collect();
    let request = tlv(
        0x63, // [APPLICATION 3] SearchRequest
        &[
            tlv(0x04, b""),            // baseObject
            tlv(0x0a, &[0]),           // scope: baseObject
            tlv(0x0a, &[0]),           // derefAliases: never
            ber::integer(0),           // sizeLimit
            ber::integer(0),           // timeLimit
            tlv(0x01, &[0]),           // typesOnly: FALSE
            tlv(0x87, b"objectClass"), // filter: present
            tlv(0x30, &attributes),
        ]
        .concat(),
    );
    tlv(0x30, &[ber::integer(1), request].concat())
}

/// The root DSE's attributes, from the messages read.
pub(crate) fn parse_root_dse(bytes: &[u8]) -> Option<Vec<(String, Vec<String>)>> {
    let (message, _) = ber::read(bytes)?;
    if message.tag != 0x30 {
        return None;
    }
    let parts = ber::children(message.value);
    let op = parts.get(1)?;
    match op.tag {
        0x64 => {
            // SearchResultEntry: objectName, attributes.
            let entry = ber::children(op.value);
            let attributes = ber::children(entry.get(1)?.value);
            Some(
                attributes
                    .iter()
                    .take(64)
                    .filter_map(|attribute| {
                        let pair = ber::children(attribute.value);
                        let name = field_bytes(pair.first()?.value);
                        let values = ber::children(pair.get(1)?.value)
                            .iter()
                            .take(16)
                            .map(|v| field_bytes(v.value))
                            .collect();
                        Some((name, values))
                    })
                    .collect(),
            )
        }
        // SearchResultDone first (an error) or another LDAP answer: LDAP,
        // nothing disclosed.
        0x65 | 0x61 | 0x78 => Some(Vec::new()),
        _ => None,
    }
}

/// Product from the root DSE.
pub(crate) fn identify(attributes: &[(String, Vec<String>)]) -> Identified {
    let get = |name: &str| {
        attributes
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    };
    let mut found = if get("objectClass").iter().any(|c| c == "OpenLDAProotDSE") {
        Identified::product(Proto::Ldap, "OpenLDAP", None)
    } else if !get("forestFunctionality").is_empty() {
        Identified::product(Proto::Ldap, "Microsoft Active Directory", None)
    } else if let Some(vendor) = get("vendorName").first() {
        let version = get("vendorVersion").first().and_then(|v| {
            let after_name = v.split_once('/').map_or(v.as_str(), |(_, after)| after);
            after_name
                .split_whitespace()
                .find_map(super::version_prefix)
        });
        Identified::product(Proto::Ldap, vendor, version)
    } else {
        Identified::protocol(Proto::Ldap)
    };
    let contexts = get("namingContexts");
    if !contexts.is_empty() {
        found.add_extra(format!("naming contexts: {}", contexts.join(", ")));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attribute(name: &str, values: &[&str]) -> Vec<u8> {
        let values: Vec<u8> = values
            .iter()
            .flat_map(|v| tlv(0x04, v.as_bytes()))
            .collect();
        tlv(
            0x30,
            &[tlv(0x04, name.as_bytes()), tlv(0x31, &values)].concat(),
        )
    }

    fn entry(attributes: &[Vec<u8>]) -> Vec<u8> {
        let entry = tlv(
            0x64,
            &[tlv(0x04, b""), tlv(0x30, &attributes.concat())].concat(),
        );
        tlv(0x30, &[ber::integer(1), entry].concat())
    }

    #[test]
    fn request_shape() {
        let request = root_dse_search();
        let (message, rest) = ber::read(&request).unwrap();
        assert!(rest.is_empty());
        let parts = ber::children(message.value);
        assert_eq!(parts[1].tag, 0x63);
    }

    #[test]
    fn openldap_root_dse() {
        let bytes = entry(&[
            attribute("objectClass", &["top", "OpenLDAProotDSE"]),
            attribute("namingContexts", &["dc=example,dc=com"]),
        ]);
        let attributes = parse_root_dse(&bytes).unwrap();
        let found = identify(&attributes);
        assert_eq!(found.product.as_deref(), Some("OpenLDAP"));
        assert_eq!(
            found.extra.as_deref(),
            Some("naming contexts: dc=example,dc=com")
        );
    }

    #[test]
    fn vendor_attributes() {
        let bytes = entry(&[
            attribute("vendorName", &["389 Project"]),
            attribute("vendorVersion", &["389-Directory/2.3.4 B2023.123.0000"]),
        ]);
        let found = identify(&parse_root_dse(&bytes).unwrap());
        assert_eq!(found.product.as_deref(), Some("389 Project"));
        assert_eq!(found.version.as_deref(), Some("2.3.4"));
        assert!(parse_root_dse(b"\x30\x03\x02\x01\x01").is_none());
    }
}
