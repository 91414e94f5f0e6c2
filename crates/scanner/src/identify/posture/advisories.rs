//! Known-vulnerable and end-of-life versions, from the reviewable data
//! file `assets/advisories/versions.toml` (embedded at build time; a newer
//! copy can be loaded at run time with [`install_from_path`]).
//!
//! A match is judged three ways before it leaves the scanner:
//! - the entry's CVSS score and flags (denial of service only, client
//!   side, one platform, a setting) travel with it, for compliance to
//!   decide whether it fails a system;
//! - a distribution build whose banner names the package revision
//!   ("OpenSSH_9.2p1 Debian-2+deb12u3") is compared with the file's
//!   `[[fixed]]` rows using the package manager's own order
//!   (`package_version`): at or past the fixed version, it is not
//!   vulnerable;
//! - a distribution build named only generically ("Apache/2.4.62
//!   (Debian)"), or with no row for it, "needs confirmation", with the
//!   one command that confirms it; an upstream end of life is weighed
//!   against the `[[release]]` rows: a distribution release still
//!   supported keeps the package supported.

use std::path::Path;
use std::sync::{Arc, OnceLock, RwLock};

use chrono::NaiveDate;
use portcullis_model::service::{AdvisoryFlag, CvssScore, DistributionStatus, VersionAdvisory};
use serde::Deserialize;

use super::package_version;
use super::version::Range;

const DATA: &str = include_str!("../../../../../assets/advisories/versions.toml");

/// Days after its review date past which the data file is out of date.
pub const STALE_AFTER_DAYS: i64 = 90;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    reviewed: NaiveDate,
    advisory: Vec<Entry>,
    #[serde(default)]
    fixed: Vec<Fixed>,
    #[serde(default)]
    release: Vec<Release>,
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
    cvss: Option<f64>,
    cvss_vector: Option<String>,
    flags: Option<Vec<AdvisoryFlag>>,
    condition: Option<String>,
}

/// A distribution's first package version with an advisory's fix.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixed {
    id: String,
    product: String,
    distribution: Distribution,
    release: String,
    package: String,
    version: String,
    source: String,
}

/// How long a distribution release is supported.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Release {
    distribution: Distribution,
    release: String,
    name: String,
    support_ends: NaiveDate,
    source: String,
}

/// The distributions whose fixed versions the file can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Distribution {
    Debian,
    Ubuntu,
    #[serde(rename = "Red Hat")]
    RedHat,
}

impl Distribution {
    fn name(self) -> &'static str {
        match self {
            Distribution::Debian => "Debian",
            Distribution::Ubuntu => "Ubuntu",
            Distribution::RedHat => "Red Hat Enterprise Linux",
        }
    }

    fn compare(self, a: &str, b: &str) -> std::cmp::Ordering {
        match self {
            Distribution::Debian | Distribution::Ubuntu => package_version::dpkg(a, b),
            Distribution::RedHat => package_version::rpm(a, b),
        }
    }
}

/// An entry with its ranges parsed.
#[derive(Debug)]
struct Advisory {
    entry: Entry,
    ranges: Vec<Range>,
    cvss: Option<CvssScore>,
    flags: Vec<AdvisoryFlag>,
}

/// The advisories, distribution fixes and release lifetimes of one data
/// file, checked.
#[derive(Debug)]
pub struct AdvisorySet {
    reviewed: NaiveDate,
    advisories: Vec<Advisory>,
    fixed: Vec<Fixed>,
    releases: Vec<Release>,
}

fn is_cve(id: &str) -> bool {
    id.strip_prefix("CVE-")
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(year, number)| {
            year.len() == 4
                && number.len() >= 4
                && year
                    .chars()
                    .chain(number.chars())
                    .all(|c| c.is_ascii_digit())
        })
}

fn check_source(at: &str, source: &str) -> Result<(), String> {
    if source.starts_with("https://") && source.len() > "https://".len() {
        Ok(())
    } else {
        Err(format!("{at}: source must be an https:// URL"))
    }
}

