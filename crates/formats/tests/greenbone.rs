//! The Greenbone reader on reports written the way Greenbone writes them
//! (by hand here, from the management protocol's documented report
//! format), in both shapes: the protocol's answer and the web UI's
//! download. Then on files cut short, and on hostile ones.

mod common;

use common::{events, reported};
use std::io::{BufReader, Read};
use std::net::IpAddr;

use portcullis_formats::{
    FormatError, ImportFormat, Item, Limits, ReadOutcome, RunInfo, read_greenbone_xml, sniff,
};
use portcullis_model::compliance::ScanCoverage;
use portcullis_model::import::{CvssScore, ReportSource, ReportedItem, ReportedLevel};
use portcullis_model::scan::{PortState, Protocol, Reason, ScanEvent};

/// The report proper: five results on two hosts, a third host with none.
/// A Medium TLS finding on 443/tcp (CVEs, an inactive override with its
/// own NVT and result, a delta with an older result); a High one on
/// 6379/tcp with an `&amp;` in its name and the old `cvss_base` only; a
/// Log one on 22/tcp; a Low one on general/tcp; one on 80/tcp marked a
/// false positive.
const REPORT: &str = r#"<report id="5c0a6d1e-3b7f-4d62-9a51-6f1d2e3c4b5a">
<gmp><version>22.4</version></gmp>
<sort><field>severity<order>descending</order></field></sort>
<filters id=""><term>apply_overrides=1 min_qod=70 levels=hmlg rows=100 first=1 sort-reverse=severity</term><filter>High</filter><filter>Medium</filter><filter>Low</filter><filter>Log</filter><keywords><keyword><column>levels</column><relation>=</relation><value>hmlg</value></keyword></keywords></filters>
<scan_run_status>Done</scan_run_status>
<hosts><count>3</count></hosts>
<closed_cves><count>0</count></closed_cves>
<vulns><count>4</count></vulns>
<task id="0d6a7c2b-1e4f-4a3b-8c5d-2f6e7a8b9c0d"><name>Shop &amp; cache, quarterly</name><comment></comment><target id="8e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b"><trash>0</trash><name>Shop network</name><comment></comment></target><progress>-1</progress></task>
<timestamp>2025-12-01T09:59:41Z</timestamp>
<scan_start>2025-12-01T10:00:00Z</scan_start>
<timezone>Coordinated Universal Time</timezone>
<timezone_abbrev>UTC</timezone_abbrev>
<ports start="1" max="100"><count>4</count>
<port>443/tcp<host>198.18.0.10</host><severity>4.3</severity><threat>Medium</threat></port>
<port>6379/tcp<host>198.18.0.11</host><severity>7.5</severity><threat>High</threat></port>
</ports>
<results start="1" max="100">
<result id="a1000000-0000-4000-8000-000000000001">
  <name>SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection</name>
  <owner><name>admin</name></owner>
  <modification_time>2025-12-01T10:20:11Z</modification_time>
  <comment></comment>
  <creation_time>2025-12-01T10:20:11Z</creation_time>
  <host>198.18.0.10<asset asset_id="b2000000-0000-4000-8000-000000000010"/><hostname>shop.example</hostname></host>
  <port>443/tcp</port>
  <nvt oid="1.3.6.1.4.1.25623.1.0.117274">
    <type>nvt</type>
    <name>SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection</name>
    <family>SSL and TLS</family>
    <cvss_base>4.3</cvss_base>
    <severities score="4.3"><severity type="cvss_base_v3"><origin></origin><date>2021-03-25T00:00:00Z</date><score>4.3</score><value>CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N</value></severity></severities>
    <tags>cvss_base_vector=CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N|summary=It was possible to detect the usage of the deprecated TLSv1.0 and/or TLSv1.1 protocol on this system.|insight=The TLSv1.0 and TLSv1.1 protocols contain known cryptographic flaws.|affected=All services providing an encrypted communication using the TLSv1.0 and/or TLSv1.1 protocols.|impact=An attacker might be able to use the known cryptographic flaws to eavesdrop the connection.|solution=Disable TLSv1.0 and TLSv1.1.|vuldetect=Checks the used TLS protocols of the services provided by this system.|solution_type=Mitigation</tags>
    <solution type="Mitigation">It is recommended to disable the deprecated TLSv1.0 and/or TLSv1.1 protocols in favor of the TLSv1.2+ protocols.</solution>
    <refs><ref type="cve" id="CVE-2011-3389"/><ref type="cve" id="CVE-2015-0204"/><ref type="url" id="https://ssl-config.mozilla.org/"/><ref type="cert-bund" id="CB-K18/0094"/><ref type="dfn-cert" id="DFN-CERT-2020-1369"/></refs>
  </nvt>
  <scan_nvt_version>2025-09-12T05:05:36Z</scan_nvt_version>
  <threat>Medium</threat>
  <severity>4.3</severity>
  <qod><value>98</value><type>remote_vul</type></qod>
  <description>In addition to TLSv1.2+ the service is also providing the deprecated TLSv1.0 protocol and supports one or more ciphers.</description>
  <original_threat>Medium</original_threat>
  <original_severity>4.3</original_severity>
  <compliance>undefined</compliance>
  <notes></notes>
  <overrides><override id="c3000000-0000-4000-8000-000000000001"><nvt oid="1.3.6.1.4.1.25623.1.0.117274"><name>Overridden &lt;NVT&gt; name</name><type>nvt</type></nvt><text excerpt="0">Accepted until the TLS upgrade in January.</text><threat>Medium</threat><severity>4.3</severity><new_threat>Low</new_threat><new_severity>2.0</new_severity><orphan>0</orphan><active>0</active><result id="d4000000-0000-4000-8000-000000000001"><host>203.0.113.99</host><port>8443/tcp</port></result></override></overrides>
  <delta>changed<result id="d4000000-0000-4000-8000-000000000002"><name>Old name from the delta</name><host>203.0.113.7</host><port>8080/tcp</port><nvt oid="1.2.3"><name>Delta NVT</name></nvt><threat>High</threat><severity>9.9</severity><description>stale</description></result><diff>--- a</diff></delta>
