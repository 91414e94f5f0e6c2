//! Known-vulnerable and end-of-life versions, from the reviewable data
//! file `assets/advisories/versions.toml` (embedded at build time).

use std::sync::OnceLock;

use chrono::NaiveDate;
use portcullis_model::service::VersionAdvisory;
use serde::Deserialize;

use super::version::Range;

const DATA: &str = include_str!("../../../../../assets/advisories/versions.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    advisory: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    product: String,
    affected: Vec<String>,
    id: String,
    summary: String,
    source: String,
    end_of_life: Option<NaiveDate>,
}

/// An entry with its ranges parsed.
#[derive(Debug)]
struct Advisory {
    entry: Entry,
    ranges: Vec<Range>,
}

/// Reads and checks the data file; the error names the entry and what is
/// wrong with it.
fn load(text: &str) -> Result<Vec<Advisory>, String> {
    let file: File = toml::from_str(text).map_err(|e| format!("versions.toml: {e}"))?;
    file.advisory
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let at = format!(
                "versions.toml advisory #{} ({} {})",
                index + 1,
                entry.product,
                entry.id
            );
            let ranges = entry
                .affected
                .iter()
                .map(|r| Range::parse(r).map_err(|e| format!("{at}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            if ranges.is_empty() {
                return Err(format!("{at}: no affected ranges"));
            }
            let is_cve = entry.id.starts_with("CVE-")
                && entry.id[4..].split_once('-').is_some_and(|(year, number)| {
                    year.len() == 4
                        && number.len() >= 4
                        && year
                            .chars()
                            .chain(number.chars())
                            .all(|c| c.is_ascii_digit())
                });
            match (entry.id.as_str(), entry.end_of_life) {
                ("EOL", None) => return Err(format!("{at}: EOL entries need end_of_life")),
                ("EOL", Some(_)) => {}
                (_, Some(_)) => return Err(format!("{at}: end_of_life is for EOL entries only")),
                _ if !is_cve => return Err(format!("{at}: id must be a CVE id or EOL")),
                _ => {}
            }
            if !entry.source.starts_with("https://") {
                return Err(format!("{at}: source must be an https:// URL"));
            }
            Ok(Advisory { entry, ranges })
        })
        .collect()
}

fn advisories() -> &'static [Advisory] {
    static ALL: OnceLock<Vec<Advisory>> = OnceLock::new();
    ALL.get_or_init(|| {
        // The file is checked by a unit test; a broken one matches nothing
        // rather than taking a scan down.
        load(DATA).unwrap_or_else(|error| {
            tracing::error!(%error, "the advisories file is invalid");
            Vec::new()
        })
    })
}

/// The advisories `product` `version` falls under, as of `today`.
/// `distribution_build` adds the reminder that distributions backport
/// fixes without changing version numbers.
pub(crate) fn matching(
    product: &str,
    version: &str,
    today: NaiveDate,
    distribution_build: Option<&str>,
) -> Vec<VersionAdvisory> {
    advisories()
        .iter()
        .filter(|a| a.entry.product.eq_ignore_ascii_case(product))
        .filter(|a| a.ranges.iter().any(|r| r.contains(version)))
        .filter(|a| a.entry.end_of_life.is_none_or(|eol| today >= eol))
        .map(|a| {
            let mut summary = a.entry.summary.clone();
            if let Some(build) = distribution_build {
                summary.push_str(&format!(
                    " This is a distribution build ({build}), which may carry the fix without a new version number: check the package's changelog."
                ));
            }
            VersionAdvisory {
                product: a.entry.product.clone(),
                version: version.to_owned(),
                affected: a.entry.affected.join(" or "),
                id: a.entry.id.clone(),
                summary,
                end_of_life: a.entry.end_of_life.map(|d| d.to_string()),
                source: a.entry.source.clone(),
            }
        })
        .collect()
}