impl AdvisorySet {
    /// Reads and checks a data file's text; the error names the entry and
    /// what is wrong with it.
    pub fn parse(text: &str) -> Result<AdvisorySet, String> {
        let file: File = toml::from_str(text).map_err(|e| format!("versions.toml: {e}"))?;
        let advisories = file
            .advisory
            .into_iter()
            .enumerate()
            .map(|(index, entry)| check_entry(index, entry))
            .collect::<Result<Vec<_>, _>>()?;
        for (index, fixed) in file.fixed.iter().enumerate() {
            let at = format!(
                "versions.toml fixed #{} ({} {} {})",
                index + 1,
                fixed.id,
                fixed.distribution.name(),
                fixed.release
            );
            check_source(&at, &fixed.source)?;
            let Some(advisory) = advisories
                .iter()
                .find(|a| a.entry.id == fixed.id && a.entry.product == fixed.product)
            else {
                return Err(format!("{at}: no {} advisory {}", fixed.product, fixed.id));
            };
            let upstream = package_version::upstream(&fixed.version);
            if !upstream.starts_with(|c: char| c.is_ascii_digit())
                || fixed.package.is_empty()
                || fixed.release.is_empty()
            {
                return Err(format!(
                    "{at}: version {:?} is not a package version",
                    fixed.version
                ));
            }
            if !advisory.ranges.iter().any(|r| r.contains(upstream)) {
                return Err(format!(
                    "{at}: {upstream} is outside the advisory's affected versions"
                ));
            }
        }
        for (index, release) in file.release.iter().enumerate() {
            let at = format!(
                "versions.toml release #{} ({} {})",
                index + 1,
                release.distribution.name(),
                release.release
            );
            check_source(&at, &release.source)?;
        }
        Ok(AdvisorySet {
            reviewed: file.reviewed,
            advisories,
            fixed: file.fixed,
            releases: file.release,
        })
    }

    /// Reads and checks a data file; the error names the file.
    pub fn from_path(path: &Path) -> Result<AdvisorySet, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        AdvisorySet::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The day the file was last checked against its sources.
    pub fn reviewed(&self) -> NaiveDate {
        self.reviewed
    }

    /// Days since the review, as of `today`.
    pub fn age_days(&self, today: NaiveDate) -> i64 {
        (today - self.reviewed).num_days()
    }