</result>
<result id="a1000000-0000-4000-8000-000000000002">
  <name>Redis Server: Unauthenticated Access &amp; Data Exposure</name>
  <host>198.18.0.11<asset asset_id="b2000000-0000-4000-8000-000000000011"/><hostname></hostname></host>
  <port>6379/tcp</port>
  <nvt oid="1.3.6.1.4.1.25623.1.0.108451">
    <type>nvt</type>
    <name>Redis Server No Password</name>
    <family>Databases</family>
    <cvss_base>7.5</cvss_base>
    <tags>cvss_base_vector=AV:N/AC:L/Au:N/C:P/I:P/A:P|summary=The remote Redis server does not require a password.|solution=Set a password (requirepass) or bind to localhost.|solution_type=Mitigation</tags>
    <refs></refs>
  </nvt>
  <threat>High</threat>
  <severity>7.5</severity>
  <qod><value>95</value><type>remote_active</type></qod>
  <description>The Redis server answered INFO without authentication.</description>
  <original_threat>High</original_threat>
  <original_severity>7.5</original_severity>
  <notes></notes>
  <overrides></overrides>
</result>
<result id="a1000000-0000-4000-8000-000000000003">
  <name>SSH Protocol Algorithms Supported</name>
  <host>198.18.0.10<asset asset_id="b2000000-0000-4000-8000-000000000010"/><hostname>shop.example</hostname></host>
  <port>22/tcp</port>
  <nvt oid="1.3.6.1.4.1.25623.1.0.105565"><type>nvt</type><name>SSH Protocol Algorithms Supported</name><family>Service detection</family><cvss_base>0.0</cvss_base><tags>cvss_base_vector=AV:N/AC:L/Au:N/C:N/I:N/A:N|summary=This script detects which algorithms are supported by the remote SSH service.|solution_type=</tags><refs/></nvt>
  <threat>Log</threat>
  <severity>0.0</severity>
  <qod><value>95</value><type>remote_active</type></qod>
  <description>The following options are supported by the remote SSH service: kex_algorithms: curve25519-sha256</description>
  <original_threat>Log</original_threat>
  <original_severity>0.0</original_severity>
