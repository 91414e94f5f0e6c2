use chrono::{TimeZone, Utc};
use portcullis_model::compliance::{Exposure, InventoryEntry, Scope, System, SystemRole};
use portcullis_model::{InventoryEntryId, SystemId};

use super::*;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 10, 0, 0).unwrap()
}

fn shop() -> System {
    System {
        id: SystemId(1),
        name: "Web shop".into(),
        addresses: vec!["203.0.113.10".into()],
        role: SystemRole::WebServer,
        scope: Scope::Cde,
        exposure: Exposure::External,
        notes: String::new(),
    }
}

fn entry(id: i64, protocol: Protocol, port: u16, service: &str, why: &str) -> InventoryEntry {
    InventoryEntry {
        id: InventoryEntryId(id),
        system_id: SystemId(1),
        port,
        protocol,
        service: Some(service.to_owned()),
        version: None,
        justification: why.to_owned(),
        approver: "Sam Owner".into(),
        approved_at: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap(),
        expires_at: Some(Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap()),
        sources: Vec::new(),
        notes: String::new(),
    }
}

/// The shop's inventory: the web ports, SSH, a DNS answer on UDP, a
/// second approval of 443, one that lapsed, and another system's.
fn inventory() -> Vec<InventoryEntry> {
    let mut lapsed = entry(5, Protocol::Tcp, 8443, "https-alt", "The old admin page");
    lapsed.expires_at = Some(Utc.with_ymd_and_hms(2026, 11, 30, 0, 0, 0).unwrap());
    let mut elsewhere = entry(6, Protocol::Tcp, 3306, "mysql", "The database");
    elsewhere.system_id = SystemId(2);
    let mut ssh = entry(
        2,
        Protocol::Tcp,
        22,
        "ssh",
        "Our developer logs in \"from the office\";\nrm -rf / `id` 'x' \\",
    );
    ssh.sources = vec![
        "198.51.100.7/32".parse().unwrap(),
        "2001:db8:1::/48".parse().unwrap(),
    ];
    vec![
        entry(3, Protocol::Tcp, 443, "https", "Customers reach the shop"),
        entry(1, Protocol::Tcp, 80, "http", "Sends visitors to https"),
        ssh,
        entry(
            4,
            Protocol::Udp,
            53,
            "domain",
            "Answers for the shop's own domain",
        ),
        entry(
            7,
            Protocol::Tcp,
            443,
            "nginx",
            "The same port, approved again",
        ),
        lapsed,
        elsewhere,
    ]
}

#[test]
fn allows_exactly_the_approvals_that_hold_once_each_in_order() {
    let ruleset = firewall_ruleset(FirewallFormat::Nftables, &shop(), &inventory(), now());
    let allowed: Vec<(Protocol, u16, i64)> = ruleset
        .allowed
        .iter()
        .map(|allowed| (allowed.protocol, allowed.port, allowed.entry.get()))
        .collect();
    assert_eq!(
        allowed,
        [
            (Protocol::Tcp, 22, 2),
            (Protocol::Tcp, 80, 1),
            (Protocol::Tcp, 443, 3),
            (Protocol::Udp, 53, 4),
        ]
    );
    assert_eq!(ruleset.warnings.len(), 1, "{:#?}", ruleset.warnings);
    assert!(
        ruleset.warnings[0].contains("8443/tcp") && ruleset.warnings[0].contains("2026-11-30"),
        "{}",
        ruleset.warnings[0]
    );
}

#[test]
fn a_port_limited_to_some_sources_lets_in_only_those() {
    let nft = firewall_ruleset(FirewallFormat::Nftables, &shop(), &inventory(), now());
    let text = &nft.files[0].text;
    let ssh: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|line| line.ends_with("dport 22 accept"))
        .collect();
    assert_eq!(
        ssh,
        [
            "ip saddr { 198.51.100.7/32 } tcp dport 22 accept",
            "ip6 saddr { 2001:db8:1::/48 } tcp dport 22 accept",
        ]
    );
    let iptables = firewall_ruleset(FirewallFormat::Iptables, &shop(), &inventory(), now());
    let rules = |name: &str| -> Vec<String> {
        let file = iptables
            .files
            .iter()
            .find(|file| file.name == name)
            .unwrap();
        file.text
            .lines()
            .filter(|line| line.contains("--dport 22 "))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        rules("rules.v4"),
        ["-A INPUT -s 198.51.100.7/32 -p tcp -m tcp --dport 22 -j ACCEPT"]
    );
    assert_eq!(
        rules("rules.v6"),
        ["-A INPUT -s 2001:db8:1::/48 -p tcp -m tcp --dport 22 -j ACCEPT"]
    );
}

