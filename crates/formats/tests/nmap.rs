//! The nmap XML reader on files written the way nmap writes them (by hand
//! here, from nmap's documented format; the netlab imports real nmap
//! output), on files cut short, and on hostile ones.

mod common;

use common::events;
use std::io::{BufReader, Read};
use std::net::IpAddr;

use portcullis_formats::{FormatError, Item, Limits, ReadOutcome, RunInfo, read_nmap_xml};
use portcullis_model::compliance::PortRange;
use portcullis_model::scan::{PortState, Protocol, Reason, ScanEvent};
use portcullis_model::service::Confidence;

/// Two hosts: one with two addresses, a name, three open ports (SSH
/// probed, HTTP named from the port table, HTTPS probed through TLS), a
/// closed one and 996 closed ports not listed; one host down.
const SCAN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>
<!-- Nmap 7.93 scan initiated as: nmap -sS -sV -p 1-1000 198.18.0.10 198.18.0.11 -->
<nmaprun scanner="nmap" args="nmap -sS -sV -oX scan.xml -p 1-1000 198.18.0.10 198.18.0.11" start="1764979200" startstr="Sat Dec  6 00:00:00 2025" version="7.93" xmloutputversion="1.05">
<scaninfo type="syn" protocol="tcp" numservices="1000" services="1-1000"/>
<verbose level="0"/>
<debugging level="0"/>
<host starttime="1764979201" endtime="1764979210"><status state="up" reason="echo-reply" reason_ttl="64"/>
<address addr="198.18.0.10" addrtype="ipv4"/>
<address addr="2001:db8::10" addrtype="ipv6"/>
<address addr="02:00:00:00:00:10" addrtype="mac"/>
<hostnames>
<hostname name="shop.example" type="user"/>
<hostname name="web.netlab" type="PTR"/>
</hostnames>
<ports><extraports state="closed" count="996">
<extrareasons reason="reset" count="996" proto="tcp" ports="1-21,23-79"/>
</extraports>
<port protocol="tcp" portid="22"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="ssh" product="OpenSSH" version="9.2p1 Debian 2+deb12u3" extrainfo="protocol 2.0" ostype="Linux" method="probed" conf="10"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service><script id="ssh-hostkey" output="&#xa;  256 aa:bb (ECDSA)&#xa;  256 cc:dd (ED25519)"/></port>
<port protocol="tcp" portid="80"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" method="table" conf="3"/></port>
<port protocol="tcp" portid="113"><state state="closed" reason="reset" reason_ttl="64"/><service name="ident" method="table" conf="3"/></port>
<port protocol="tcp" portid="443"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="http" product="AT&amp;T &lt;web&gt; server" version="1.0" tunnel="ssl" method="probed" conf="10"/></port>
</ports>
<times srtt="100" rttvar="50" to="100000"/>
</host>
<host><status state="down" reason="no-response" reason_ttl="0"/>
<address addr="198.18.0.11" addrtype="ipv4"/>
</host>
<runstats><finished time="1764979230" timestr="Sat Dec  6 00:00:30 2025" summary="Nmap done" elapsed="30.25" exit="success"/><hosts up="1" down="1" total="2"/>
</runstats>
</nmaprun>
"#;

fn read(text: &str) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    read_with(text.as_bytes(), Limits::default())
}

fn read_with(input: impl Read, limits: Limits) -> Result<(Vec<Item>, ReadOutcome), FormatError> {
    common::collect(|emit| read_nmap_xml(BufReader::new(input), limits, emit))
}

fn run_of(items: &[Item]) -> &RunInfo {
    match &items[0] {
        Item::Run(run) => run,
        other => panic!("the first item is not the run: {other:?}"),
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[test]
fn a_service_scan_gives_its_run_hosts_ports_and_identities() {
    let (items, outcome) = read(SCAN).expect("the file imports");
    assert!(outcome.complete);
    let run = run_of(&items);
    assert_eq!(run.scanner, "nmap 7.93");
    assert_eq!(run.targets, "198.18.0.10 198.18.0.11");
    assert_eq!(run.ports, "T:1-1000");
    assert_eq!(run.started_unix, Some(1_764_979_200));
    assert_eq!(
        run.coverage.tcp,
        vec![PortRange {
            first: 1,
            last: 1000
        }]
    );
    assert!(run.coverage.identification);

    let events = events(&items);
    let hosts: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Host(host) => Some(host),
            _ => None,
        })
        .collect();
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts[0].address, ip("198.18.0.10"));
    assert_eq!(hosts[0].name.as_deref(), Some("shop.example"));
    assert!(hosts[0].up);
    assert!(!hosts[1].up);

    let ports: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Port(port) => Some(port),
            _ => None,
        })
        .collect();
    let listed: Vec<(u16, PortState)> = ports.iter().map(|p| (p.port, p.state)).collect();
    assert_eq!(
        listed,
        [
            (22, PortState::Open),
            (80, PortState::Open),
            (113, PortState::Closed),
            (443, PortState::Open)
        ]
    );
    assert_eq!(ports[0].reason, Reason::SynAck);
    assert_eq!(ports[2].reason, Reason::Rst);
    // A name from nmap's port table is the port's usual service, not an
    // identification.
    assert_eq!(ports[1].service.as_deref(), Some("http"));

    let services: Vec<_> = events
        .iter()
        .filter_map(|event| match event {
            ScanEvent::Service(found) => Some(found),
            _ => None,
        })
        .collect();
    assert_eq!(services.len(), 2, "only the probed services: {services:#?}");
    let ssh = &services[0].identity;
    assert_eq!(services[0].port, 22);
    assert_eq!(ssh.service, "ssh");
    assert_eq!(ssh.product.as_deref(), Some("OpenSSH"));
    assert_eq!(ssh.version.as_deref(), Some("9.2p1"));
    assert_eq!(
        ssh.extra.as_deref(),
        Some("Debian 2+deb12u3; protocol 2.0; Linux")
    );
    assert_eq!(ssh.confidence, Confidence::Product);
    assert!(ssh.evidence.contains("CPE cpe:/a:openbsd:openssh:9.2p1"));
    assert!(
        ssh.evidence
            .contains("ssh-hostkey: \n  256 aa:bb (ECDSA)\n  256 cc:dd (ED25519)"),
        "{}",
        ssh.evidence
    );
    let https = &services[1].identity;
    assert!(https.tls);
    // The standard escapes survive.
    assert_eq!(https.product.as_deref(), Some("AT&T <web> server"));

    let done = events
        .iter()
        .find_map(|event| match event {
            ScanEvent::HostDone(done) if done.address == ip("198.18.0.10") => Some(done),
            _ => None,
        })
        .expect("the first host is done");
    let closed: u32 = done
        .counts
        .iter()
        .filter(|count| count.state == PortState::Closed && count.protocol == Protocol::Tcp)
        .map(|count| count.count)
        .sum();
    assert_eq!(closed, 997, "996 not listed and one listed");

    let Some(ScanEvent::Finished(summary)) = events.last() else {
        panic!("the last event is not Finished: {events:#?}")
    };
    assert_eq!((summary.hosts_up, summary.hosts_down), (1, 1));
    assert_eq!(summary.open_ports, 3);
    assert!((summary.elapsed_seconds - 30.25).abs() < 1e-9);
    assert!(!summary.partial);

    // The second address is named, not lost.
    assert!(
        outcome
            .warnings
            .iter()
            .any(|warning| warning.contains("2001:db8::10")),
        "{:?}",
        outcome.warnings
    );
}