</result>
<result id="a1000000-0000-4000-8000-000000000004">
  <name>TCP Timestamps Information Disclosure</name>
  <host>198.18.0.11<asset asset_id="b2000000-0000-4000-8000-000000000011"/><hostname></hostname></host>
  <port>general/tcp</port>
  <nvt oid="1.3.6.1.4.1.25623.1.0.80091"><type>nvt</type><name>TCP Timestamps Information Disclosure</name><family>General</family><cvss_base>2.6</cvss_base><severities score="2.6"><severity type="cvss_base_v2"><score>2.6</score><value>AV:N/AC:H/Au:N/C:P/I:N/A:N</value></severity></severities><tags>summary=The remote host implements TCP timestamps and therefore allows to compute the uptime.|solution_type=Mitigation</tags><solution type="Mitigation">To disable TCP timestamps on linux add the line 'net.ipv4.tcp_timestamps = 0' to /etc/sysctl.conf.</solution><refs/></nvt>
  <threat>Low</threat>
  <severity>2.6</severity>
  <qod><value>80</value><type>remote_banner</type></qod>
  <description>It was detected that the host implements RFC1323/RFC7323.</description>
  <original_threat>Low</original_threat>
  <original_severity>2.6</original_severity>
</result>
<result id="a1000000-0000-4000-8000-000000000005">
  <name>Apache HTTP Server &lt; 2.4.62 Multiple Vulnerabilities</name>
  <host>198.18.0.10<asset asset_id="b2000000-0000-4000-8000-000000000010"/><hostname>shop.example</hostname></host>
  <port>80/tcp</port>
  <nvt oid="1.3.6.1.4.1.25623.1.0.114697"><type>nvt</type><name>Apache HTTP Server &lt; 2.4.62 Multiple Vulnerabilities</name><family>Web Servers</family><cvss_base>5.3</cvss_base><severities score="5.3"><severity type="cvss_base_v3"><score>5.3</score><value>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N</value></severity></severities><tags>summary=Apache HTTP Server is prone to multiple vulnerabilities.|solution=Update to version 2.4.62 or later.|solution_type=VendorFix</tags><solution type="VendorFix">Update to version 2.4.62 or later.</solution><refs><ref type="cve" id="CVE-2024-40725"/><ref type="cve" id="CVE-2024-40898"/></refs></nvt>
  <threat>False Positive</threat>
  <severity>-1.0</severity>
  <qod><value>80</value><type>remote_banner</type></qod>
  <description>Installed version: 2.4.57 (backported fixes)</description>
  <original_threat>Medium</original_threat>
  <original_severity>5.3</original_severity>
  <overrides><override id="c3000000-0000-4000-8000-000000000002"><nvt oid="1.3.6.1.4.1.25623.1.0.114697"><name>Apache HTTP Server &lt; 2.4.62 Multiple Vulnerabilities</name></nvt><text excerpt="0">Debian backports the fixes.</text><threat>Medium</threat><severity>5.3</severity><new_threat>False Positive</new_threat><new_severity>-1.0</new_severity><active>1</active></override></overrides>
</result>
</results>
<result_count>5<full>5</full><filtered>5</filtered><debug><full>0</full><filtered>0</filtered></debug><hole><full>1</full><filtered>1</filtered></hole><info><full>1</full><filtered>1</filtered></info><log><full>1</full><filtered>1</filtered></log><warning><full>1</full><filtered>1</filtered></warning><false_positive><full>1</full><filtered>1</filtered></false_positive></result_count>
<severity><full>7.5</full><filtered>7.5</filtered></severity>
<host><ip>198.18.0.10</ip><asset asset_id="b2000000-0000-4000-8000-000000000010"/><start>2025-12-01T10:00:05Z</start><end>2025-12-01T10:31:40Z</end><port_count><page>3</page></port_count><result_count><page>3</page><hole><page>0</page></hole><warning><page>1</page></warning></result_count><detail><name>hostname</name><value>shop.example</value><source><type>nvt</type><name>1.3.6.1.4.1.25623.1.0.103997</name><description>Host Details</description></source><extra></extra></detail><detail><name>best_os_cpe</name><value>cpe:/o:debian:debian_linux:12</value><source><type>nvt</type><name>1.3.6.1.4.1.25623.1.0.105937</name><description>OS Detection Consolidation and Reporting</description></source><extra></extra></detail></host>
<host><ip>198.18.0.11</ip><asset asset_id="b2000000-0000-4000-8000-000000000011"/><start>2025-12-01T10:00:05Z</start><end>2025-12-01T10:29:02Z</end><detail><name>best_os_txt</name><value>Linux Kernel</value><source><type>nvt</type><name>hostname</name></source></detail><detail><name>hostname</name><value>cache.example</value></detail></host>
<host><ip>198.18.0.12</ip><start>2025-12-01T10:00:05Z</start><end>2025-12-01T10:12:00Z</end><detail><name>best_os_txt</name><value>Linux Kernel</value></detail></host>
<scan_end>2025-12-01T10:32:00Z</scan_end>
<errors><count>0</count></errors>
<report_format></report_format>
</report>"#;

