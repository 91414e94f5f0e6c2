//! What to send to a UDP port so that the service behind it answers.
//!
//! A UDP service ignores a datagram it cannot parse, so an empty probe makes
//! most open ports look like filtered ones. Each payload here is a minimal,
//! valid request written from the protocol's specification (RFC or vendor
//! documentation), never taken from another scanner's probe files.

use crate::identify::protocols::snmp;

/// The datagrams to send to `port`, any answer to any of them proving it
/// open: one protocol request where one is known (an empty datagram
/// otherwise), two where a service may ignore one of them.
pub fn payloads_for(port: u16) -> Vec<Vec<u8>> {
    match port {
        // A well-kept agent drops a community it does not know, silently;
        // every SNMPv3 agent answers engine discovery, with no credentials.
        // v1/v2c-only agents still answer the GetRequest.
        161 => vec![
            snmp::v3_discovery(REQUEST_ID),
            snmp::get_sys_descr(1, REQUEST_ID),
        ],
        port => vec![payload_for(port)],
    }
}

/// Ties an answer to our request, where the protocol carries an id.
const REQUEST_ID: u32 = 0x5043_5043;

/// The one probe for `port`: a protocol request where one is known, else
/// empty.
fn payload_for(port: u16) -> Vec<u8> {
    match port {
        53 => dns_query(b""),
        69 => tftp_read_request(),
        123 => ntp_client_request(),
        137 => netbios_node_status(),
        500 | 4500 => ike_sa_init(),
        1900 => ssdp_search(),
        5060 => sip_options(),
        5353 => dns_query(b"\x09_services\x07_dns-sd\x04_udp\x05local"),
        _ => Vec::new(),
    }
}

/// RFC 1035: a standard query with recursion desired, one question for
/// `name` (wire format, without the final zero label), type NS (or PTR for a
/// non-root name), class IN.
fn dns_query(name: &[u8]) -> Vec<u8> {
    let mut query = vec![
        0x50, 0x43, // ID
        0x01, 0x00, // flags: RD
        0x00, 0x01, // QDCOUNT
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // AN, NS, AR counts
    ];
    query.extend_from_slice(name);
    query.push(0); // root label
    let qtype: u16 = if name.is_empty() { 2 } else { 12 }; // NS or PTR
    query.extend_from_slice(&qtype.to_be_bytes());
    query.extend_from_slice(&1u16.to_be_bytes()); // IN
    query
}

/// RFC 7296 1.2: an IKEv2 IKE_SA_INIT request offering one common suite
/// (AES-128-CBC, HMAC-SHA1, HMAC-SHA1-96, 2048-bit MODP group 14). Any
/// answer, even NO_PROPOSAL_CHOSEN or INVALID_KE_PAYLOAD, proves an IKE
/// daemon; the key exchange value is filler, since nothing goes further.
fn ike_sa_init() -> Vec<u8> {
    const SA: u8 = 33;
    const KE: u8 = 34;
    const NONCE: u8 = 40;
    const GROUP_14: u16 = 14;
    let transforms: [(u8, u16, &[u8]); 4] = [
        // ENCR_AES_CBC with a key length attribute (TV format, 128 bits).
        (1, 12, &[0x80, 0x0e, 0x00, 0x80]),
        (2, 2, &[]),        // PRF_HMAC_SHA1
        (3, 2, &[]),        // AUTH_HMAC_SHA1_96
        (4, GROUP_14, &[]), // DH group 14
    ];
    let mut proposal = vec![0, 0, 0, 0, 1, 1, 0, transforms.len() as u8];
    for (index, (kind, id, attributes)) in transforms.iter().enumerate() {
        let last = index + 1 == transforms.len();
        let length = 8 + attributes.len() as u16;
        proposal.push(if last { 0 } else { 3 });
        proposal.push(0);
        proposal.extend_from_slice(&length.to_be_bytes());
        proposal.extend_from_slice(&[*kind, 0]);
        proposal.extend_from_slice(&id.to_be_bytes());
        proposal.extend_from_slice(attributes);
    }
    let proposal_length = proposal.len() as u16;
    proposal[2..4].copy_from_slice(&proposal_length.to_be_bytes());

    let mut key_exchange = GROUP_14.to_be_bytes().to_vec();
    key_exchange.extend_from_slice(&[0, 0]);
    key_exchange.extend(std::iter::repeat_n(0x5a, 256));
    let nonce = [0xa5u8; 32];

    let payloads: [(u8, &[u8]); 3] = [(KE, &proposal), (NONCE, &key_exchange), (0, &nonce)];
    let mut body = Vec::new();
    for (next, content) in payloads {
        body.push(next);
        body.push(0);
        body.extend_from_slice(&(4 + content.len() as u16).to_be_bytes());
        body.extend_from_slice(content);
    }
    let mut message = b"PCLIKE01".to_vec(); // initiator SPI
    message.extend_from_slice(&[0; 8]); // responder SPI: none yet
    message.extend_from_slice(&[SA, 0x20, 34, 0x08]); // next, v2.0, IKE_SA_INIT, initiator
    message.extend_from_slice(&[0; 4]); // message id
    message.extend_from_slice(&(28 + body.len() as u32).to_be_bytes());
    message.extend_from_slice(&body);
    message
}

