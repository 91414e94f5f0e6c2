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

fn set() -> AdvisorySet {
    AdvisorySet::parse(DATA).unwrap()
}

fn build(extra: &str) -> Build {
    Build::parse(Some(extra)).unwrap()
}

fn ids(found: &[VersionAdvisory]) -> Vec<&str> {
    found.iter().map(|a| a.id.as_str()).collect()
}

fn find<'a>(found: &'a [VersionAdvisory], id: &str) -> &'a VersionAdvisory {
    found
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", ids(found)))
}

// ------------------------------------------------------- The real data file

/// Every entry of the file in the release carries what a finding needs:
/// a CVSS score (CVE entries), a source, its flags (even when none
/// applies), ranges that parse, and an end-of-life date with a source.
/// `AdvisorySet::parse` refuses a file that lacks any of it; this test
/// holds the file to it, and checks the refusals one by one below.
#[test]
fn the_data_file_is_complete_and_covers_every_product() {
    let all = set();
    assert!(all.len() > 90, "{} entries", all.len());
    assert_eq!(all.reviewed(), day("2026-12-04"));
    for product in PRODUCTS {
        assert!(
            all.advisories.iter().any(|a| a.entry.product == product),
            "no entry for {product}"
        );
    }
    for advisory in &all.advisories {
        let entry = &advisory.entry;
        let at = format!("{} {} {:?}", entry.product, entry.id, entry.affected);
        assert!(
            PRODUCTS.contains(&entry.product.as_str()),
            "{at}: unknown product"
        );
        assert!(entry.summary.ends_with('.'), "{at}: summary is a sentence");
        assert!(entry.source.starts_with("https://"), "{at}: source");
        assert!(entry.flags.is_some(), "{at}: flags");
        assert_eq!(advisory.ranges.len(), entry.affected.len(), "{at}");
        if entry.id == "EOL" {
            assert!(
                entry.end_of_life.is_some() && advisory.cvss.is_none(),
                "{at}"
            );
        } else {
            assert!(advisory.cvss.is_some(), "{at}: CVSS");
        }
    }
    // Every advisory once: no two entries share product, id and ranges.
    for (i, a) in all.advisories.iter().enumerate() {
        for b in &all.advisories[i + 1..] {
            assert!(
                !(a.entry.product == b.entry.product
                    && a.entry.id == b.entry.id
                    && a.entry.affected == b.entry.affected),
                "{} {} twice",
                a.entry.product,
                a.entry.id
            );
        }
    }
}

/// The end-of-life lines of one product do not overlap: a version is
/// past one end of life, not two.
#[test]
fn end_of_life_ranges_do_not_overlap() {
    let all = set();
    let probes = [
        "1.3.42", "2.0.65", "2.2.34", "0.9.8", "1.0.2u", "3.4.1", "3.5.4", "3.6.0", "8.0.45",
        "8.4.1", "9.6.0", "10.11.6", "11.4.5", "11.7.2", "12.2.2", "14.12", "6.0.20", "6.2.21",
        "7.0.15", "7.2.4", "8.0.6", "1.3.6e", "1.3.8", "4.97.1", "3.6.18", "7.4.33",
    ];
    for product in PRODUCTS {
        for version in probes {
            let lines = all
                .advisories
                .iter()
                .filter(|a| a.entry.product == product && a.entry.id == "EOL")
                .filter(|a| a.ranges.iter().any(|r| r.contains(version)))
                .count();
            assert!(
                lines <= 1,
                "{product} {version} is in {lines} end-of-life lines"
            );
        }
    }
}