/// The distribution a version's extra text names, if any ("Debian-2+deb12u3",
/// "0ubuntu0.22.04.1", "el7", "(Debian)").
pub(crate) fn distribution_build(extra: Option<&str>) -> Option<String> {
    let extra = extra?;
    let lower = extra.to_ascii_lowercase();
    let marks = [
        "debian", "deb1", "ubuntu", "ubu", ".el", "el7", "el8", "el9", "centos", "red hat", "fips",
        "suse", "raspbian",
    ];
    marks
        .iter()
        .any(|mark| lower.contains(mark))
        .then(|| crate::identify::evidence::bounded(extra.split(';').next().unwrap_or(extra), 160))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTS: [&str; 14] = [
        "OpenSSH",
        "nginx",
        "Apache httpd",
        "OpenSSL",
        "MySQL",
        "MariaDB",
        "PostgreSQL",
        "Redis",
        "vsftpd",
        "ProFTPD",
        "Exim",
        "Postfix",
        "Microsoft IIS",
        "PHP",
    ];

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_data_file_is_valid_and_covers_every_product() {
        let all = load(DATA).unwrap();
        assert!(all.len() > 40);
        for product in PRODUCTS {
            assert!(
                all.iter().any(|a| a.entry.product == product),
                "no entry for {product}"
            );
        }
        for advisory in &all {
            assert!(
                PRODUCTS.contains(&advisory.entry.product.as_str()),
                "{} is not a product identification reports",
                advisory.entry.product
            );
            assert!(
                advisory.entry.summary.ends_with('.'),
                "{}",
                advisory.entry.id
            );
        }
    }

    #[test]
    fn broken_entries_are_reported_with_where() {
        let missing_date = "[[advisory]]\nproduct = \"PHP\"\naffected = [\"< 7.0\"]\nid = \"EOL\"\nsummary = \"x.\"\nsource = \"https://www.php.net/eol.php\"\n";
        let error = load(missing_date).unwrap_err();
        assert!(error.contains("advisory #1 (PHP EOL)"), "{error}");
        let bad_range = missing_date
            .replace("< 7.0", "about 7")
            .replace("id = \"EOL\"", "id = \"CVE-2020-1234\"");
        assert!(load(&bad_range).unwrap_err().contains("about 7"));
        let bad_id = missing_date.replace("id = \"EOL\"", "id = \"CVE-20-1\"");
        assert!(load(&bad_id).unwrap_err().contains("CVE id"));
    }

    #[test]
    fn regresshion_matches_debian_bookworm_openssh_with_a_backport_note() {
        let found = matching(
            "OpenSSH",
            "9.2p1",
            day("2026-01-01"),
            Some("Debian-2+deb12u3"),
        );
        let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
        assert!(ids.contains(&"CVE-2024-6387"), "{ids:?}");
        assert!(!ids.contains(&"CVE-2018-15473"));
        assert!(found[0].summary.contains("changelog"));
        assert!(matching("OpenSSH", "9.9p2", day("2026-01-01"), None).is_empty());
    }

    #[test]
    fn end_of_life_applies_from_its_date() {
        let before = matching("PHP", "8.2.28", day("2026-12-30"), None);
        assert!(before.is_empty(), "{before:?}");
        let after = matching("PHP", "8.2.28", day("2026-12-31"), None);
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].end_of_life.as_deref(), Some("2026-12-31"));
        let maria = matching("mariadb", "10.11.6", day("2026-11-21"), None);
        assert!(maria.is_empty(), "10.11 is supported until 2028: {maria:?}");
        let old = matching("MariaDB", "10.5.23", day("2026-11-21"), None);
        assert_eq!(old.len(), 1);
    }

    #[test]
    fn distribution_builds_are_recognised() {
        assert_eq!(
            distribution_build(Some("Debian-2+deb12u3; protocol 2.0")).as_deref(),
            Some("Debian-2+deb12u3")
        );
        assert!(distribution_build(Some("0ubuntu0.22.04.1")).is_some());
        assert!(distribution_build(Some("protocol 2.0")).is_none());
        assert!(distribution_build(None).is_none());
    }
}