/// The term the report was exported through.
const TERM: &str =
    "apply_overrides=1 min_qod=70 levels=hmlg rows=100 first=1 sort-reverse=severity";

/// What the management protocol answers to `<get_reports details="1">`:
/// the report inside a report that describes it, and the answer's own
/// filter (a different one, which is not the report's).
fn raw_answer() -> String {
    format!(
        r#"<get_reports_response status="200" status_text="OK"><report id="5c0a6d1e-3b7f-4d62-9a51-6f1d2e3c4b5a" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml" content_type="text/xml"><owner><name>admin</name></owner><name>2025-12-01T09:59:41Z</name><comment></comment><creation_time>2025-12-01T09:59:41Z</creation_time><modification_time>2025-12-01T10:32:00Z</modification_time><writable>0</writable><in_use>0</in_use><task id="0d6a7c2b-1e4f-4a3b-8c5d-2f6e7a8b9c0d"><name>Shop &amp; cache, quarterly</name></task><report_format id="a994b278-1f62-11e1-96ac-406186ea4fc5"><name>XML</name></report_format>{REPORT}</report><filters id=""><term>first=1 rows=10 levels=h sort=name</term><keywords></keywords></filters><sort><field>name<order>ascending</order></field></sort><reports start="1" max="-1"/><report_count>1<filtered>1</filtered><page>1</page></report_count></get_reports_response>"#
    )
}

/// What the web UI's "Download filtered report" (XML) saves.
fn web_download() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<report id="5c0a6d1e-3b7f-4d62-9a51-6f1d2e3c4b5a" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5" extension="xml" content_type="text/xml"><owner><name>admin</name></owner><name>2025-12-01T09:59:41Z</name><comment></comment><creation_time>2025-12-01T09:59:41Z</creation_time><modification_time>2025-12-01T10:32:00Z</modification_time><writable>0</writable><in_use>0</in_use><task id="0d6a7c2b-1e4f-4a3b-8c5d-2f6e7a8b9c0d"><name>Shop &amp; cache, quarterly</name></task><report_format id="a994b278-1f62-11e1-96ac-406186ea4fc5"><name>XML</name></report_format>{REPORT}</report>
"#
    )
}

fn both_shapes() -> [(&'static str, String); 2] {
    [
        ("the protocol's answer", raw_answer()),
        ("the web UI's download", web_download()),
    ]
}

fn read(text: &str) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    read_with(text.as_bytes(), Limits::default())
}

fn read_with(input: impl Read, limits: Limits) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    common::collect(|emit| read_greenbone_xml(BufReader::new(input), limits, emit))
}

fn refused(text: &str) -> FormatError {
    match read(text) {
        Ok((items, _)) => panic!("imported: {items:#?}"),
        Err(error) => error,
    }
}

/// A host handed on: its address, its name and its open ports.
type HostSeen = (IpAddr, Option<String>, Vec<(Protocol, u16)>);