    /// Whether the file is older than [`STALE_AFTER_DAYS`] as of `today`.
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        self.age_days(today) > STALE_AFTER_DAYS
    }

    /// The number of advisories (CVE and end-of-life entries).
    pub fn len(&self) -> usize {
        self.advisories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.advisories.is_empty()
    }

    /// The advisories `product` `version` falls under, as of `today`,
    /// judged for the distribution `build` the banner names.
    pub(crate) fn matching(
        &self,
        product: &str,
        version: &str,
        today: NaiveDate,
        build: Option<&Build>,
    ) -> Vec<VersionAdvisory> {
        self.advisories
            .iter()
            .filter(|a| a.entry.product.eq_ignore_ascii_case(product))
            .filter(|a| a.ranges.iter().any(|r| r.contains(version)))
            .filter(|a| a.entry.end_of_life.is_none_or(|eol| today >= eol))
            .map(|a| VersionAdvisory {
                product: a.entry.product.clone(),
                version: version.to_owned(),
                affected: a.entry.affected.join(" or "),
                id: a.entry.id.clone(),
                summary: a.entry.summary.clone(),
                end_of_life: a.entry.end_of_life.map(|d| d.to_string()),
                source: a.entry.source.clone(),
                cvss: a.cvss,
                cvss_vector: a.entry.cvss_vector.clone(),
                flags: a.flags.clone(),
                condition: a.entry.condition.clone(),
                distribution: build.map_or(DistributionStatus::Upstream, |build| {
                    self.judge(a, version, today, build)
                }),
            })
            .collect()
    }

    /// What `build` means for advisory `a` matched on upstream `version`.
    fn judge(
        &self,
        a: &Advisory,
        version: &str,
        today: NaiveDate,
        build: &Build,
    ) -> DistributionStatus {
        let package = package_name(&a.entry.product, build.family);
        if a.entry.end_of_life.is_some() {
            let supported = build.distribution.zip(build.release.as_deref()).and_then(
                |(distribution, release)| {
                    self.releases.iter().find(|r| {
                        r.distribution == distribution
                            && r.release == release
                            && r.support_ends > today
                    })
                },
            );
            return match supported {
                Some(release) => DistributionStatus::Supported {
                    build: build.text.clone(),
                    release: format!(
                        "{} {} ({})",
                        release.distribution.name(),
                        release.release,
                        release.name
                    ),
                    until: release.support_ends.to_string(),
                    source: release.source.clone(),
                },
                // A release known to be past its support: end of life it is.
                None if build.release.is_some() && build.distribution.is_some() => {
                    DistributionStatus::Upstream
                }
                None => DistributionStatus::NeedsConfirmation {
                    build: build.text.clone(),
                    command: "cat /etc/os-release".into(),
                },
            };
        }
        let rows: Vec<&Fixed> = self
            .fixed
            .iter()
            .filter(|f| {
                f.id == a.entry.id
                    && f.product == a.entry.product
                    && Some(f.distribution) == build.distribution
            })
            .collect();
        if let (Some(distribution), Some(revision)) = (build.distribution, &build.revision) {
            // The row of the build's release; or, when the banner does not
            // say which release, the row for the same upstream version.
            let row = rows.iter().find(|f| match &build.release {
                Some(release) => &f.release == release,
                None => package_version::upstream(&f.version) == version,
            });
            if let Some(row) = row {
                let installed = match package_version::epoch(&row.version) {
                    // Banners leave the epoch out; the package keeps its own.
                    Some(epoch) => format!("{epoch}:{version}-{revision}"),
                    None => format!("{version}-{revision}"),
                };
                let build = format!("{} {} {installed}", distribution.name(), row.package);
                let fixed_in = row.version.clone();
                let source = row.source.clone();
                return if distribution.compare(&installed, &row.version).is_ge() {
                    DistributionStatus::Fixed {
                        build,
                        fixed_in,
                        source,
                    }
                } else {
                    DistributionStatus::NotFixed {
                        build,
                        fixed_in,
                        source,
                    }
                };
            }
        }
        let command = match build.family {
            Family::Debian if !rows.is_empty() => format!("dpkg-query -W {package}"),
            Family::Debian => {
                format!(
                    "zgrep {} /usr/share/doc/{package}/changelog.Debian.gz",
                    a.entry.id
                )
            }
            Family::Rpm | Family::Unknown => {
                format!("rpm -q --changelog {package} | grep {}", a.entry.id)
            }
            // Which family is unknown: one line that asks either.
            Family::Packaged => format!(
                "zgrep {id} /usr/share/doc/{}/changelog.Debian.gz 2>/dev/null || rpm -q --changelog {} | grep {id}",
                package_name(&a.entry.product, Family::Debian),
                package_name(&a.entry.product, Family::Rpm),
                id = a.entry.id
            ),
        };
        DistributionStatus::NeedsConfirmation {
            build: if rows.is_empty() {
                build.text.clone()
            } else {
                let fixed: Vec<String> = rows
                    .iter()
                    .map(|f| format!("{} {}: {}", f.distribution.name(), f.release, f.version))
                    .collect();
                format!("{}; fixed in {}", build.text, fixed.join(", "))
            },
            command,
        }
    }
}