/// The corrections of 2026-12-04 stay corrected.
#[test]
fn the_reviewed_ranges_match_their_sources() {
    let all = set();
    let today = day("2026-12-04");
    let has = |product: &str, version: &str, id: &str| {
        all.matching(product, version, today, None)
            .iter()
            .any(|a| a.id == id)
    };
    // nginx: 1.0.16 to 1.1.2 were never vulnerable to CVE-2022-41741;
    // 1.22.1 and 1.23.2 are fixed.
    assert!(has("nginx", "1.0.15", "CVE-2022-41741"));
    assert!(!has("nginx", "1.1.2", "CVE-2022-41741"));
    assert!(has("nginx", "1.1.3", "CVE-2022-41741"));
    assert!(!has("nginx", "1.22.1", "CVE-2022-41741"));
    assert!(has("nginx", "1.23.1", "CVE-2022-41741"));
    assert!(!has("nginx", "1.23.2", "CVE-2022-41741"));
    // nginx CVE-2026-42533: 0.9.6 to 1.30.3, and 1.31.0 to 1.31.2.
    assert!(has("nginx", "1.22.1", "CVE-2026-42533"));
    assert!(!has("nginx", "1.30.4", "CVE-2026-42533"));
    assert!(has("nginx", "1.31.2", "CVE-2026-42533"));
    assert!(!has("nginx", "1.31.3", "CVE-2026-42533"));
    // ProFTPD CVE-2010-4221: every release before 1.3.3c.
    assert!(has("ProFTPD", "1.2.10", "CVE-2010-4221"));
    assert!(!has("ProFTPD", "1.3.3c", "CVE-2010-4221"));
    // Apache httpd: 1.3 and 2.0 are two end-of-life lines with their own
    // dates.
    let old = all.matching("Apache httpd", "1.3.42", today, None);
    assert_eq!(old[0].end_of_life.as_deref(), Some("2010-02-03"), "{old:?}");
    let two = all.matching("Apache httpd", "2.0.65", today, None);
    assert_eq!(two[0].end_of_life.as_deref(), Some("2013-07-10"), "{two:?}");
    // httpd CVE-2024-38475 includes 2.4.59; CVE-2021-40438 2.4.48.
    assert!(has("Apache httpd", "2.4.59", "CVE-2024-38475"));
    assert!(!has("Apache httpd", "2.4.60", "CVE-2024-38475"));
    assert!(has("Apache httpd", "2.4.48", "CVE-2021-40438"));
    assert!(!has("Apache httpd", "2.4.49", "CVE-2021-40438"));
    // OpenSSH CVE-2023-25136: 9.1 only.
    assert!(has("OpenSSH", "9.1p1", "CVE-2023-25136"));
    assert!(!has("OpenSSH", "9.2p1", "CVE-2023-25136"));
    // Exim CVE-2024-39929: through 4.97.1.
    assert!(has("Exim", "4.97.1", "CVE-2024-39929"));
    assert!(!has("Exim", "4.98", "CVE-2024-39929"));
    // The end-of-life lines the review added.
    for (product, version) in [
        ("OpenSSL", "3.4.1"),
        ("OpenSSL", "3.6.0"),
        ("PostgreSQL", "14.12"),
        ("MySQL", "8.3.0"),
        ("MySQL", "9.6.0"),
        ("MariaDB", "11.3.2"),
        ("MariaDB", "11.7.2"),
        ("MariaDB", "12.2.2"),
        ("Redis", "6.0.20"),
        ("Redis", "7.0.15"),
        ("Redis", "8.0.6"),
        ("ProFTPD", "1.3.6e"),
        ("Postfix", "3.6.18"),
        ("Exim", "4.97.1"),
    ] {
        assert!(has(product, version, "EOL"), "{product} {version}");
    }
    for (product, version) in [
        ("OpenSSL", "3.5.4"),
        ("MySQL", "8.4.5"),
        ("MariaDB", "11.4.5"),
        ("MariaDB", "11.8.3"),
        ("Redis", "6.2.21"),
        ("Redis", "7.2.4"),
        ("Redis", "7.4.2"),
        ("PostgreSQL", "15.7"),
    ] {
        assert!(
            !has(product, version, "EOL"),
            "{product} {version} is supported"
        );
    }
}

// ------------------------------------------------- What a file must hold

const GOOD: &str = r#"
reviewed = "2026-12-04"

[[advisory]]
product = "OpenSSH"
affected = [">= 8.5p1, < 9.8p1"]
id = "CVE-2024-6387"
summary = "x."
source = "https://www.openssh.com/txt/release-9.8"
cvss = 8.1
cvss_vector = "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"
flags = []

[[advisory]]
product = "PHP"
affected = ["< 7.0"]
id = "EOL"
end_of_life = "2018-12-31"
summary = "x."
source = "https://www.php.net/eol.php"
flags = []
"#;

fn refused(text: &str) -> String {
    match AdvisorySet::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error,
    }
}

#[test]
fn a_complete_file_is_accepted() {
    let all = AdvisorySet::parse(GOOD).unwrap();
    assert_eq!(all.len(), 2);
}

