//! Comparing distribution package versions the way the package managers
//! do, so that "1:9.2p1-2+deb12u10" is known to carry the fix shipped in
//! "1:9.2p1-2+deb12u3" and "8.7p1-38.el9_4.1" the one of "8.7p1-38.el9_4".
//!
//! Two orders, each written from its tool's definition:
//! - [`dpkg`]: `[epoch:]upstream[-revision]` (deb-version(7), dpkg's
//!   `verrevcmp`): epochs compare as numbers; upstream and revision are
//!   compared in turns of non-digits (letters sort before other
//!   characters, `~` before everything, even the end) and digits (as
//!   numbers). So `1.0~rc1 < 1.0 < 1.0+deb12u1 < 1.0a`.
//! - [`rpm`]: `[epoch:]version[-release]` (rpm's `rpmvercmp`): segments of
//!   letters or digits, separators ignored; a digit segment is newer than
//!   a letter segment; digits compare as numbers; `~` sorts before the
//!   end, `^` after it but before any further segment; when one side runs
//!   out of segments, the longer one is newer. So `el9 < el9_4 < el9_4.1`.
//!
//! Neither is the upstream vendor order of `super::version` (where
//! "9.2p1" < "9.3"): that one reads banners, these read package revisions.

use std::cmp::Ordering;

/// Epoch, upstream version and revision of a package version; a missing
/// epoch is 0 and a missing revision empty, as both tools read them.
fn split(version: &str) -> (u64, &str, &str) {
    let version = version.trim();
    let (epoch, rest) = match version.split_once(':') {
        Some((epoch, rest)) if !epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()) => {
            (epoch.parse().unwrap_or(u64::MAX), rest)
        }
        _ => (0, version),
    };
    let (upstream, revision) = rest.rsplit_once('-').unwrap_or((rest, ""));
    (epoch, upstream, revision)
}

/// The upstream part of a package version: "1:9.2p1-2+deb12u3" is "9.2p1".
pub(crate) fn upstream(version: &str) -> &str {
    split(version).1
}

/// The epoch of a package version, if it states one ("1:9.2p1-2" has 1).
pub(crate) fn epoch(version: &str) -> Option<u64> {
    let version = version.trim();
    let (epoch, _) = version.split_once(':')?;
    (!epoch.is_empty() && epoch.bytes().all(|b| b.is_ascii_digit()))
        .then(|| epoch.parse().unwrap_or(u64::MAX))
}

/// Orders two Debian (and Ubuntu) package versions as `dpkg
/// --compare-versions` does.
pub(crate) fn dpkg(a: &str, b: &str) -> Ordering {
    let (epoch_a, upstream_a, revision_a) = split(a);
    let (epoch_b, upstream_b, revision_b) = split(b);
    epoch_a
        .cmp(&epoch_b)
        .then_with(|| verrevcmp(upstream_a, upstream_b))
        .then_with(|| verrevcmp(revision_a, revision_b))
}

/// dpkg's weight of a character in a non-digit run: `~` before the end,
/// the end (and digits, which end the run) before letters, letters before
/// everything else.
fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        Some(b'~') => -1,
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // The non-digit run, character by character.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let left = dpkg_order(a.get(i).copied());
            let right = dpkg_order(b.get(j).copied());
            if left != right {
                return left.cmp(&right);
            }
            i += 1;
            j += 1;
        }
        // The digit run, as a number (leading zeros do not count).
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let start = (i, j);
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let (left, right) = (&a[start.0..i], &b[start.1..j]);
        let by_number = left.len().cmp(&right.len()).then_with(|| left.cmp(right));
        if by_number != Ordering::Equal {
            return by_number;
        }
    }
    Ordering::Equal
}

