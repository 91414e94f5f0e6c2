//! SMB2/3 NEGOTIATE (MS-SMB2 2.2.3 and 2.2.4) over the direct TCP
//! transport (a 4-byte length header, MS-SMB2 2.1): the server picks a
//! dialect and says whether it requires signing.

use super::{Identified, Proto, be32, le16};

const DIALECTS: [u16; 5] = [0x0202, 0x0210, 0x0300, 0x0302, 0x0311];

/// A NEGOTIATE request offering SMB 2.0.2 to 3.1.1, with the pre-auth
/// integrity context SMB 3.1.1 requires.
pub(crate) fn negotiate_request() -> Vec<u8> {
    let mut smb = Vec::with_capacity(160);
    // SMB2 header, 64 bytes.
    smb.extend_from_slice(b"\xfeSMB");
    smb.extend_from_slice(&64u16.to_le_bytes()); // StructureSize
    smb.extend_from_slice(&0u16.to_le_bytes()); // CreditCharge
    smb.extend_from_slice(&0u32.to_le_bytes()); // Status
    smb.extend_from_slice(&0u16.to_le_bytes()); // Command: NEGOTIATE
    smb.extend_from_slice(&1u16.to_le_bytes()); // CreditRequest
    smb.extend_from_slice(&0u32.to_le_bytes()); // Flags
    smb.extend_from_slice(&0u32.to_le_bytes()); // NextCommand
    smb.extend_from_slice(&0u64.to_le_bytes()); // MessageId
    smb.extend_from_slice(&0u32.to_le_bytes()); // Reserved
    smb.extend_from_slice(&0u32.to_le_bytes()); // TreeId
    smb.extend_from_slice(&0u64.to_le_bytes()); // SessionId
    smb.extend_from_slice(&[0u8; 16]); // Signature
    // NEGOTIATE request, 36 bytes + dialects.
    let context_offset: u32 = 64 + 36 + 10 + 2; // padded to 8
    smb.extend_from_slice(&36u16.to_le_bytes());
    smb.extend_from_slice(&(DIALECTS.len() as u16).to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes()); // signing enabled
    smb.extend_from_slice(&0u16.to_le_bytes());
    smb.extend_from_slice(&0u32.to_le_bytes()); // Capabilities
    smb.extend_from_slice(b"PortcullisProbe!"); // ClientGuid
    smb.extend_from_slice(&context_offset.to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes()); // NegotiateContextCount
    smb.extend_from_slice(&0u16.to_le_bytes());
    for dialect in DIALECTS {
        smb.extend_from_slice(&dialect.to_le_bytes());
    }
    smb.extend_from_slice(&[0, 0]); // padding to 8
    // SMB2_PREAUTH_INTEGRITY_CAPABILITIES: SHA-512, 32-byte salt.
    smb.extend_from_slice(&1u16.to_le_bytes());
    smb.extend_from_slice(&38u16.to_le_bytes());
    smb.extend_from_slice(&0u32.to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes());
    smb.extend_from_slice(&32u16.to_le_bytes());
    smb.extend_from_slice(&1u16.to_le_bytes());
    smb.extend_from_slice(&[0x5a; 32]);
    let mut framed = (smb.len() as u32).to_be_bytes().to_vec();
    framed[0] = 0;
    framed.extend_from_slice(&smb);
    framed
}

/// Whether the framed message has fully arrived.
pub(crate) fn complete(bytes: &[u8]) -> bool {
    be32(bytes, 0).is_some_and(|header| bytes.len() >= 4 + (header & 0x00ff_ffff) as usize)
}

/// SMB from a NEGOTIATE response (or an SMB1 answer).
pub(crate) fn identify(bytes: &[u8]) -> Option<Identified> {
    let header = be32(bytes, 0)?;
    if header >> 24 != 0 {
        // NetBIOS negative session response on 139: still SMB's transport.
        return (header >> 24 == 0x83).then(|| {
            let mut found = Identified::protocol(Proto::Smb);
            found.add_extra("NetBIOS session refused");
            found
        });
    }
    let smb = bytes.get(4..)?;
    if smb.starts_with(b"\xffSMB") {
        let mut found = Identified::protocol(Proto::Smb);
        found.add_extra("answered in SMB1");
        return Some(found);
    }
    if !smb.starts_with(b"\xfeSMB") || le16(smb, 12)? != 0 {
        return None;
    }
    let mut found = Identified::protocol(Proto::Smb);
    let status = super::le32(smb, 8)?;
    if status != 0 {
        found.add_extra(format!("negotiate refused (status 0x{status:08x})"));
        return Some(found);
    }
    let body = smb.get(64..)?;
    let security_mode = le16(body, 2)?;
    let dialect = le16(body, 4)?;
    let name = match dialect {
        0x0202 => "2.0.2",
        0x0210 => "2.1",
        0x0300 => "3.0",
        0x0302 => "3.0.2",
        0x0311 => "3.1.1",
        0x02ff => "2.x (wildcard)",
        _ => "unknown",
    };
    found.add_extra(format!("SMB {name}"));
    found.add_extra(if security_mode & 0x02 != 0 {
        "signing required"
    } else {
        "signing not required"
    });
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_layout() {
        let request = negotiate_request();
        assert!(complete(&request));
        assert_eq!(&request[4..8], b"\xfeSMB");
        // Dialects start after the 64-byte header and 36-byte body.
        assert_eq!(le16(&request, 4 + 100), Some(0x0202));
        assert_eq!(le16(&request, 4 + 112), Some(1), "context at its offset");
    }

    #[test]
    fn response_dialect_and_signing() {
        let mut smb = b"\xfeSMB".to_vec();
        smb.extend_from_slice(&[64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        smb.resize(64, 0);
        smb.extend_from_slice(&[65, 0, 0x03, 0, 0x11, 0x03, 0, 0]);
        smb.resize(64 + 65, 0);
        let mut framed = (smb.len() as u32).to_be_bytes().to_vec();
        framed.extend_from_slice(&smb);
        let found = identify(&framed).unwrap();
        assert_eq!(found.extra.as_deref(), Some("SMB 3.1.1; signing required"));
        assert!(identify(b"\x00\x00\x00\x04\xffSMB").is_some());
        assert!(identify(b"HTTP/1.1 400").is_none());
    }
}
