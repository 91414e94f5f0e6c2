//! Making what a server said safe to keep: bounded, printable, inert.
//!
//! Every byte a scanned service sends is hostile until proven otherwise: it
//! may be 10 MB long, carry terminal escape sequences that rewrite the
//! user's screen, or HTML and JavaScript that a careless viewer would run.
//! Everything stored from a service goes through here first: printable
//! ASCII stays as it is, every other byte (control characters, ESC, bytes of
//! UTF-8 sequences) becomes `\xNN`, and a backslash itself becomes `\x5c` so
//! that an escape in the output always means an escape was made. The angle
//! brackets become `\x3c` and `\x3e` too: no tag survives into what is
//! stored, so even a viewer that wrongly renders it as HTML shows text.

/// The most evidence kept for one port, in characters of output.
pub const MAX_EVIDENCE: usize = 2048;

/// The most kept of a short field (product, version, header, title).
pub const MAX_FIELD: usize = 160;

const TRUNCATED: &str = "...[truncated]";

/// `bytes` made printable, at most `max_chars` long (a marker says when
/// something was cut).
pub fn sanitise(bytes: &[u8], max_chars: usize) -> String {
    escape(bytes, max_chars, is_plain)
}

/// `bytes` with every byte `keep` refuses written as `\xNN`, at most
/// `max_chars` long; when it does not all fit, as much as fits before the
/// marker, and the marker.
fn escape(bytes: &[u8], max_chars: usize, keep: fn(u8) -> bool) -> String {
    let escaped_len = |byte: u8| if keep(byte) { 1 } else { 4 };
    let fits = escaped_len_up_to(bytes, max_chars, escaped_len) <= max_chars;
    let budget = if fits {
        max_chars
    } else {
        max_chars.saturating_sub(TRUNCATED.len())
    };
    let mut out = String::with_capacity(budget.min(bytes.len() * 4));
    for &byte in bytes {
        if out.len() + escaped_len(byte) > budget {
            break;
        }
        if keep(byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    if !fits {
        out.push_str(TRUNCATED);
    }
    out
}

/// The escaped length of `bytes`, counted only until it passes `limit`
/// (so a 10 MB answer costs no more than a short one).
fn escaped_len_up_to(bytes: &[u8], limit: usize, escaped_len: impl Fn(u8) -> usize) -> usize {
    let mut total = 0;
    for &byte in bytes {
        total += escaped_len(byte);
        if total > limit {
            break;
        }
    }
    total
}

/// A short field (product, version, title): sanitised, whitespace runs
/// folded, trimmed, bounded to [`MAX_FIELD`].
pub fn field(text: &str) -> String {
    let folded: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    sanitise(folded.as_bytes(), MAX_FIELD)
}

/// Bounds text that is already sanitised, or built from sanitised parts:
/// anything still outside printable ASCII (or an angle bracket) is escaped,
/// but backslashes are left alone, so that a second pass changes nothing
/// (where [`field`] would escape the escapes again).
pub fn bounded(text: &str, max_chars: usize) -> String {
    escape(text.as_bytes(), max_chars, |byte| {
        byte == b'\\' || is_plain(byte)
    })
}

/// Like [`field`], from raw bytes.
pub fn field_bytes(bytes: &[u8]) -> String {
    field(&String::from_utf8_lossy(
        &bytes[..bytes.len().min(4 * MAX_FIELD)],
    ))
}

/// A field, or `None` when nothing printable is left.
pub fn optional_field(text: &str) -> Option<String> {
    let cleaned = field(text);
    (!cleaned.is_empty()).then_some(cleaned)
}

fn is_plain(byte: u8) -> bool {
    (0x20..0x7f).contains(&byte) && byte != b'\\' && !is_markup(byte)
}

/// The bytes that open and close HTML tags.
fn is_markup(byte: u8) -> bool {
    matches!(byte, b'<' | b'>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_kept_and_the_rest_escaped() {
        assert_eq!(
            sanitise(b"SSH-2.0-OpenSSH_9.2p1\r\n", 100),
            "SSH-2.0-OpenSSH_9.2p1\\x0d\\x0a"
        );
        assert_eq!(
            sanitise(b"\x1b[2J\x1b]0;pwned\x07", 100),
            "\\x1b[2J\\x1b]0;pwned\\x07"
        );
        assert_eq!(sanitise(b"a\\b", 100), "a\\x5cb");
        assert_eq!(sanitise("é".as_bytes(), 100), "\\xc3\\xa9");
    }

    #[test]
    fn no_tag_survives() {
        let html = b"<script>alert(1)</script>";
        assert_eq!(
            sanitise(html, 100),
            "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e"
        );
        assert_eq!(bounded("<b>", 100), "\\x3cb\\x3e");
        assert_eq!(bounded(&sanitise(html, 100), 100), sanitise(html, 100));
    }

    #[test]
    fn output_is_bounded_and_says_so() {
        let huge = vec![b'A'; 10 * 1024 * 1024];
        let kept = sanitise(&huge, MAX_EVIDENCE);
        assert!(kept.len() <= MAX_EVIDENCE, "{}", kept.len());
        assert!(kept.ends_with(TRUNCATED));
        let binary = vec![0u8; 5000];
        let kept = sanitise(&binary, MAX_EVIDENCE);
        assert!(kept.len() <= MAX_EVIDENCE);
        assert!(kept.starts_with("\\x00\\x00"));
    }

    #[test]
    fn exactly_fitting_input_has_no_marker() {
        let text = vec![b'x'; 50];
        assert_eq!(sanitise(&text, 50), "x".repeat(50));
        assert_eq!(sanitise(&text, 49).len(), 49);
        assert!(sanitise(&text, 49).ends_with(TRUNCATED));
    }

    #[test]
    fn bounding_sanitised_text_again_changes_nothing() {
        let once = sanitise(b"\x1b[2Jevil\\", 100);
        assert_eq!(once, "\\x1b[2Jevil\\x5c");
        assert_eq!(bounded(&once, 100), once);
        assert_eq!(bounded("a\x07b", 100), "a\\x07b");
        let long = bounded(&"z".repeat(500), 50);
        assert!(long.len() <= 50 && long.ends_with(TRUNCATED), "{long}");
        assert_eq!(bounded("short", 50), "short");
        assert_eq!(bounded(&"z".repeat(50), 50), "z".repeat(50), "fits exactly");
        let cut = bounded(&"\x07".repeat(20), 50);
        assert!(cut.len() <= 50 && cut.ends_with(TRUNCATED), "{cut}");
    }

    #[test]
    fn fields_fold_whitespace_and_are_short() {
        assert_eq!(field("  nginx \r\n  1.22 "), "nginx 1.22");
        assert!(field(&"y".repeat(10_000)).len() <= MAX_FIELD);
        assert_eq!(optional_field(" \t "), None);
    }
}