#[test]
fn warns_loudly_when_no_remote_administration_port_is_approved() {
    let without_ssh: Vec<InventoryEntry> = inventory()
        .into_iter()
        .filter(|entry| entry.port != 22)
        .collect();
    for format in FirewallFormat::ALL {
        let ruleset = firewall_ruleset(format, &shop(), &without_ssh, now());
        assert!(
            ruleset.warnings[0].starts_with("no remote administration port"),
            "{:#?}",
            ruleset.warnings
        );
        let text = &ruleset.files[0].text;
        let warning = text
            .lines()
            .find(|line| line.contains("WARNING: no remote administration port"))
            .unwrap_or_else(|| panic!("no warning in the file:\n{text}"));
        assert!(is_comment(warning), "{warning}");
    }
    // SSH moved to another port still counts, by its service.
    let mut moved = without_ssh.clone();
    moved.push(entry(
        8,
        Protocol::Tcp,
        2222,
        "ssh",
        "Our developer logs in",
    ));
    let ruleset = firewall_ruleset(FirewallFormat::Ufw, &shop(), &moved, now());
    assert!(
        !ruleset
            .warnings
            .iter()
            .any(|warning| warning.starts_with("no remote administration")),
        "{:#?}",
        ruleset.warnings
    );
}

/// A comment line in any format's files: shell and rules files, batch
/// files, XML.
fn is_comment(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('#')
        || line.starts_with("rem ")
        || (line.starts_with("<!--")
            && line.ends_with("-->")
            && !line[4..line.len() - 3].contains("--"))
}

#[test]
fn what_a_person_typed_stays_one_line_inside_a_comment() {
    assert_eq!(
        one_line("Our developer logs in \"from the office\";\nrm -rf / `id` 'x' \\"),
        "Our developer logs in from the office ; rm -rf / id 'x'"
    );
    let long = one_line(&"word ".repeat(60));
    assert_eq!(long.chars().count(), COMMENT_CHARS);
    assert!(long.ends_with('…'));
    for format in FirewallFormat::ALL {
        let ruleset = firewall_ruleset(format, &shop(), &inventory(), now());
        for file in &ruleset.files {
            for line in file.text.lines().filter(|line| line.contains("rm -rf")) {
                assert!(is_comment(line), "{}: {line}", file.name);
            }
        }
    }
}

/// Each format's whole output against its golden file in
/// `tests/golden/firewall/`; `UPDATE_GOLDEN=1` writes them anew, for a
/// person to read in the diff.
#[test]
fn each_format_matches_its_golden_file() {
    let golden = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/firewall");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for format in FirewallFormat::ALL {
        let ruleset = firewall_ruleset(format, &shop(), &inventory(), now());
        let shown = shown(&ruleset);
        let path = golden.join(format!("{}.txt", format.id()));
        if update {
            std::fs::create_dir_all(&golden).unwrap();
            std::fs::write(&path, &shown).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        assert_eq!(
            shown,
            expected,
            "{} differs from {}: run with UPDATE_GOLDEN=1 and read the diff",
            format.id(),
            path.display()
        );
    }
}

fn shown(ruleset: &Ruleset) -> String {
    let mut out = String::new();
    for file in &ruleset.files {
        out += &format!("==> {} <==\n{}\n", file.name, file.text);
    }
    out += &format!("==> apply <==\n{}\n", ruleset.apply);
    out += &format!("==> rollback <==\n{}", ruleset.rollback);
    out
}

/// Whether PowerShell's grammar (tree-sitter's, as PowerShell itself is
/// not on this machine) reads `script` without an error or a missing
/// token.
fn parses_as_powershell(script: &str) -> bool {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the PowerShell grammar loads");
    let tree = parser.parse(script, None).expect("a parse tree");
    !tree.root_node().has_error()
}

