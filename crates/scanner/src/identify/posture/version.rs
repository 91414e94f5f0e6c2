//! Comparing product versions the way their vendors number them:
//! "9.2p1" < "9.3" < "9.3p2" (OpenSSH portable releases), "1.0.1f" <
//! "1.0.1g" (OpenSSL letter releases), "1.3.3rc1" < "1.3.3" (release
//! candidates), "2.4.6" < "2.4.57" (numbers, not text).
//!
//! A version is split into runs of digits and runs of letters; separators
//! (". - _ + ~") only split. Runs compare as numbers or text, and a version
//! that ends is older than one that goes on with a letter or number
//! ("1.3.5" < "1.3.5a"), but newer than one that goes on with a
//! pre-release word ("1.3.5rc1" < "1.3.5").

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    /// alpha, beta, rc, pre, dev: before the release itself.
    PreRelease(String),
    /// The version ended here.
    End,
    /// p1, a, k, fips...: after the release.
    Letters(String),
    Number(u64),
}

const PRE_RELEASE: [&str; 6] = ["alpha", "beta", "rc", "pre", "dev", "snapshot"];

fn parts(version: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut chars = version.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(d) = chars.next_if(char::is_ascii_digit) {
                digits.push(d);
            }
            parts.push(Part::Number(digits.parse().unwrap_or(u64::MAX)));
        } else if c.is_ascii_alphabetic() {
            let mut letters = String::new();
            while let Some(l) = chars.next_if(char::is_ascii_alphabetic) {
                letters.push(l.to_ascii_lowercase());
            }
            parts.push(if PRE_RELEASE.contains(&letters.as_str()) {
                Part::PreRelease(letters)
            } else {
                Part::Letters(letters)
            });
        } else {
            chars.next();
        }
    }
    parts
}

/// Orders two version strings.
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    let (a, b) = (parts(a), parts(b));
    let length = a.len().max(b.len());
    for index in 0..length {
        let left = a.get(index).unwrap_or(&Part::End);
        let right = b.get(index).unwrap_or(&Part::End);
        match left.cmp(right) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    Ordering::Equal
}

/// One bound of a range: "< 9.8p1", ">= 8.5p1", "= 2.4.49".
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bound {
    op: &'static str,
    version: String,
}

/// A version range as the advisories file writes it: bounds joined by
/// commas, all of which must hold (">= 8.5p1, < 9.8p1").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Range {
    bounds: Vec<Bound>,
}

impl Range {
    /// Parses a range; the error says which bound is wrong.
    pub(crate) fn parse(text: &str) -> Result<Range, String> {
        let mut bounds = Vec::new();
        for piece in text.split(',') {
            let piece = piece.trim();
            let op = ["<=", ">=", "<", ">", "="]
                .into_iter()
                .find(|op| piece.starts_with(op))
                .ok_or_else(|| format!("bound {piece:?} does not start with <, <=, >, >= or ="))?;
            let version = piece[op.len()..].trim();
            if !version.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(format!("bound {piece:?} has no version after {op}"));
            }
            bounds.push(Bound {
                op,
                version: version.to_owned(),
            });
        }
        Ok(Range { bounds })
    }

    /// Whether `version` is inside the range.
    pub(crate) fn contains(&self, version: &str) -> bool {
        self.bounds.iter().all(|bound| {
            let order = compare(version, &bound.version);
            match bound.op {
                "<" => order == Ordering::Less,
                "<=" => order != Ordering::Greater,
                ">" => order == Ordering::Greater,
                ">=" => order != Ordering::Less,
                _ => order == Ordering::Equal,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_numbering_orders_as_vendors_mean_it() {
        let ascending = [
            "1.0.1",
            "1.0.1f",
            "1.0.1g",
            "1.0.2",
            "1.0.2k-fips",
            "1.1.0",
            "3.0.7",
        ];
        for pair in ascending.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        let openssh = ["8.4p1", "8.5p1", "9.2p1", "9.3", "9.3p1", "9.3p2", "9.8p1"];
        for pair in openssh.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Ordering::Less, "{pair:?}");
        }
        assert_eq!(compare("1.3.3rc1", "1.3.3"), Ordering::Less);
        assert_eq!(compare("1.3.5", "1.3.5a"), Ordering::Less);
        assert_eq!(compare("2.4.6", "2.4.57"), Ordering::Less);
        assert_eq!(compare("0.9.8y", "0.9.8za"), Ordering::Less);
        assert_eq!(compare("10.11.6", "10.11.6"), Ordering::Equal);
        assert_eq!(compare("1.22.1", "1.22.01"), Ordering::Equal);
        assert_eq!(compare("4.2.8p9", "4.2.8p15"), Ordering::Less);
    }

    #[test]
    fn ranges() {
        let regresshion = Range::parse(">= 8.5p1, < 9.8p1").unwrap();
        assert!(regresshion.contains("9.2p1"));
        assert!(regresshion.contains("8.5p1"));
        assert!(!regresshion.contains("8.4p1"));
        assert!(!regresshion.contains("9.8p1"));
        assert!(!regresshion.contains("9.9"));
        assert!(Range::parse("= 2.4.49").unwrap().contains("2.4.49"));
        assert!(!Range::parse("= 2.4.49").unwrap().contains("2.4.50"));
        assert!(Range::parse("<= 4.91, >= 4.87").unwrap().contains("4.89"));
        assert!(Range::parse("~ 1.0").is_err());
        assert!(Range::parse("< ").is_err());
    }
}