#[test]
fn an_entry_without_cvss_source_or_flags_is_refused() {
    let no_cvss = GOOD.replace("cvss = 8.1\n", "");
    assert!(refused(&no_cvss).contains("advisory #1 (OpenSSH CVE-2024-6387): no CVSS"));
    let bad_cvss = GOOD.replace("cvss = 8.1", "cvss = 11.0");
    assert!(
        refused(&bad_cvss).contains("not a CVSS score"),
        "{}",
        refused(&bad_cvss)
    );
    let eol_with_cvss = GOOD.replace(
        "end_of_life = \"2018-12-31\"",
        "end_of_life = \"2018-12-31\"\ncvss = 10.0",
    );
    assert!(refused(&eol_with_cvss).contains("EOL entries have no CVSS"));
    let no_source = GOOD.replace("source = \"https://www.openssh.com/txt/release-9.8\"\n", "");
    assert!(
        refused(&no_source).contains("source"),
        "{}",
        refused(&no_source)
    );
    let plain_http = GOOD.replace("https://www.openssh.com", "http://www.openssh.com");
    assert!(refused(&plain_http).contains("https:// URL"));
    let no_flags = GOOD.replacen("flags = []\n", "", 1);
    assert!(
        refused(&no_flags).contains("no flags"),
        "{}",
        refused(&no_flags)
    );
    let unknown_flag = GOOD.replacen("flags = []", "flags = [\"remote\"]", 1);
    assert!(refused(&unknown_flag).contains("remote"));
    let no_condition = GOOD.replacen("flags = []", "flags = [\"configuration\"]", 1);
    assert!(refused(&no_condition).contains("need a condition"));
    let bad_vector = GOOD.replace("CVSS:3.1/AV:N", "9.8/AV:N");
    assert!(refused(&bad_vector).contains("not a CVSS vector"));
}

#[test]
fn a_range_that_does_not_parse_is_refused() {
    let bad_range = GOOD.replace(">= 8.5p1, < 9.8p1", ">= 8.5p1, about 9");
    let error = refused(&bad_range);
    assert!(
        error.contains("advisory #1 (OpenSSH CVE-2024-6387)"),
        "{error}"
    );
    assert!(error.contains("about 9"), "{error}");
    let no_version = GOOD.replace("< 7.0", "<");
    assert!(refused(&no_version).contains("no version"));
    let none = GOOD.replace("affected = [\"< 7.0\"]", "affected = []");
    assert!(refused(&none).contains("no affected ranges"));
}

#[test]
fn an_end_of_life_date_without_a_source_is_refused() {
    let no_source = GOOD.replace("source = \"https://www.php.net/eol.php\"\n", "");
    assert!(
        refused(&no_source).contains("source"),
        "{}",
        refused(&no_source)
    );
    let empty_source = GOOD.replace("https://www.php.net/eol.php", "");
    assert!(refused(&empty_source).contains("advisory #2 (PHP EOL): source"));
    let no_date = GOOD.replace("end_of_life = \"2018-12-31\"\n", "");
    assert!(refused(&no_date).contains("EOL entries need end_of_life"));
    let date_on_a_cve = GOOD.replace(
        "flags = []\n\n",
        "flags = []\nend_of_life = \"2024-07-01\"\n\n",
    );
    assert!(refused(&date_on_a_cve).contains("end_of_life is for EOL entries only"));
    let bad_id = GOOD.replace("CVE-2024-6387", "CVE-20-1");
    assert!(refused(&bad_id).contains("CVE id"));
}

#[test]
fn a_file_without_a_review_date_is_refused() {
    let undated = GOOD.replace("reviewed = \"2026-12-04\"\n", "");
    assert!(
        refused(&undated).contains("reviewed"),
        "{}",
        refused(&undated)
    );
}

#[test]
fn fixed_rows_must_name_an_advisory_and_a_version_inside_it() {
    let row = |version: &str, id: &str| {
        format!(
            "{GOOD}\n[[fixed]]\nid = \"{id}\"\nproduct = \"OpenSSH\"\ndistribution = \"Debian\"\nrelease = \"12\"\npackage = \"openssh-server\"\nversion = \"{version}\"\nsource = \"https://security-tracker.debian.org/tracker/{id}\"\n"
        )
    };
    assert!(AdvisorySet::parse(&row("1:9.2p1-2+deb12u3", "CVE-2024-6387")).is_ok());
    assert!(refused(&row("1:9.2p1-2+deb12u3", "CVE-2024-0001")).contains("no OpenSSH advisory"));
    assert!(refused(&row("1:9.9p1-1", "CVE-2024-6387")).contains("outside"));
    assert!(refused(&row("deb12u3", "CVE-2024-6387")).contains("not a package version"));
}