fn check_entry(index: usize, entry: Entry) -> Result<Advisory, String> {
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
    match (entry.id.as_str(), entry.end_of_life) {
        ("EOL", None) => return Err(format!("{at}: EOL entries need end_of_life")),
        ("EOL", Some(_)) => {}
        (_, Some(_)) => return Err(format!("{at}: end_of_life is for EOL entries only")),
        (id, None) if !is_cve(id) => return Err(format!("{at}: id must be a CVE id or EOL")),
        _ => {}
    }
    check_source(&at, &entry.source)?;
    let cvss = match (entry.id.as_str(), entry.cvss) {
        ("EOL", None) => None,
        ("EOL", Some(_)) => {
            return Err(format!(
                "{at}: EOL entries have no CVSS score (an ASV fails unsupported software by rule)"
            ));
        }
        (_, None) => return Err(format!("{at}: no CVSS base score (cvss = ...)")),
        (_, Some(score)) => Some(
            CvssScore::from_decimal(score)
                .ok_or_else(|| format!("{at}: cvss {score} is not a CVSS score"))?,
        ),
    };
    if let Some(vector) = &entry.cvss_vector {
        let known = ["CVSS:3.0/", "CVSS:3.1/", "CVSS:4.0/", "AV:"];
        if cvss.is_none() || !known.iter().any(|p| vector.starts_with(p)) {
            return Err(format!("{at}: cvss_vector {vector:?} is not a CVSS vector"));
        }
    }
    let Some(flags) = entry.flags.clone() else {
        return Err(format!(
            "{at}: no flags (write flags = [] when none of denial-of-service, client-side, platform, configuration applies)"
        ));
    };
    let needs_condition = flags
        .iter()
        .any(|f| matches!(f, AdvisoryFlag::Platform | AdvisoryFlag::Configuration));
    if needs_condition && entry.condition.as_deref().is_none_or(str::is_empty) {
        return Err(format!(
            "{at}: the platform and configuration flags need a condition (\"when ...\")"
        ));
    }
    Ok(Advisory {
        entry,
        ranges,
        cvss,
        flags,
    })
}

/// The data file built into this release.
pub fn built_in() -> Arc<AdvisorySet> {
    static BUILT_IN: OnceLock<Arc<AdvisorySet>> = OnceLock::new();
    BUILT_IN
        .get_or_init(|| {
            // The file is checked by a unit test; a broken one matches
            // nothing rather than taking a scan down, and shows as never
            // reviewed.
            Arc::new(AdvisorySet::parse(DATA).unwrap_or_else(|error| {
                tracing::error!(%error, "the advisories file is invalid");
                AdvisorySet {
                    reviewed: NaiveDate::MIN,
                    advisories: Vec::new(),
                    fixed: Vec::new(),
                    releases: Vec::new(),
                }
            }))
        })
        .clone()
}

static INSTALLED: RwLock<Option<Arc<AdvisorySet>>> = RwLock::new(None);

/// The advisories scans use: a file installed at run time, or the one
/// built in.
pub fn current() -> Arc<AdvisorySet> {
    let installed = INSTALLED.read().unwrap_or_else(|e| e.into_inner()).clone();
    installed.unwrap_or_else(built_in)
}

/// Makes `set` the advisories of every scan that starts from now on,
/// unless it was reviewed before the one in use (a newer release must
/// not be undone by an old file); the error says so.
pub fn install(set: AdvisorySet) -> Result<Arc<AdvisorySet>, String> {
    let mut installed = INSTALLED.write().unwrap_or_else(|e| e.into_inner());
    let in_use = installed.clone().unwrap_or_else(built_in);
    if set.reviewed < in_use.reviewed {
        return Err(format!(
            "this advisories file was reviewed on {}, before the one in use ({}); keeping the one in use",
            set.reviewed, in_use.reviewed
        ));
    }
    let set = Arc::new(set);
    *installed = Some(set.clone());
    Ok(set)
}

/// Reads, checks and [`install`]s the data file at `path`.
pub fn install_from_path(path: &Path) -> Result<Arc<AdvisorySet>, String> {
    install(AdvisorySet::from_path(path)?)
}

/// The advisories `product` `version` falls under, as of `today`, from
/// the advisories in use.
pub(crate) fn matching(
    product: &str,
    version: &str,
    today: NaiveDate,
    build: Option<&Build>,
) -> Vec<VersionAdvisory> {
    current().matching(product, version, today, build)
}

/// How a distribution's packages are versioned and inspected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// Debian, Ubuntu, Raspbian: dpkg.
    Debian,
    /// Red Hat, CentOS, Rocky, Alma, Fedora, SUSE: rpm.
    Rpm,
    /// A build tag that names no family ("fips").
    Unknown,
    /// A distribution's package, which distribution unknown (a program
    /// installed under /usr/bin).
    Packaged,
}

/// The distribution build a banner names: "Debian-2+deb12u3",
/// "Ubuntu-3ubuntu0.10", "(Debian)", "el7".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Build {
    /// What the banner said, bounded and sanitised.
    pub text: String,
    pub family: Family,
    /// The distribution, when the file can hold fixed versions for it.
    distribution: Option<Distribution>,
    /// The package revision ("2+deb12u3"), when the banner shows it.
    revision: Option<String>,
    /// The release ("12" from "+deb12u3"), when the revision says.
    release: Option<String>,
}