/// The hosts handed on, in order.
fn hosts(items: &[Item]) -> Vec<HostSeen> {
    let mut hosts: Vec<HostSeen> = Vec::new();
    for event in events(items) {
        match event {
            ScanEvent::Host(host) => {
                assert!(host.up);
                hosts.push((host.address, host.name.clone(), Vec::new()));
            }
            ScanEvent::Port(port) => {
                assert_eq!(port.state, PortState::Open);
                assert_eq!(port.reason, Reason::Reported);
                let host = hosts.last_mut().expect("a port after its host");
                assert_eq!(host.0, port.address);
                host.2.push((port.protocol, port.port));
            }
            _ => {}
        }
    }
    hosts
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn cvss(score: f32, version: u8) -> Option<CvssScore> {
    Some(CvssScore { score, version })
}

fn expected_items() -> Vec<ReportedItem> {
    let tls = ReportedItem {
        source: ReportSource::Greenbone,
        check_id: "1.3.6.1.4.1.25623.1.0.117274".into(),
        name: "SSL/TLS: Deprecated TLSv1.0 and TLSv1.1 Protocol Detection".into(),
        family: Some("SSL and TLS".into()),
        address: ip("198.18.0.10"),
        port: Some(443),
        protocol: Some(Protocol::Tcp),
        service: None,
        level: ReportedLevel::Medium,
        cvss: cvss(4.3, 3),
        cves: vec!["CVE-2011-3389".into(), "CVE-2015-0204".into()],
        synopsis: "It was possible to detect the usage of the deprecated TLSv1.0 and/or TLSv1.1 protocol on this system.".into(),
        solution: "It is recommended to disable the deprecated TLSv1.0 and/or TLSv1.1 protocols in favor of the TLSv1.2+ protocols.".into(),
        output: "In addition to TLSv1.2+ the service is also providing the deprecated TLSv1.0 protocol and supports one or more ciphers.".into(),
        false_positive: false,
        quality: Some(98),
    };
    let redis = ReportedItem {
        check_id: "1.3.6.1.4.1.25623.1.0.108451".into(),
        // The escape survives, and so do the spaces around it.
        name: "Redis Server: Unauthenticated Access & Data Exposure".into(),
        family: Some("Databases".into()),
        address: ip("198.18.0.11"),
        port: Some(6379),
        level: ReportedLevel::High,
        // Only the old `cvss_base`, and a version 2 vector.
        cvss: cvss(7.5, 2),
        cves: Vec::new(),
        synopsis: "The remote Redis server does not require a password.".into(),
        // No <solution> element: the tags' solution.
        solution: "Set a password (requirepass) or bind to localhost.".into(),
        output: "The Redis server answered INFO without authentication.".into(),
        quality: Some(95),
        ..tls.clone()
    };
    let timestamps = ReportedItem {
        check_id: "1.3.6.1.4.1.25623.1.0.80091".into(),
        name: "TCP Timestamps Information Disclosure".into(),
        family: Some("General".into()),
        address: ip("198.18.0.11"),
        // general/tcp: about the host, over TCP.
        port: None,
        protocol: Some(Protocol::Tcp),
        level: ReportedLevel::Low,
        cvss: cvss(2.6, 2),
        cves: Vec::new(),
        synopsis: "The remote host implements TCP timestamps and therefore allows to compute the uptime.".into(),
        solution: "To disable TCP timestamps on linux add the line 'net.ipv4.tcp_timestamps = 0' to /etc/sysctl.conf.".into(),
        output: "It was detected that the host implements RFC1323/RFC7323.".into(),
        quality: Some(80),
        ..tls.clone()
    };
    let apache = ReportedItem {
        check_id: "1.3.6.1.4.1.25623.1.0.114697".into(),
        name: "Apache HTTP Server < 2.4.62 Multiple Vulnerabilities".into(),
        family: Some("Web Servers".into()),
        port: Some(80),
        // Marked a false positive: the level and score it had before.
        level: ReportedLevel::Medium,
        cvss: cvss(5.3, 3),
        cves: vec!["CVE-2024-40725".into(), "CVE-2024-40898".into()],
        synopsis: "Apache HTTP Server is prone to multiple vulnerabilities.".into(),
        solution: "Update to version 2.4.62 or later.".into(),
        output: "Installed version: 2.4.57 (backported fixes)".into(),
        false_positive: true,
        quality: Some(80),
        ..tls.clone()
    };
    vec![tls, redis, timestamps, apache]
}

#[test]
fn both_shapes_give_the_run_the_problems_and_the_hosts_with_their_open_ports() {
    for (shape, text) in both_shapes() {
        let (items, outcome) = read(&text).unwrap_or_else(|error| panic!("{shape}: {error}"));
        assert!(outcome.complete, "{shape}");
        assert_eq!(outcome.warnings, Vec::<String>::new(), "{shape}");

        assert_eq!(
            items[0],
            Item::Run(RunInfo {
                scanner: "Greenbone 22.4".into(),
                args: TERM.into(),
                targets: "imported".into(),
                ports: String::new(),
                started_unix: Some(1_764_583_200),
                coverage: ScanCoverage {
                    reported_checks: true,
                    ..ScanCoverage::default()
                },
            }),
            "{shape}"
        );
        let runs = items
            .iter()
            .filter(|item| matches!(item, Item::Run(_)))
            .count();
        assert_eq!(runs, 1, "{shape}");

        // The Log result is no item; the nested results of the override and
        // the delta are not the report's.
        let found: Vec<ReportedItem> = reported(&items).into_iter().cloned().collect();
        assert_eq!(found, expected_items(), "{shape}");
        // Streamed as read: the items come before the hosts.
        assert!(
            matches!(
                items[1..5],
                [
                    Item::Reported(_),
                    Item::Reported(_),
                    Item::Reported(_),
                    Item::Reported(_)
                ]
            ),
            "{shape}"
        );

        assert_eq!(
            hosts(&items),
            vec![
                (
                    ip("198.18.0.10"),
                    Some("shop.example".into()),
                    // 22 from the Log result, 80 from the false positive.
                    vec![
                        (Protocol::Tcp, 22),
                        (Protocol::Tcp, 80),
                        (Protocol::Tcp, 443)
                    ]
                ),
                (
                    ip("198.18.0.11"),
                    Some("cache.example".into()),
                    vec![(Protocol::Tcp, 6379)]
                ),
                (ip("198.18.0.12"), None, Vec::new()),
            ],
            "{shape}"
        );

        let events = events(&items);
        let Some(ScanEvent::Finished(summary)) = events.last() else {
            panic!("{shape}: the last event is not Finished: {events:#?}")
        };
        assert_eq!((summary.hosts_up, summary.hosts_down), (3, 0));
        assert_eq!(summary.open_ports, 4);
        assert!(!summary.partial);
    }
}

#[test]
fn both_shapes_are_known_by_their_first_bytes() {
    for (shape, text) in both_shapes() {
        let head = &text.as_bytes()[..text.len().min(4096)];
        assert_eq!(sniff(head), Some(ImportFormat::Greenbone), "{shape}");
        let start = &text.as_bytes()[..300];
        assert_eq!(
            sniff(start),
            Some(ImportFormat::Greenbone),
            "{shape}, 300 bytes"
        );
    }
}

fn warnings_of(text: &str) -> Vec<String> {
    let (_, outcome) = read(text).expect("the file imports");
    outcome.warnings
}

#[test]
fn an_export_without_the_log_level_says_ports_may_be_missing() {
    let without_log = web_download()
        .replace("levels=hmlg rows", "levels=hml rows")
        .replace("<filter>Log</filter>", "");
    let warnings = warnings_of(&without_log);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("left out the log-level results"));
    assert!(warnings[0].contains("ports may be missing"));
    assert!(warnings[0].contains("\"Log\" level included"));

    // A term without levels=: the listed levels tell.
    let listed_only = web_download()
        .replace("levels=hmlg ", "")
        .replace("<filter>Log</filter>", "");
    assert_eq!(warnings_of(&listed_only).len(), 1);
    // The answer's own filter (levels=h) is not the report's.
    assert!(warnings_of(&raw_answer()).is_empty());
}