// ------------------------------------------------------------- Its age

#[test]
fn the_file_knows_its_age_and_when_it_is_stale() {
    let all = AdvisorySet::parse(GOOD).unwrap();
    assert_eq!(all.age_days(day("2026-12-04")), 0);
    assert_eq!(all.age_days(day("2027-03-04")), 90);
    assert!(
        !all.is_stale(day("2027-03-04")),
        "90 days is not older than 90"
    );
    assert!(all.is_stale(day("2027-03-05")));
}

#[test]
fn a_newer_file_is_loaded_from_a_path_and_an_older_one_refused() {
    let directory =
        std::env::temp_dir().join(format!("portcullis-advisories-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let newer = directory.join("newer.toml");
    std::fs::write(&newer, GOOD.replace("2026-12-04", "2027-01-15")).unwrap();
    let loaded = AdvisorySet::from_path(&newer).unwrap();
    assert_eq!(loaded.reviewed(), day("2027-01-15"));
    assert_eq!(loaded.len(), 2);
    let missing = directory.join("missing.toml");
    let error = AdvisorySet::from_path(&missing).unwrap_err();
    assert!(error.contains("missing.toml"), "{error}");
    let broken = directory.join("broken.toml");
    std::fs::write(&broken, GOOD.replace("cvss = 8.1\n", "")).unwrap();
    let error = AdvisorySet::from_path(&broken).unwrap_err();
    assert!(
        error.contains("broken.toml") && error.contains("no CVSS"),
        "{error}"
    );
    // install() is process-wide: only the refusal is tried here, which
    // changes nothing (an older file never replaces a newer one).
    let older = directory.join("older.toml");
    std::fs::write(&older, GOOD.replace("2026-12-04", "2020-01-01")).unwrap();
    let error = install_from_path(&older).unwrap_err();
    assert!(
        error.contains("2020-01-01") && error.contains("keeping"),
        "{error}"
    );
    assert_eq!(current().reviewed(), built_in().reviewed());
    std::fs::remove_dir_all(&directory).unwrap();
}

// --------------------------------------------- Distribution builds

#[test]
fn distribution_builds_are_recognised() {
    let debian = build("Debian-2+deb12u3; protocol 2.0");
    assert_eq!(debian.text, "Debian-2+deb12u3");
    assert_eq!(debian.family, Family::Debian);
    assert_eq!(debian.distribution, Some(Distribution::Debian));
    assert_eq!(debian.revision.as_deref(), Some("2+deb12u3"));
    assert_eq!(debian.release.as_deref(), Some("12"));
    let ubuntu = build("Ubuntu-3ubuntu0.10; protocol 2.0");
    assert_eq!(ubuntu.distribution, Some(Distribution::Ubuntu));
    assert_eq!(ubuntu.revision.as_deref(), Some("3ubuntu0.10"));
    assert_eq!(ubuntu.release, None);
    let generic = build("(Debian)");
    assert_eq!(generic.family, Family::Debian);
    assert_eq!(generic.revision, None);
    let red_hat = build("(Red Hat Enterprise Linux) 38.el9_4.1");
    assert_eq!(red_hat.family, Family::Rpm);
    assert_eq!(red_hat.revision.as_deref(), Some("38.el9_4.1"));
    assert_eq!(red_hat.release.as_deref(), Some("9"));
    assert_eq!(build("(CentOS)").family, Family::Rpm);
    assert_eq!(build("fips").family, Family::Unknown);
    assert!(Build::parse(Some("protocol 2.0")).is_none());
    assert!(Build::parse(None).is_none());
    assert_eq!(debian_release("1~deb12u10").as_deref(), Some("12"));
    assert_eq!(debian_release("2"), None);
    assert_eq!(debian_release("1+debian"), None);
}

/// The reverse of a test this file once had, which asserted that
/// Debian 12's patched OpenSSH was vulnerable to regreSSHion: Debian
/// fixed CVE-2024-6387 in 1:9.2p1-2+deb12u3, so "OpenSSH_9.2p1
/// Debian-2+deb12u3" and later are not vulnerable.
#[test]
fn patched_debian_openssh_is_not_vulnerable_to_regresshion() {
    let all = set();
    let today = day("2026-12-04");
    for revision in ["Debian-2+deb12u3", "Debian-2+deb12u10"] {
        let found = all.matching("OpenSSH", "9.2p1", today, Some(&build(revision)));
        let regresshion = find(&found, "CVE-2024-6387");
        match &regresshion.distribution {
            DistributionStatus::Fixed {
                build, fixed_in, ..
            } => {
                assert_eq!(fixed_in, "1:9.2p1-2+deb12u3");
                assert!(
                    build.starts_with("Debian openssh-server 1:9.2p1-2+deb12u"),
                    "{build}"
                );
            }
            other => panic!("{revision}: {other:?}"),
        }
        // Everything with a Debian row is fixed in u10.
        if revision.ends_with("u10") {
            for id in ["CVE-2023-38408", "CVE-2023-48795", "CVE-2025-26465"] {
                assert!(
                    matches!(
                        find(&found, id).distribution,
                        DistributionStatus::Fixed { .. }
                    ),
                    "{id}: {:?}",
                    find(&found, id).distribution
                );
            }
        }
    }
}

#[test]
fn an_unpatched_debian_build_is_not_fixed() {
    let all = set();
    let today = day("2026-12-04");
    for revision in ["Debian-2", "Debian-2+deb12u2"] {
        let found = all.matching("OpenSSH", "9.2p1", today, Some(&build(revision)));
        match &find(&found, "CVE-2024-6387").distribution {
            DistributionStatus::NotFixed { fixed_in, .. } => {
                assert_eq!(fixed_in, "1:9.2p1-2+deb12u3")
            }
            other => panic!("{revision}: {other:?}"),
        }
    }
}

#[test]
fn a_red_hat_build_is_compared_the_rpm_way() {
    let all = set();
    let today = day("2026-12-04");
    let fixed = all.matching(
        "OpenSSH",
        "8.7p1",
        today,
        Some(&build("(Red Hat Enterprise Linux) 38.el9_4.1")),
    );
    assert!(matches!(
        find(&fixed, "CVE-2024-6387").distribution,
        DistributionStatus::Fixed { .. }
    ));
    let before = all.matching(
        "OpenSSH",
        "8.7p1",
        today,
        Some(&build("(Red Hat Enterprise Linux) 38.el9_4")),
    );
    assert!(matches!(
        find(&before, "CVE-2024-6387").distribution,
        DistributionStatus::NotFixed { .. }
    ));
}

#[test]
fn a_build_without_its_revision_or_a_row_needs_confirmation_with_the_command() {
    let all = set();
    let today = day("2026-12-04");
    // Ubuntu: the revision is there, but the file has no Ubuntu row.
    let ubuntu = all.matching(
        "OpenSSH",
        "8.9p1",
        today,
        Some(&build("Ubuntu-3ubuntu0.10")),
    );
    match &find(&ubuntu, "CVE-2024-6387").distribution {
        DistributionStatus::NeedsConfirmation { command, .. } => assert_eq!(
            command,
            "zgrep CVE-2024-6387 /usr/share/doc/openssh-server/changelog.Debian.gz"
        ),
        other => panic!("{other:?}"),
    }
    // Redis names no distribution, but runs from /usr/bin: a packaged
    // build, which may carry the fix (Debian 12's 7.0.15 does).
    let redis = all.matching(
        "Redis",
        "7.0.15",
        today,
        Some(&build(
            "packaged build (/usr/bin/redis-server); standalone mode",
        )),
    );
    match &find(&redis, "CVE-2025-49844").distribution {
        DistributionStatus::NeedsConfirmation { command, .. } => assert_eq!(
            command,
            "zgrep CVE-2025-49844 /usr/share/doc/redis-server/changelog.Debian.gz 2>/dev/null || rpm -q --changelog redis | grep CVE-2025-49844"
        ),
        other => panic!("{other:?}"),
    }
    // Apache on Debian names only the distribution.
    let apache = all.matching("Apache httpd", "2.4.57", today, Some(&build("(Debian)")));
    match &find(&apache, "CVE-2024-38476").distribution {
        DistributionStatus::NeedsConfirmation { command, build } => {
            assert_eq!(
                command,
                "zgrep CVE-2024-38476 /usr/share/doc/apache2/changelog.Debian.gz"
            );
            assert_eq!(build, "(Debian)");
        }
        other => panic!("{other:?}"),
    }
    // A generic Debian tag where the file has Debian rows: the installed
    // version answers it, and the finding names the fixed versions.
    let generic = all.matching("OpenSSH", "9.2p1", today, Some(&build("(Debian)")));
    match &find(&generic, "CVE-2024-6387").distribution {
        DistributionStatus::NeedsConfirmation { command, build } => {
            assert_eq!(command, "dpkg-query -W openssh-server");
            assert!(build.contains("Debian 12: 1:9.2p1-2+deb12u3"), "{build}");
        }
        other => panic!("{other:?}"),
    }
    // Red Hat family without a release: rpm's changelog.
    let centos = all.matching("Apache httpd", "2.4.6", today, Some(&build("(CentOS)")));
    match &find(&centos, "CVE-2022-22720").distribution {
        DistributionStatus::NeedsConfirmation { command, .. } => {
            assert_eq!(command, "rpm -q --changelog httpd | grep CVE-2022-22720")
        }
        other => panic!("{other:?}"),
    }
    // No build: the upstream version decides.
    let upstream = all.matching("OpenSSH", "9.2p1", today, None);
    assert!(find(&upstream, "CVE-2024-6387").distribution.is_upstream());
}

#[test]
fn upstream_end_of_life_is_weighed_against_the_distribution_release() {
    let all = set();
    let today = day("2026-12-04");
    // A Debian 12 build of an upstream end-of-life release: Debian 12 still
    // supports it.
    let bookworm = all.matching("Redis", "7.0.15", today, Some(&build("Debian-1~deb12u10")));
    match &find(&bookworm, "EOL").distribution {
        DistributionStatus::Supported { release, until, .. } => {
            assert_eq!(release, "Debian 12 (bookworm)");
            assert_eq!(until, "2028-06-30");
        }
        other => panic!("{other:?}"),
    }
    // Debian 11's support ended on 2026-08-31: end of life it is.
    let bullseye = all.matching("Redis", "6.0.16", today, Some(&build("Debian-1~deb11u9")));
    assert!(find(&bullseye, "EOL").distribution.is_upstream());
    // The release unknown: the finding asks which it is.
    let unknown = all.matching("PHP", "7.4.33", today, Some(&build("(Debian)")));
    match &find(&unknown, "EOL").distribution {
        DistributionStatus::NeedsConfirmation { command, .. } => {
            assert_eq!(command, "cat /etc/os-release")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn matches_carry_score_flags_and_condition() {
    let all = set();
    let found = all.matching("nginx", "1.22.1", day("2026-12-04"), None);
    let map = find(&found, "CVE-2026-42533");
    assert_eq!(map.cvss.map(|s| s.to_string()).as_deref(), Some("8.1"));
    assert_eq!(map.flags, [AdvisoryFlag::Configuration]);
    assert!(
        map.condition
            .as_deref()
            .unwrap()
            .starts_with("when a 'map'")
    );
    let mp4 = find(&found, "CVE-2024-7347");
    assert!(mp4.flags.contains(&AdvisoryFlag::DenialOfService));
    // Every advisory the web host's nginx matches is flagged.
    for advisory in &found {
        assert!(!advisory.flags.is_empty(), "{} is not flagged", advisory.id);
    }
}

#[test]
fn end_of_life_applies_from_its_date() {
    let all = set();
    let before = all.matching("PHP", "8.2.28", day("2026-12-30"), None);
    assert!(before.is_empty(), "{before:?}");
    let after = all.matching("PHP", "8.2.28", day("2026-12-31"), None);
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].end_of_life.as_deref(), Some("2026-12-31"));
    let maria = all.matching("mariadb", "10.11.6", day("2026-11-21"), None);
    assert!(maria.is_empty(), "10.11 is supported until 2028: {maria:?}");
    let old = all.matching("MariaDB", "10.5.23", day("2026-11-21"), None);
    assert_eq!(old.len(), 1);
    assert!(
        all.matching("OpenSSH", "9.9p2", day("2026-01-01"), None)
            .is_empty()
    );
}