#[test]
fn the_windows_scripts_parse_as_powershell() {
    let ruleset = firewall_ruleset(FirewallFormat::Windows, &shop(), &inventory(), now());
    let scripts = ruleset
        .files
        .iter()
        .filter(|file| file.name.ends_with(".ps1"))
        .map(|file| (file.name.as_str(), file.text.as_str()))
        .chain([
            ("apply", ruleset.apply.as_str()),
            ("rollback", ruleset.rollback.as_str()),
        ]);
    let mut checked = 0;
    for (name, script) in scripts {
        assert!(
            parses_as_powershell(script),
            "{name} does not parse:\n{script}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
    // The check can fail: a quote left open, a brace not closed.
    assert!(!parses_as_powershell(
        "New-NetFirewallRule -DisplayName 'Portcullis -LocalPort 22\n"
    ));
    assert!(!parses_as_powershell(
        "if ($answer -eq 'yes') {\n    Write-Host 'Kept.'\n"
    ));
}

/// Whether `bash -n` reads `script` without a syntax error: the apply
/// scripts run with bash.
fn parses_as_bash(script: &str) -> bool {
    use std::io::Write;
    let mut child = std::process::Command::new("bash")
        .arg("-n")
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sh runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

#[test]
fn the_shell_scripts_parse_as_bash() {
    let mut checked = 0;
    for format in FirewallFormat::ALL
        .into_iter()
        .filter(|format| format.script_extension() == "sh")
    {
        let ruleset = firewall_ruleset(format, &shop(), &inventory(), now());
        let scripts = ruleset
            .files
            .iter()
            .filter(|file| file.name.ends_with(".sh"))
            .map(|file| file.text.as_str())
            .chain([ruleset.apply.as_str(), ruleset.rollback.as_str()]);
        for script in scripts {
            assert!(parses_as_bash(script), "{}:\n{script}", format.id());
            checked += 1;
        }
    }
    assert_eq!(
        checked,
        2 * 9 + 5,
        "the scripts of 9 formats, 5 with a script file"
    );
    assert!(!parses_as_bash("if true; then\n echo open\n"));
}

/// firewalld's own reader (`firewall-offline-cmd`, from Debian's firewalld
/// package, which setup installs and never starts) on a configuration
/// folder holding only `zone`: whether its check passes, and what it lists
/// of the Portcullis zone.
fn firewalld_reads(zone: &str) -> (bool, String) {
    let folder = tempfile::tempdir().unwrap();
    std::fs::create_dir(folder.path().join("zones")).unwrap();
    std::fs::write(folder.path().join("zones/portcullis.xml"), zone).unwrap();
    // The stock settings, so the check reads only the zone as ours.
    std::fs::copy(
        "/etc/firewalld/firewalld.conf",
        folder.path().join("firewalld.conf"),
    )
    .expect("firewalld is installed (cargo xtask setup)");
    let offline = |args: &[&str]| {
        std::process::Command::new("firewall-offline-cmd")
            .arg("--system-config")
            .arg(folder.path())
            .args(args)
            .output()
            .expect("firewall-offline-cmd runs (cargo xtask setup installs firewalld)")
    };
    let checked = offline(&["--check-config"]);
    let listed = offline(&["--zone=portcullis", "--list-all"]);
    (
        checked.status.success(),
        String::from_utf8_lossy(&listed.stdout).into_owned(),
    )
}

#[test]
fn the_firewalld_zone_passes_firewalld_s_own_check_and_lets_in_the_approvals() {
    let ruleset = firewall_ruleset(FirewallFormat::Firewalld, &shop(), &inventory(), now());
    let zone = &ruleset.files[0].text;
    let (passes, listed) = firewalld_reads(zone);
    assert!(passes, "firewalld refuses the zone:\n{zone}");
    assert!(
        listed.contains("ports: 80/tcp 443/tcp 53/udp\n"),
        "{listed}"
    );
    for source in ["198.51.100.7/32", "2001:db8:1::/48"] {
        assert!(
            listed.contains(&format!(
                "source address=\"{source}\" port port=\"22\" protocol=\"tcp\" accept"
            )),
            "{source}: {listed}"
        );
    }
    assert!(!listed.contains("8443"), "the lapsed approval: {listed}");

    let broken = zone.replacen("<accept/>", "<acept/>", 1);
    assert!(!firewalld_reads(&broken).0, "the check passes anything");
}