#[test]
fn a_scan_that_did_not_finish_says_so() {
    let interrupted = raw_answer().replace(
        "<scan_run_status>Done</scan_run_status>",
        "<scan_run_status>Interrupted</scan_run_status>",
    );
    let (items, outcome) = read(&interrupted).expect("the file imports");
    assert!(outcome.complete, "the file itself is whole");
    assert_eq!(outcome.warnings.len(), 1, "{:?}", outcome.warnings);
    assert!(outcome.warnings[0].contains("did not finish"));
    assert!(outcome.warnings[0].contains("'Interrupted'"));
    assert_eq!(reported(&items).len(), 4);
    let warned = events(&items).iter().any(
        |event| matches!(event, ScanEvent::Warning { message } if message.contains("Interrupted")),
    );
    assert!(warned, "the warning is handed on as an event too");
}

#[test]
fn an_export_cut_by_its_row_limit_says_so() {
    let cut = web_download().replace(
        "<result_count>5<full>5</full><filtered>5</filtered>",
        "<result_count>7<full>7</full><filtered>7</filtered>",
    );
    let warnings = warnings_of(&cut);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("5 of the 7 results"), "{warnings:?}");
}

#[test]
fn a_file_cut_short_keeps_the_results_before_the_cut() {
    let text = raw_answer();
    let second = text
        .find("<result id=\"a1000000-0000-4000-8000-000000000002\"")
        .unwrap();
    let in_text = text[second..].find("6379/tcp").unwrap() + second + 4;
    let in_tag = text[second..].find("<nvt oid=").unwrap() + second + 7;
    for end in [in_text, in_tag] {
        let (items, outcome) = read(&text[..end]).expect("what is there imports");
        assert!(!outcome.complete, "cut at {end}");
        assert!(
            outcome
                .warnings
                .iter()
                .any(|warning| warning.contains("middle of a result")),
            "{:?}",
            outcome.warnings
        );
        assert!(
            outcome
                .warnings
                .iter()
                .any(|warning| warning.contains("ends before the report does")),
            "{:?}",
            outcome.warnings
        );
        assert!(matches!(&items[0], Item::Run(run) if run.scanner == "Greenbone 22.4"));
        let found = reported(&items);
        assert_eq!(found.len(), 1, "cut at {end}");
        assert_eq!(found[0].port, Some(443));
        assert_eq!(
            hosts(&items),
            vec![(
                ip("198.18.0.10"),
                Some("shop.example".into()),
                vec![(Protocol::Tcp, 443)]
            )]
        );
        let events = events(&items);
        let Some(ScanEvent::Finished(summary)) = events.last() else {
            panic!("no Finished")
        };
        assert!(summary.partial);
    }
}

