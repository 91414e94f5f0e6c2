//! Text from an imported file, made safe to keep: printable, one per
//! field, bounded.

/// `text` with control characters shown as `\xNN` (line breaks kept as
/// `\n`, so script output stays readable) and cut at `limit` characters.
pub(crate) fn kept(text: &str, limit: usize) -> String {
    if text.len() <= limit && is_plain(text) {
        // Nothing to show or cut (bytes bound characters): one copy
        // instead of one push a character, which a 200 MB import felt.
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len().min(limit));
    for (count, c) in text.chars().enumerate() {
        if count == limit {
            out.push_str(" [cut]");
            break;
        }
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c) & 0xff)),
            c => out.push(c),
        }
    }
    out
}

/// Whether `text` is ASCII without a control character but line breaks
/// and tabs: what [`kept`] leaves as it is.
fn is_plain(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b'\n' | b'\t' | b' '..=b'~'))
}

/// A one-line field (a product, a host name): like [`kept`], with line
/// breaks shown as spaces.
pub(crate) fn one_line(text: &str, limit: usize) -> String {
    kept(&text.replace(['\r', '\n', '\t'], " "), limit)
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_shown_and_long_text_is_cut() {
        assert_eq!(kept("a\u{1b}[31mb\nc", 100), "a\\x1b[31mb\nc");
        assert_eq!(kept("abcdef", 3), "abc [cut]");
        assert_eq!(one_line(" a\nb ", 10), "a b");
        assert_eq!(kept("plain\ttext\n", 12), "plain\ttext\n");
        assert_eq!(kept("caf\u{e9} \u{85}", 100), "caf\u{e9} \\x85");
    }
}