#[test]
fn an_interrupted_run_gives_the_hosts_it_finished_and_says_so() {
    let cut = SCAN.find("<host><status state=\"down\"").unwrap();
    for end in [cut, cut + 30] {
        let (items, outcome) = read(&SCAN[..end]).expect("what is there imports");
        assert!(!outcome.complete);
        assert!(
            outcome
                .warnings
                .iter()
                .any(|warning| warning.contains("ends before nmap finished")),
            "{:?}",
            outcome.warnings
        );
        let events = events(&items);
        let hosts = events
            .iter()
            .filter(|event| matches!(event, ScanEvent::Host(_)))
            .count();
        assert_eq!(hosts, 1, "cut at {end}");
        let Some(ScanEvent::Finished(summary)) = events.last() else {
            panic!("no Finished")
        };
        assert!(summary.partial);
    }
}

fn refused(text: &str) -> FormatError {
    match read(text) {
        Ok((items, _)) => panic!("imported: {items:#?}"),
        Err(error) => error,
    }
}

#[test]
fn entity_tricks_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nmaprun scanner="nmap" args="&lol3;"></nmaprun>"#;
    assert!(matches!(refused(laughs), FormatError::DocumentType { .. }));

    let external = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun SYSTEM "file:///etc/passwd">
<nmaprun scanner="nmap"></nmaprun>"#;
    assert!(matches!(
        refused(external),
        FormatError::DocumentType { .. }
    ));

    // An entity nobody defined, as a file without its DTD would carry.
    let undefined = r#"<nmaprun scanner="nmap" args="&xxe;"></nmaprun>"#;
    let error = refused(undefined);
    assert!(matches!(error, FormatError::Malformed { .. }), "{error}");
}

#[test]
fn a_file_of_another_kind_is_named_as_such() {
    let nessus =
        r#"<?xml version="1.0" ?><NessusClientData_v2><Report name="x"/></NessusClientData_v2>"#;
    let error = refused(nessus);
    assert!(
        error.to_string().contains("<NessusClientData_v2>"),
        "{error}"
    );
    assert!(matches!(refused(""), FormatError::WrongKind { .. }));
}

#[test]
fn invalid_utf8_and_broken_xml_are_errors_with_a_place() {
    let mut bytes = SCAN.as_bytes().to_vec();
    let at = SCAN.find("OpenSSH").unwrap();
    bytes[at] = 0xff;
    let error = match read_with(&bytes[..], Limits::default()) {
        Ok(_) => panic!("invalid UTF-8 imported"),
        Err(error) => error,
    };
    assert!(matches!(error, FormatError::Malformed { .. }), "{error}");

    let broken = SCAN.replacen("</ports>", "</port>", 1);
    let error = refused(&broken);
    assert!(error.to_string().contains("at byte"), "{error}");

    let bad_port = SCAN.replacen("portid=\"22\"", "portid=\"70000\"", 1);
    assert!(refused(&bad_port).to_string().contains("70000"));
}

/// One element longer than the limit is refused after reading about the
/// limit, not the whole line: a 2 GB line costs no more memory than this.
#[test]
fn a_huge_line_is_refused_without_reading_it_whole() {
    let limits = Limits {
        element_bytes: 64 * 1024,
        ..Limits::default()
    };
    let head = "<nmaprun scanner=\"nmap\" args=\"";
    let endless = head.as_bytes().chain(std::io::repeat(b'a').take(2 << 30));
    let error = match read_with(endless, limits) {
        Ok(_) => panic!("a 2 GB attribute imported"),
        Err(error) => error,
    };
    assert!(matches!(error, FormatError::TooLong { .. }), "{error}");
}

#[test]
fn a_stopped_import_stops() {
    let mut taken = 0;
    let result = read_nmap_xml(SCAN.as_bytes(), Limits::default(), &mut |_| {
        taken += 1;
        taken < 3
    });
    assert!(matches!(result, Err(FormatError::Stopped)));
    assert_eq!(taken, 3);
}