#[test]
fn entity_tricks_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE report [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<report id="x" format_id="a994b278-1f62-11e1-96ac-406186ea4fc5"><report id="y"><results><result><name>&lol2;</name></result></results></report></report>"#;
    assert!(matches!(refused(laughs), FormatError::DocumentType { .. }));

    let external = r#"<?xml version="1.0"?>
<!DOCTYPE report SYSTEM "file:///etc/passwd">
<report id="x"><report id="y"/></report>"#;
    assert!(matches!(
        refused(external),
        FormatError::DocumentType { .. }
    ));
}

#[test]
fn a_file_of_another_kind_is_named_as_such() {
    // nmap's bare document type declares nothing: the root names the kind.
    let nmap = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" args="nmap -sS 198.18.0.10" start="1764979200" version="7.93" xmloutputversion="1.05">
<host><status state="up" reason="echo-reply"/><address addr="198.18.0.10" addrtype="ipv4"/></host>
</nmaprun>"#;
    let error = refused(nmap);
    assert!(matches!(error, FormatError::WrongKind { .. }), "{error}");
    assert!(error.to_string().contains("<nmaprun>"), "{error}");
    assert!(
        error.to_string().contains("Greenbone/OpenVAS report"),
        "{error}"
    );
    assert!(matches!(refused(""), FormatError::WrongKind { .. }));
    let empty_answer =
        r#"<get_reports_response status="200" status_text="OK"></get_reports_response>"#;
    assert!(matches!(
        refused(empty_answer),
        FormatError::WrongKind { .. }
    ));
}

