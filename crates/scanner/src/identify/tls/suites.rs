//! Cipher suites by their IANA code and name (the TLS Cipher Suites
//! registry; RFC 5246 appendix A.5, RFC 4492, RFC 2246 for the export
//! suites, RFC 8446 for TLS 1.3), and which are weak and why.

use portcullis_model::service::WeakCipherKind;

/// One cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Suite {
    pub code: u16,
    pub name: &'static str,
    /// Why it is weak, or `None` when it is not.
    pub weakness: Option<WeakCipherKind>,
}

const fn ok(code: u16, name: &'static str) -> Suite {
    Suite {
        code,
        name,
        weakness: None,
    }
}

const fn weak(code: u16, name: &'static str, kind: WeakCipherKind) -> Suite {
    Suite {
        code,
        name,
        weakness: Some(kind),
    }
}

use WeakCipherKind::{Anonymous, Export, Null, Rc4, TripleDes};

/// The TLS 1.0–1.2 suites offered when probing versions, strongest first;
/// weak ones included so that any server finds one it accepts.
pub(crate) const SUITES: &[Suite] = &[
    ok(0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
    ok(0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"),
    ok(0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
    ok(0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
    ok(0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
    ok(0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    ok(0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"),
    ok(0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"),
    ok(0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"),
    ok(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
    ok(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
    ok(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
    ok(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"),
    ok(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"),
    ok(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"),
    ok(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"),
    ok(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"),
    ok(0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"),
    ok(0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"),
    ok(0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"),
    ok(0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"),
    ok(0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"),
    ok(0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"),
    ok(0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256"),
    ok(0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384"),
    ok(0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256"),
    ok(0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256"),
    ok(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"),
    ok(0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"),
    ok(0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    ok(0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    ok(0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"),
    ok(0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"),
    ok(0x0096, "TLS_RSA_WITH_SEED_CBC_SHA"),
    // 64-bit block ciphers (SWEET32).
    weak(0xc012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0xc008, "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x0013, "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x000d, "TLS_DH_DSS_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x0010, "TLS_DH_RSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0xc003, "TLS_ECDH_ECDSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0xc00d, "TLS_ECDH_RSA_WITH_3DES_EDE_CBC_SHA", TripleDes),
    weak(0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", TripleDes),
    // RC4.
    weak(0xc011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA", Rc4),
    weak(0xc007, "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", Rc4),
    weak(0xc00c, "TLS_ECDH_RSA_WITH_RC4_128_SHA", Rc4),
    weak(0xc002, "TLS_ECDH_ECDSA_WITH_RC4_128_SHA", Rc4),
    weak(0x0005, "TLS_RSA_WITH_RC4_128_SHA", Rc4),
    weak(0x0004, "TLS_RSA_WITH_RC4_128_MD5", Rc4),
    // Export grade and single DES (40- and 56-bit keys).
    weak(0x0015, "TLS_DHE_RSA_WITH_DES_CBC_SHA", Export),
    weak(0x0012, "TLS_DHE_DSS_WITH_DES_CBC_SHA", Export),
    weak(0x0009, "TLS_RSA_WITH_DES_CBC_SHA", Export),
    weak(0x000c, "TLS_DH_DSS_WITH_DES_CBC_SHA", Export),
    weak(0x000f, "TLS_DH_RSA_WITH_DES_CBC_SHA", Export),
    weak(0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", Export),
    weak(0x0011, "TLS_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA", Export),
    weak(0x000e, "TLS_DH_RSA_EXPORT_WITH_DES40_CBC_SHA", Export),
    weak(0x000b, "TLS_DH_DSS_EXPORT_WITH_DES40_CBC_SHA", Export),
    weak(0x0008, "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA", Export),
    weak(0x0006, "TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5", Export),
    weak(0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", Export),
    // No authentication of the server.
    weak(0xc018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA", Anonymous),
    weak(0xc019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA", Anonymous),
    weak(0xc017, "TLS_ECDH_anon_WITH_3DES_EDE_CBC_SHA", Anonymous),
    weak(0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", Anonymous),
    weak(0x00a6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256", Anonymous),
    weak(0x00a7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384", Anonymous),
    weak(0x006c, "TLS_DH_anon_WITH_AES_128_CBC_SHA256", Anonymous),
    weak(0x006d, "TLS_DH_anon_WITH_AES_256_CBC_SHA256", Anonymous),
    weak(0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", Anonymous),
    weak(0x003a, "TLS_DH_anon_WITH_AES_256_CBC_SHA", Anonymous),
    weak(0x0046, "TLS_DH_anon_WITH_CAMELLIA_128_CBC_SHA", Anonymous),
    weak(0x0089, "TLS_DH_anon_WITH_CAMELLIA_256_CBC_SHA", Anonymous),
    weak(0x001b, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA", Anonymous),
    weak(0x001a, "TLS_DH_anon_WITH_DES_CBC_SHA", Anonymous),
    weak(0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", Anonymous),
    weak(0x0019, "TLS_DH_anon_EXPORT_WITH_DES40_CBC_SHA", Anonymous),
    weak(0x0017, "TLS_DH_anon_EXPORT_WITH_RC4_40_MD5", Anonymous),
    // No encryption.
    weak(0xc010, "TLS_ECDHE_RSA_WITH_NULL_SHA", Null),
    weak(0xc006, "TLS_ECDHE_ECDSA_WITH_NULL_SHA", Null),
    weak(0xc00b, "TLS_ECDH_RSA_WITH_NULL_SHA", Null),
    weak(0xc001, "TLS_ECDH_ECDSA_WITH_NULL_SHA", Null),
    weak(0xc015, "TLS_ECDH_anon_WITH_NULL_SHA", Null),
    weak(0x003b, "TLS_RSA_WITH_NULL_SHA256", Null),
    weak(0x0002, "TLS_RSA_WITH_NULL_SHA", Null),
    weak(0x0001, "TLS_RSA_WITH_NULL_MD5", Null),
];

/// TLS 1.3's suites (RFC 8446 B.4).
pub(crate) const TLS13_SUITES: &[Suite] = &[
    ok(0x1301, "TLS_AES_128_GCM_SHA256"),
    ok(0x1302, "TLS_AES_256_GCM_SHA384"),
    ok(0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
];

/// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): stands in for the
/// renegotiation_info extension where extensions cannot be sent (SSLv3).
pub(crate) const RENEGOTIATION_SCSV: u16 = 0x00ff;

/// Every code of [`SUITES`].
pub(crate) fn all_codes() -> Vec<u16> {
    SUITES.iter().map(|s| s.code).collect()
}

/// The codes of the finite-field Diffie-Hellman suites (DHE, not ECDHE):
/// offered alone, they make the server show its DH group.
pub(crate) fn dhe_codes() -> Vec<u16> {
    SUITES
        .iter()
        .filter(|s| s.name.contains("_DHE_"))
        .map(|s| s.code)
        .collect()
}

/// The codes of the suites weak for `kind`.
pub(crate) fn codes_of(kind: WeakCipherKind) -> Vec<u16> {
    SUITES
        .iter()
        .filter(|s| s.weakness == Some(kind))
        .map(|s| s.code)
        .collect()
}

/// The suite with `code`, if known.
pub(crate) fn by_code(code: u16) -> Option<&'static Suite> {
    SUITES
        .iter()
        .chain(TLS13_SUITES)
        .find(|suite| suite.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_names_say_their_weakness() {
        let mut codes = all_codes();
        codes.sort_unstable();
        let count = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), count, "duplicate code");
        for suite in SUITES {
            let name = suite.name;
            match suite.weakness {
                Some(Null) => assert!(name.contains("NULL"), "{name}"),
                Some(Anonymous) => assert!(name.contains("anon"), "{name}"),
                Some(Rc4) => assert!(name.contains("RC4"), "{name}"),
                Some(TripleDes) => {
                    assert!(name.contains("3DES") || name.contains("IDEA"), "{name}")
                }
                Some(Export) => assert!(
                    name.contains("EXPORT") || name.contains("DES_CBC"),
                    "{name}"
                ),
                None => assert!(
                    !name.contains("NULL") && !name.contains("RC4") && !name.contains("anon")
                ),
            }
        }
        assert_eq!(by_code(0x1301).unwrap().name, "TLS_AES_128_GCM_SHA256");
        assert!(codes_of(Rc4).contains(&0x0005));
    }
}
