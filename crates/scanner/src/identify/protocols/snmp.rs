//! SNMP v1 (RFC 1157) and v2c (RFC 1901/3416): a GetRequest for sysDescr.0
//! with the community "public". An answer proves both the service and that
//! the default community is readable.

use super::ber::{self, tlv};
use super::{Identified, Proto};
use crate::identify::evidence::field_bytes;

/// sysDescr.0: 1.3.6.1.2.1.1.1.0.
const SYS_DESCR: [u8; 8] = [0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00];

/// GetRequest for sysDescr.0 with community "public": `version` 0 is v1,
/// 1 is v2c. `request_id` tells the answers apart.
pub(crate) fn get_sys_descr(version: u32, request_id: u32) -> Vec<u8> {
    let varbind = tlv(0x30, &[tlv(0x06, &SYS_DESCR), vec![0x05, 0x00]].concat());
    let pdu = tlv(
        0xa0,
        &[
            ber::integer(request_id),
            ber::integer(0),
            ber::integer(0),
            tlv(0x30, &varbind),
        ]
        .concat(),
    );
    tlv(
        0x30,
        &[ber::integer(version), tlv(0x04, b"public"), pdu].concat(),
    )
}

/// An SNMPv3 discovery request (RFC 3414 4): no user, no engine id,
/// reportable. Agents answer with a Report carrying their engine id, whose
/// first four bytes name the vendor's IANA enterprise number (RFC 3411
/// SnmpEngineID), with no community and no credentials involved.
pub(crate) fn v3_discovery(message_id: u32) -> Vec<u8> {
    let header = tlv(
        0x30,
        &[
            ber::integer(message_id),
            ber::integer(65_507), // msgMaxSize
            tlv(0x04, &[0x04]),   // msgFlags: reportable, no auth, no priv
            ber::integer(3),      // msgSecurityModel: USM
        ]
        .concat(),
    );
    let usm = tlv(
        0x30,
        &[
            tlv(0x04, b""), // authoritative engine id
            ber::integer(0),
            ber::integer(0),
            tlv(0x04, b""), // user name
            tlv(0x04, b""),
            tlv(0x04, b""),
        ]
        .concat(),
    );
    let pdu = tlv(
        0xa0,
        &[
            ber::integer(message_id),
            ber::integer(0),
            ber::integer(0),
            tlv(0x30, b""),
        ]
        .concat(),
    );
    let scoped = tlv(0x30, &[tlv(0x04, b""), tlv(0x04, b""), pdu].concat());
    tlv(
        0x30,
        &[ber::integer(3), header, tlv(0x04, &usm), scoped].concat(),
    )
}

/// The vendor an SNMPv3 Report's engine id names (its IANA enterprise
/// number, and the product for the common ones).
pub(crate) fn parse_v3_engine(bytes: &[u8]) -> Option<(u32, Option<&'static str>)> {
    let (message, _) = ber::read(bytes)?;
    if message.tag != 0x30 {
        return None;
    }
    let parts = ber::children(message.value);
    if ber::as_integer(parts.first().filter(|e| e.tag == 0x02)?.value)? != 3 {
        return None;
    }
    let security = parts.get(2).filter(|e| e.tag == 0x04)?;
    let (usm, _) = ber::read(security.value)?;
    let engine = ber::children(usm.value);
    let engine_id = engine.first().filter(|e| e.tag == 0x04)?.value;
    let first = engine_id.get(..4)?;
    if first[0] & 0x80 == 0 {
        return None;
    }
    let enterprise = u32::from_be_bytes(first.try_into().ok()?) & 0x7fff_ffff;
    let product = match enterprise {
        8072 | 2021 => Some("net-snmp"),
        9 => Some("Cisco SNMP"),
        311 => Some("Microsoft SNMP"),
        2636 => Some("Juniper SNMP"),
        _ => None,
    };
    Some((enterprise, product))
}

/// What an answer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SnmpAnswer {
    /// "v1" or "v2c".
    pub version: &'static str,
    pub community: String,
    /// sysDescr, sanitised; `None` when the agent returned an error.
    pub sys_descr: Option<String>,
}