impl Build {
    /// The distribution build a version's extra text names, if any.
    pub(crate) fn parse(extra: Option<&str>) -> Option<Build> {
        let extra = extra?;
        let first = extra.split(';').next().unwrap_or(extra).trim();
        let text = crate::identify::evidence::bounded(first, 160);
        let lower = first.to_ascii_lowercase();
        // "Debian-2+deb12u3", "Ubuntu-3ubuntu0.10": OpenSSH's banner
        // comment is the package revision.
        for (prefix, distribution) in [
            ("debian-", Distribution::Debian),
            ("ubuntu-", Distribution::Ubuntu),
        ] {
            let Some(revision) = lower
                .split_whitespace()
                .find_map(|word| word.strip_prefix(prefix))
            else {
                continue;
            };
            let revision: String = revision
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "+~.".contains(*c))
                .collect();
            if !revision.starts_with(|c: char| c.is_ascii_digit()) {
                continue;
            }
            let release = match distribution {
                Distribution::Debian => debian_release(&revision),
                _ => None,
            };
            return Some(Build {
                text,
                family: Family::Debian,
                distribution: Some(distribution),
                revision: Some(revision),
                release,
            });
        }
        let has = |marks: &[&str]| marks.iter().any(|mark| lower.contains(mark));
        let (family, distribution) = if has(&["ubuntu"]) {
            (Family::Debian, Some(Distribution::Ubuntu))
        } else if has(&["debian", "deb1"]) {
            (Family::Debian, Some(Distribution::Debian))
        } else if has(&["raspbian"]) {
            (Family::Debian, None)
        } else if has(&["red hat", "rhel", ".el", "el7", "el8", "el9", "el10"]) {
            (Family::Rpm, Some(Distribution::RedHat))
        } else if has(&["centos", "rocky", "alma", "fedora", "suse", "amzn"]) {
            (Family::Rpm, None)
        } else if has(&["fips"]) {
            (Family::Unknown, None)
        } else if has(&[crate::identify::protocols::redis::PACKAGED_BUILD]) {
            (Family::Packaged, None)
        } else {
            return None;
        };
        // An rpm release in the text ("38.el9_4.1") is the package
        // revision of a Red Hat build.
        let revision = (distribution == Some(Distribution::RedHat))
            .then(|| {
                lower
                    .split_whitespace()
                    .find(|w| w.starts_with(|c: char| c.is_ascii_digit()) && w.contains(".el"))
            })
            .flatten()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_ascii_alphanumeric())
                    .to_owned()
            });
        let release = revision.as_deref().and_then(|r| {
            let after = r.split(".el").nth(1)?;
            let major: String = after.chars().take_while(char::is_ascii_digit).collect();
            (!major.is_empty()).then_some(major)
        });
        Some(Build {
            text,
            family,
            distribution,
            revision,
            release,
        })
    }
}

/// The Debian release a revision names: "2+deb12u3" and "1~deb12u10" are
/// Debian 12's.
fn debian_release(revision: &str) -> Option<String> {
    let at = revision.find("deb")?;
    let digits: String = revision[at + 3..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let rest = &revision[at + 3 + digits.len()..];
    (!digits.is_empty() && rest.starts_with('u')).then_some(digits)
}

/// The name of the package that installs `product` in a family of
/// distributions, for the commands that confirm a fix.
fn package_name(product: &str, family: Family) -> String {
    let debian = family == Family::Debian;
    let name = match product {
        "OpenSSH" => "openssh-server",
        "Apache httpd" if debian => "apache2",
        "Apache httpd" => "httpd",
        "OpenSSL" if !debian => "openssl-libs",
        "MySQL" => "mysql-server",
        "MariaDB" => "mariadb-server",
        "Redis" if debian => "redis-server",
        "ProFTPD" if debian => "proftpd-core",
        "Exim" if debian => "exim4-daemon-light",
        _ => return product.to_ascii_lowercase().replace(' ', "-"),
    };
    name.to_owned()
}

#[cfg(test)]
mod tests;