#[test]
fn a_failed_answer_says_why() {
    let failed = r#"<get_reports_response status="404" status_text="Failed to find report &apos;5c0a&apos;"/>"#;
    let error = refused(failed);
    assert!(matches!(error, FormatError::Invalid { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("status is 404 ('Failed to find report '5c0a'')"),
        "{error}"
    );
}

#[test]
fn a_result_host_that_is_no_address_is_an_error_with_a_place() {
    let bad = web_download().replacen("<host>198.18.0.11<asset", "<host>cache.example<asset", 1);
    let error = refused(&bad);
    assert!(
        matches!(
            error,
            FormatError::Invalid {
                what: "a result's host address",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("'cache.example'"), "{error}");
    assert!(error.to_string().contains("at byte"), "{error}");
}

#[test]
fn invalid_utf8_is_an_error_with_a_place() {
    let text = web_download();
    for marker in ["Redis server answered", "shop.example", "a994b278"] {
        let mut bytes = text.as_bytes().to_vec();
        let at = text.find(marker).unwrap();
        bytes[at] = 0xff;
        let error = match read_with(&bytes[..], Limits::default()) {
            Ok(_) => panic!("invalid UTF-8 at {marker} imported"),
            Err(error) => error,
        };
        assert!(
            matches!(error, FormatError::Malformed { .. }),
            "{marker}: {error}"
        );
    }
}

/// One element longer than the limit is refused after reading about the
/// limit, not the whole line: a 2 GB line costs no more memory than this.
#[test]
fn a_huge_line_is_refused_without_reading_it_whole() {
    let limits = Limits {
        element_bytes: 64 * 1024,
        ..Limits::default()
    };
    let heads = [
        "<report id=\"x\" format_id=\"",
        "<report id=\"x\"><report id=\"y\"><results><result><description>",
    ];
    for head in heads {
        let endless = head.as_bytes().chain(std::io::repeat(b'a').take(2 << 30));
        let error = match read_with(endless, limits) {
            Ok(_) => panic!("a 2 GB line imported"),
            Err(error) => error,
        };
        assert!(matches!(error, FormatError::TooLong { .. }), "{error}");
    }
}

/// A result buried a little deeper than reports go still reads as its
/// own; a file of endless nesting is refused before it costs memory.
#[test]
fn nesting_is_read_to_a_sane_depth_and_refused_beyond() {
    let buried = |depth: usize| {
        let deep = format!(
            "<description>{}<name>Buried</name>{}</description>",
            "<x>".repeat(depth),
            "</x>".repeat(depth)
        );
        web_download().replacen(
            "<description>The Redis server answered INFO without authentication.</description>",
            &format!("{deep}<description>The Redis server answered INFO without authentication.</description>"),
            1,
        )
    };
    let (items, _) = read(&buried(100)).expect("the file imports");
    let found: Vec<ReportedItem> = reported(&items).into_iter().cloned().collect();
    assert_eq!(found, expected_items());
    let error = read(&buried(100_000)).unwrap_err();
    assert!(
        error.to_string().contains("nested more than 256 deep"),
        "{error}"
    );
}

#[test]
fn long_texts_are_cut_and_made_printable() {
    let limits = Limits {
        field_chars: 20,
        ..Limits::default()
    };
    let text = web_download().replacen(
        "The Redis server answered INFO",
        "\u{1b}[31mThe Redis server answered INFO",
        1,
    );
    let (items, _) = read_with(text.as_bytes(), limits).expect("the file imports");
    let redis = reported(&items)[1];
    assert_eq!(redis.output, "\\x1b[31mThe Redis serve [cut]");
    assert_eq!(redis.name, "Redis Server: Unauth [cut]");
}

#[test]
fn a_stopped_import_stops() {
    let text = raw_answer();
    let mut taken = 0;
    let result = read_greenbone_xml(text.as_bytes(), Limits::default(), &mut |_| {
        taken += 1;
        taken < 2
    });
    assert!(matches!(result, Err(FormatError::Stopped)), "{result:?}");
    assert_eq!(taken, 2);

    // Stopped among the hosts, after the whole file was read.
    let mut taken = 0;
    let result = read_greenbone_xml(text.as_bytes(), Limits::default(), &mut |_| {
        taken += 1;
        taken < 7
    });
    assert!(matches!(result, Err(FormatError::Stopped)), "{result:?}");
    assert_eq!(taken, 7);
}

/// The fuzzer's seed stays a report the reader takes, with every warning a
/// report can carry but the cut.
#[test]
fn the_fuzz_seed_imports() {
    let seed = include_str!("../../../fuzz/corpus/greenbone_xml/seed-web-download.xml");
    let (items, outcome) = read(seed).expect("the seed imports");
    assert!(outcome.complete);
    assert_eq!(reported(&items).len(), 4);
    assert_eq!(hosts(&items).len(), 3);
    let said = outcome.warnings.join("\n");
    assert!(said.contains("did not finish"), "{said}");
    assert!(said.contains("log-level results"), "{said}");
    assert!(said.contains("1 error(s)"), "{said}");
    assert_eq!(outcome.warnings.len(), 3, "{said}");
}