/// Parses a GetResponse.
pub(crate) fn parse_response(bytes: &[u8]) -> Option<SnmpAnswer> {
    let (message, _) = ber::read(bytes)?;
    if message.tag != 0x30 {
        return None;
    }
    let parts = ber::children(message.value);
    let version = match ber::as_integer(parts.first().filter(|e| e.tag == 0x02)?.value)? {
        0 => "v1",
        1 => "v2c",
        _ => return None,
    };
    let community = parts.get(1).filter(|e| e.tag == 0x04)?;
    let pdu = parts.get(2).filter(|e| e.tag == 0xa2)?; // GetResponse
    let fields = ber::children(pdu.value);
    let error_status = ber::as_integer(fields.get(1)?.value)?;
    let sys_descr = (error_status == 0)
        .then(|| {
            let varbinds = ber::children(fields.get(3)?.value);
            let varbind = ber::children(varbinds.first()?.value);
            let value = varbind.get(1).filter(|e| e.tag == 0x04)?;
            Some(field_bytes(value.value))
        })
        .flatten();
    Some(SnmpAnswer {
        version,
        community: field_bytes(community.value),
        sys_descr,
    })
}

/// The identification an answer gives.
pub(crate) fn identify(answer: &SnmpAnswer) -> Identified {
    let mut found = Identified::protocol(Proto::Snmp);
    add_answer(&mut found, answer);
    found
}

/// Adds what a v1/v2c answer said to an identification.
pub(crate) fn add_answer(found: &mut Identified, answer: &SnmpAnswer) {
    found.add_extra(format!(
        "SNMP{} community {}",
        answer.version, answer.community
    ));
    if let Some(descr) = &answer.sys_descr {
        found.add_extra(format!("sysDescr: {descr}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GetResponse the way net-snmp sends it.
    fn response(version: u32, descr: &[u8]) -> Vec<u8> {
        let varbind = tlv(0x30, &[tlv(0x06, &SYS_DESCR), tlv(0x04, descr)].concat());
        let pdu = tlv(
            0xa2,
            &[
                ber::integer(7),
                ber::integer(0),
                ber::integer(0),
                tlv(0x30, &varbind),
            ]
            .concat(),
        );
        tlv(
            0x30,
            &[ber::integer(version), tlv(0x04, b"public"), pdu].concat(),
        )
    }

    #[test]
    fn request_matches_the_rfc_layout() {
        let request = get_sys_descr(1, 0x5043);
        assert_eq!(&request[..2], &[0x30, (request.len() - 2) as u8]);
        assert_eq!(&request[2..13], b"\x02\x01\x01\x04\x06public");
        assert_eq!(request[13], 0xa0);
    }

    #[test]
    fn sys_descr_is_read() {
        let answer =
            parse_response(&response(1, b"Linux lab 6.1.0-18-amd64 #1 SMP x86_64")).unwrap();
        assert_eq!(answer.version, "v2c");
        assert_eq!(answer.community, "public");
        assert_eq!(
            answer.sys_descr.as_deref(),
            Some("Linux lab 6.1.0-18-amd64 #1 SMP x86_64")
        );
        let found = identify(&answer);
        assert!(found.extra.unwrap().starts_with("SNMPv2c community public"));
    }

    #[test]
    fn v3_reports_name_the_vendor() {
        let request = v3_discovery(9);
        assert!(
            parse_v3_engine(&request).is_none(),
            "no engine id in a request"
        );
        // A Report as net-snmp sends it: engine id 80 00 1f 88 80 ...
        let usm = tlv(
            0x30,
            &[
                tlv(
                    0x04,
                    &[0x80, 0x00, 0x1f, 0x88, 0x80, 0x12, 0x34, 0x56, 0x78],
                ),
                ber::integer(3),
                ber::integer(120),
                tlv(0x04, b""),
                tlv(0x04, b""),
                tlv(0x04, b""),
            ]
            .concat(),
        );
        let header = tlv(
            0x30,
            &[
                ber::integer(9),
                ber::integer(65_507),
                tlv(0x04, &[0]),
                ber::integer(3),
            ]
            .concat(),
        );
        let report = tlv(
            0x30,
            &[ber::integer(3), header, tlv(0x04, &usm), tlv(0x30, b"")].concat(),
        );
        assert_eq!(parse_v3_engine(&report), Some((8072, Some("net-snmp"))));
    }

    #[test]
    fn requests_and_junk_are_not_answers() {
        assert!(
            parse_response(&get_sys_descr(0, 1)).is_none(),
            "a GetRequest"
        );
        assert!(parse_response(b"\x30\x03\x02\x01\x05").is_none());
        assert!(parse_response(b"").is_none());
    }
}