/// RFC 1350: a read request (opcode 1) for a file that will not exist, in
/// octet mode. A server answers with an ERROR packet, which proves it.
fn tftp_read_request() -> Vec<u8> {
    let mut request = vec![0x00, 0x01];
    request.extend_from_slice(b"portcullis-probe\0octet\0");
    request
}

/// RFC 5905: a 48-byte client packet, LI 0, version 3, mode 3 (client).
fn ntp_client_request() -> Vec<u8> {
    let mut packet = vec![0u8; 48];
    packet[0] = 0x1b;
    packet
}

/// RFC 1002 4.2.17: a NODE STATUS request for the wildcard name "*".
fn netbios_node_status() -> Vec<u8> {
    let mut request = vec![
        0x50, 0x43, // transaction id
        0x00, 0x00, // flags: query
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // counts
        0x20, // name length: 32 encoded bytes
    ];
    // "*" padded with NULs to 16 bytes, each byte split in two nibbles + 'A'.
    let mut name = [0u8; 16];
    name[0] = b'*';
    for byte in name {
        request.push(b'A' + (byte >> 4));
        request.push(b'A' + (byte & 0x0f));
    }
    request.push(0x00);
    request.extend_from_slice(&[0x00, 0x21, 0x00, 0x01]); // NBSTAT, IN
    request
}

/// UPnP Device Architecture 1.1, 1.3.2: an M-SEARCH for all devices.
fn ssdp_search() -> Vec<u8> {
    b"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n"
        .to_vec()
}

/// RFC 3261 11: an OPTIONS request, which any SIP server must answer.
fn sip_options() -> Vec<u8> {
    b"OPTIONS sip:probe@portcullis.invalid SIP/2.0\r\n\
Via: SIP/2.0/UDP portcullis.invalid;branch=z9hG4bKportcullis\r\n\
Max-Forwards: 70\r\n\
From: <sip:probe@portcullis.invalid>;tag=portcullis\r\n\
To: <sip:probe@portcullis.invalid>\r\n\
Call-ID: portcullis-probe@portcullis.invalid\r\n\
CSeq: 1 OPTIONS\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snmp_requests_are_well_formed_ber() {
        let [v3, v2c] = payloads_for(161).try_into().expect("two SNMP requests");
        for message in [&v3, &v2c] {
            assert_eq!(message[0], 0x30);
            assert_eq!(usize::from(message[1]), message.len() - 2, "outer length");
        }
        assert_eq!(&v3[2..5], &[0x02, 0x01, 0x03], "SNMPv3 discovery");
        assert_eq!(&v2c[2..5], &[0x02, 0x01, 0x01], "version 2c (1)");
        assert_eq!(&v2c[5..13], b"\x04\x06public");
        assert_eq!(v2c[13], 0xa0, "GetRequest PDU");
        assert_eq!(usize::from(v2c[14]), v2c.len() - 15);
    }

    #[test]
    fn dns_queries_have_one_question() {
        let root = dns_query(b"");
        assert_eq!(root.len(), 12 + 1 + 4);
        assert_eq!(&root[4..6], &[0, 1]);
        assert_eq!(&root[13..15], &[0, 2], "NS for the root");
        let services = payload_for(5353);
        assert!(services.windows(6).any(|w| w == b"_dns-s"));
    }

    #[test]
    fn netbios_name_is_the_encoded_wildcard() {
        let request = netbios_node_status();
        assert_eq!(request.len(), 12 + 1 + 32 + 1 + 4);
        assert_eq!(&request[13..15], b"CK", "'*' is 0x2a: C, K");
        assert!(request[15..45].iter().all(|b| *b == b'A'));
    }

    #[test]
    fn ike_request_lengths_add_up() {
        let message = ike_sa_init();
        let total = u32::from_be_bytes(message[24..28].try_into().unwrap()) as usize;
        assert_eq!(total, message.len());
        assert_eq!(message[16], 33, "the first payload is SA");
        assert_eq!(message[18], 34, "exchange type IKE_SA_INIT");
        // Walk the payload chain: SA, KE, Nonce, each length exact.
        let (mut offset, mut next, mut seen) = (28, message[16], Vec::new());
        while next != 0 {
            seen.push(next);
            let length = u16::from_be_bytes([message[offset + 2], message[offset + 3]]) as usize;
            next = message[offset];
            offset += length;
        }
        assert_eq!(seen, [33, 34, 40]);
        assert_eq!(offset, message.len());
    }

    #[test]
    fn fixed_size_requests() {
        assert_eq!(ntp_client_request().len(), 48);
        assert!(tftp_read_request().ends_with(b"octet\0"));
        assert!(payload_for(40000).is_empty());
        assert!(sip_options().starts_with(b"OPTIONS "));
    }
}