/// Orders two RPM package versions (`[epoch:]version-release`) as rpm
/// does (`rpmdev-vercmp`).
pub(crate) fn rpm(a: &str, b: &str) -> Ordering {
    let (epoch_a, version_a, release_a) = split(a);
    let (epoch_b, version_b, release_b) = split(b);
    epoch_a
        .cmp(&epoch_b)
        .then_with(|| rpmvercmp(version_a, version_b))
        .then_with(|| match (release_a.is_empty(), release_b.is_empty()) {
            // A version without a release matches any release of it, as
            // rpm's dependency checks read it.
            (true, _) | (_, true) => Ordering::Equal,
            _ => rpmvercmp(release_a, release_b),
        })
}

fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let separator = |c: u8| !c.is_ascii_alphanumeric() && c != b'~' && c != b'^';
    loop {
        while i < a.len() && separator(a[i]) {
            i += 1;
        }
        while j < b.len() && separator(b[j]) {
            j += 1;
        }
        // A tilde sorts before everything, the end included.
        match (a.get(i) == Some(&b'~'), b.get(j) == Some(&b'~')) {
            (true, true) => {
                i += 1;
                j += 1;
                continue;
            }
            (true, false) => return Ordering::Less,
            (false, true) => return Ordering::Greater,
            (false, false) => {}
        }
        // A caret sorts after the end but before any further segment.
        match (a.get(i) == Some(&b'^'), b.get(j) == Some(&b'^')) {
            (true, true) => {
                i += 1;
                j += 1;
                continue;
            }
            (true, false) => {
                return if j >= b.len() {
                    Ordering::Greater
                } else {
                    Ordering::Less
                };
            }
            (false, true) => {
                return if i >= a.len() {
                    Ordering::Less
                } else {
                    Ordering::Greater
                };
            }
            (false, false) => {}
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let start = k;
            while k < s.len()
                && if numeric {
                    s[k].is_ascii_digit()
                } else {
                    s[k].is_ascii_alphabetic()
                }
            {
                k += 1;
            }
            (start, k)
        };
        let (start_a, end_a) = take(a, i);
        let (start_b, end_b) = take(b, j);
        let (mut left, mut right) = (&a[start_a..end_a], &b[start_b..end_b]);
        if right.is_empty() {
            // Segments of different kinds: digits are newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let order = if numeric {
            while left.first() == Some(&b'0') && left.len() > 1 {
                left = &left[1..];
            }
            while right.first() == Some(&b'0') && right.len() > 1 {
                right = &right[1..];
            }
            left.len().cmp(&right.len()).then_with(|| left.cmp(right))
        } else {
            left.cmp(right)
        };
        if order != Ordering::Equal {
            return order;
        }
        i = end_a;
        j = end_b;
    }
    // Whichever still has segments is newer.
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, _) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn ascending(compare: fn(&str, &str) -> Ordering, versions: &[&str]) {
        for pair in versions.windows(2) {
            assert_eq!(compare(pair[0], pair[1]), Less, "{} < {}", pair[0], pair[1]);
            assert_eq!(
                compare(pair[1], pair[0]),
                Greater,
                "{} > {}",
                pair[1],
                pair[0]
            );
        }
        for version in versions {
            assert_eq!(compare(version, version), Equal, "{version}");
        }
    }

    #[test]
    fn dpkg_epochs_outrank_everything_else() {
        assert_eq!(dpkg("1:1.0", "2.0"), Greater);
        assert_eq!(dpkg("2.0", "0:2.0"), Equal, "no epoch is epoch 0");
        assert_eq!(dpkg("1:9.2p1-2", "9.9p2-1"), Greater);
        assert_eq!(dpkg("5:7.0.15-1~deb12u10", "7.2.4-1"), Greater);
    }

    #[test]
    fn dpkg_tildes_sort_before_the_end() {
        ascending(
            dpkg,
            &[
                "1.0~~", "1.0~~a", "1.0~", "1.0~rc1", "1.0~rc2", "1.0", "1.0a", "1.0+b1", "1.0.1",
            ],
        );
        // Redis in bookworm: the "~deb12u" of a backport sorts before the
        // plain revision it is based on.
        assert_eq!(dpkg("5:7.0.15-1~deb12u10", "5:7.0.15-1"), Less);
    }

    #[test]
    fn dpkg_debian_security_updates_order_by_number_not_text() {
        ascending(
            dpkg,
            &[
                "1:9.2p1-2",
                "1:9.2p1-2+deb12u1",
                "1:9.2p1-2+deb12u2",
                "1:9.2p1-2+deb12u3",
                "1:9.2p1-2+deb12u10",
                "1:9.2p1-3",
            ],
        );
        // A later Debian release's build of a newer upstream is newer.
        assert_eq!(dpkg("1:9.2p1-2+deb12u10", "1:9.7p1-7"), Less);
        // Ubuntu's updates likewise.
        ascending(
            dpkg,
            &[
                "1:8.9p1-3",
                "1:8.9p1-3ubuntu0.1",
                "1:8.9p1-3ubuntu0.9",
                "1:8.9p1-3ubuntu0.10",
            ],
        );
    }

    #[test]
    fn dpkg_revisions_and_leading_zeros() {
        assert_eq!(dpkg("1.0-1", "1.0-01"), Equal, "numbers, not text");
        assert_eq!(dpkg("1.0", "1.0-0"), Equal, "no revision is revision 0");
        assert_eq!(dpkg("1.0-1", "1.0"), Greater);
        assert_eq!(
            dpkg("1.0-1-2", "1.0-1-10"),
            Less,
            "revision after the last hyphen"
        );
        assert_eq!(dpkg("1.22.1-9+deb12u12", "1.22.1-9+deb12u2"), Greater);
        // Letters before punctuation: "1.0a" < "1.0+".
        assert_eq!(dpkg("1.0a", "1.0+"), Less);
    }

    #[test]
    fn rpm_red_hat_z_stream_releases() {
        ascending(
            rpm,
            &[
                "8.7p1-38.el9",
                "8.7p1-38.el9_4",
                "8.7p1-38.el9_4.1",
                "8.7p1-38.el9_4.2",
                "8.7p1-38.el9_4.10",
                "8.7p1-39.el9",
            ],
        );
        assert_eq!(rpm("0:8.7p1-38.el9_4.1", "8.7p1-38.el9_4.1"), Equal);
        assert_eq!(rpm("1:1.0-1.el9", "2.0-1.el9"), Greater, "epoch first");
        // RHEL 8's build of an older upstream is older, whatever its release.
        assert_eq!(rpm("8.0p1-24.el8", "8.7p1-38.el9_4.1"), Less);
    }

    #[test]
    fn rpm_segments_tildes_and_carets() {
        assert_eq!(rpm("1.0", "1.0.0"), Less, "more segments is newer");
        assert_eq!(rpm("1.0a", "1.0"), Greater);
        assert_eq!(rpm("1.0a", "1.0.1"), Less, "digits beat letters");
        assert_eq!(rpm("2.0.1", "2.0a"), Greater);
        assert_eq!(rpm("1.010", "1.9"), Greater, "numbers, not text");
        assert_eq!(rpm("1.01", "1.1"), Equal, "leading zeros do not count");
        assert_eq!(rpm("1.0_1", "1.0.1"), Equal, "separators only separate");
        ascending(rpm, &["1.0~rc1", "1.0", "1.0^git1", "1.0.1"]);
        assert_eq!(rpm("1.0~rc1", "1.0~rc2"), Less);
        assert_eq!(
            rpm("2.4.57", "2.4.57-5.el9"),
            Equal,
            "no release: any release"
        );
    }

    #[test]
    fn parts_of_a_version() {
        assert_eq!(upstream("1:9.2p1-2+deb12u3"), "9.2p1");
        assert_eq!(upstream("7.0.15"), "7.0.15");
        assert_eq!(upstream("1:10.11.19-0+deb12u1"), "10.11.19");
        assert_eq!(epoch("1:9.2p1-2"), Some(1));
        assert_eq!(epoch("9.2p1-2"), None);
        assert_eq!(epoch("a:9"), None);
    }
}
