//! Proof that every daemon of the netlab answers before `up` returns.
//!
//! A daemon that has started, or even bound its port, may not be serving
//! yet: on a fresh machine a scan once found snmpd silent and the same scan
//! found it a minute later. So each daemon is asked, the way a client would
//! ask it, until it answers: a TCP port must accept a connection, dnsmasq
//! must answer a DNS query, snmpd an SNMPv3 engine discovery.
//!
//! The questions are asked from the scanner's namespace, the way scans see
//! the hosts, except where a host's firewall drops them: those ports are
//! asked from inside the host's own namespace. A thread of ours enters the
//! namespace (`setns`) and makes its sockets there; they stay in it. Every
//! packet goes to a host's own netlab address, and only after the isolation
//! check has passed (`up` runs it first).

use std::fs::File;
use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use nix::sched::{CloneFlags, setns};

use crate::daemons::{self, Check, Service};
use crate::topology::{HOSTS, Host, PREFIX_V4, PREFIX_V6, SCANNER_NS};

/// How long `up` waits for every daemon to answer.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// How long one question waits for its answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

/// How long to rest between rounds of questions.
const ROUND_PAUSE: Duration = Duration::from_millis(250);

/// One daemon at one address, and where it is asked from.
struct Question {
    host: Host,
    service: Service,
    address: SocketAddr,
    /// The namespace the question is asked from.
    from: String,
}

impl Question {
    fn describe(&self) -> String {
        let transport = match self.service.check {
            Check::Tcp => "tcp",
            Check::Dns | Check::Snmp => "udp",
        };
        format!(
            "{} ({}): {} on {}/{transport}, asked from {}",
            self.host.name,
            self.address.ip(),
            self.service.daemon,
            self.service.port,
            self.from,
        )
    }
}

/// Waits until every daemon of every host answers, or fails naming those
/// that did not, with what each last did instead. Returns how many
/// services answered. Must run after the isolation check.
pub fn wait_until_answering() -> Result<usize> {
    let mut waiting = questions()?;
    let total = waiting.len();
    let deadline = Instant::now() + READY_WITHIN;
    loop {
        let outcomes = ask_all(&waiting)?;
        let unanswered: Vec<(Question, anyhow::Error)> = waiting
            .into_iter()
            .zip(outcomes)
            .filter_map(|(question, outcome)| outcome.err().map(|error| (question, error)))
            .collect();
        if unanswered.is_empty() {
            return Ok(total);
        }
        if Instant::now() > deadline {
            let list: Vec<String> = unanswered
                .iter()
                .map(|(question, error)| format!("  {}: {error:#}", question.describe()))
                .collect();
            bail!(
                "these netlab daemons did not answer within {} s (their logs are under {}):\n{}",
                READY_WITHIN.as_secs(),
                crate::STATE_DIR,
                list.join("\n")
            );
        }
        waiting = unanswered
            .into_iter()
            .map(|(question, _)| question)
            .collect();
        std::thread::sleep(ROUND_PAUSE);
    }
}

/// Asks every question once, each from its namespace; the outcomes in the
/// questions' order.
fn ask_all(questions: &[Question]) -> Result<Vec<Result<()>>> {
    let mut outcomes: Vec<Option<Result<()>>> = questions.iter().map(|_| None).collect();
    for namespace in namespaces(questions) {
        let here: Vec<usize> = (0..questions.len())
            .filter(|&i| questions[i].from == namespace)
            .collect();
        let answers = in_namespace(&namespace, || {
            here.iter().map(|&i| ask(&questions[i])).collect::<Vec<_>>()
        })?;
        for (i, answer) in here.into_iter().zip(answers) {
            outcomes[i] = Some(answer);
        }
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| outcome.expect("every question is asked from its namespace"))
        .collect())
}

/// Every service of every host, at each of the host's addresses that it
/// serves: TCP daemons on IPv6 too where the host has an address there
/// (the netlab's IPv6 scans expect every port the host listens on), UDP
/// daemons on IPv4 (snmpd binds the host's IPv4 address only).
fn questions() -> Result<Vec<Question>> {
    let mut questions = Vec::new();
    for host in HOSTS {
        let v4: IpAddr = host.v4.parse().context("netlab IPv4 address")?;
        let v6: Option<IpAddr> = host
            .v6
            .map(|v6| v6.parse().context("netlab IPv6 address"))
            .transpose()?;
        for &service in daemons::services(host.name) {
            let addresses = match service.check {
                Check::Tcp => vec![Some(v4), v6],
                Check::Dns | Check::Snmp => vec![Some(v4)],
            };
            for address in addresses.into_iter().flatten() {
                questions.push(Question {
                    host,
                    service,
                    address: SocketAddr::new(lab_address(address)?, service.port),
                    from: vantage(&host, &service),
                });
            }
        }
    }
    Ok(questions)
}

/// The scanner's namespace, unless the host's firewall drops what the
/// scanner would send to this service: then the host's own namespace,
/// where its traffic to itself passes through loopback, which the firewall
/// accepts.
fn vantage(host: &Host, service: &Service) -> String {
    let allowed_through = match host.firewall_allows {
        None => true,
        Some(allowed) => service.check == Check::Tcp && allowed.contains(&service.port),
    };
    if allowed_through {
        SCANNER_NS.to_owned()
    } else {
        host.namespace()
    }
}

/// `address` if it is one of the netlab's (198.18.0.0/24, 2001:db8::/64);
/// an error otherwise, so that no question ever leaves the lab.
fn lab_address(address: IpAddr) -> Result<IpAddr> {
    let inside = match address {
        IpAddr::V4(v4) => {
            let lab = u32::from(Ipv4Addr::new(198, 18, 0, 0));
            (u32::from(v4) ^ lab) >> (32 - PREFIX_V4) == 0
        }
        IpAddr::V6(v6) => {
            let lab = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0));
            (u128::from(v6) ^ lab) >> (128 - PREFIX_V6) == 0
        }
    };
    if !inside {
        bail!("{address} is not a netlab address: refusing to send it anything");
    }
    Ok(address)
}

/// The namespaces the questions are asked from, each once.
fn namespaces(questions: &[Question]) -> Vec<String> {
    let mut namespaces: Vec<String> = questions.iter().map(|q| q.from.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    namespaces
}

/// Runs `work` on a new thread that has entered the network namespace
/// `namespace` (one of the netlab's, named under `/run/netns` by `ip netns
/// add`); sockets it makes belong to that namespace. The calling thread's
/// namespace never changes, and the entering thread ends with `work`.
pub fn in_namespace<T: Send>(namespace: &str, work: impl FnOnce() -> T + Send) -> Result<T> {
    let path = format!("/run/netns/{namespace}");
    let handle = File::open(&path).with_context(|| format!("cannot open {path}"))?;
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                setns(&handle, CloneFlags::CLONE_NEWNET)
                    .with_context(|| format!("cannot enter the network namespace {namespace}"))?;
                Ok(work())
            })
            .join()
            .map_err(|_| anyhow!("the thread asking from {namespace} panicked"))?
    })
}

fn ask(question: &Question) -> Result<()> {
    match question.service.check {
        Check::Tcp => {
            TcpStream::connect_timeout(&question.address, ANSWER_WITHIN)
                .map_err(|e| anyhow!("connection not accepted: {e}"))?;
            Ok(())
        }
        Check::Dns => {
            let name = format!("{}.netlab.test", question.host.name);
            let reply = exchange(question.address, &dns_query(&name))?;
            check_dns_answer(&reply)
        }
        Check::Snmp => {
            let reply = exchange(question.address, &SNMPV3_DISCOVERY)?;
            check_snmp_report(&reply)
        }
    }
}

/// Sends `request` in one datagram to `address` and returns the reply.
fn exchange(address: SocketAddr, request: &[u8]) -> Result<Vec<u8>> {
    let local: SocketAddr = match address {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local)?;
    // Connected, so that only the daemon's datagrams are read, and an ICMP
    // port unreachable comes back as ECONNREFUSED.
    socket.connect(address)?;
    socket.set_read_timeout(Some(ANSWER_WITHIN))?;
    socket.send(request)?;
    let mut buffer = [0_u8; 2048];
    match socket.recv(&mut buffer) {
        Ok(length) => Ok(buffer[..length].to_vec()),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
            bail!("nothing listens (ICMP port unreachable)")
        }
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            bail!("no reply within {} ms", ANSWER_WITHIN.as_millis())
        }
        Err(e) => bail!("cannot read a reply: {e}"),
    }
}

/// The DNS message ID of the readiness query.
const DNS_ID: u16 = 0x5063;

/// A standard query (RFC 1035 §4.1), recursion desired, for the A record
/// of `name`.
fn dns_query(name: &str) -> Vec<u8> {
    let mut query = Vec::with_capacity(32 + name.len());
    query.extend(DNS_ID.to_be_bytes());
    query.extend([0x01, 0x00]); // RD
    query.extend([0, 1, 0, 0, 0, 0, 0, 0]); // one question
    for label in name.split('.') {
        query.push(label.len() as u8);
        query.extend(label.bytes());
    }
    query.push(0);
    query.extend([0, 1, 0, 1]); // type A, class IN
    query
}

/// A response to our query, without error, with at least one answer.
fn check_dns_answer(reply: &[u8]) -> Result<()> {
    if reply.len() < 12 || reply[..2] != DNS_ID.to_be_bytes() || reply[2] & 0x80 == 0 {
        bail!("the reply is not a DNS response to our query");
    }
    let rcode = reply[3] & 0x0f;
    if rcode != 0 {
        bail!("DNS error (RCODE {rcode})");
    }
    if u16::from_be_bytes([reply[6], reply[7]]) == 0 {
        bail!("DNS response without an answer");
    }
    Ok(())
}

/// The msgID of the discovery message, as BER: INTEGER 0x5063.
const SNMP_MSG_ID: [u8; 4] = [0x02, 0x02, 0x50, 0x63];

/// An SNMPv3 engine discovery (RFC 3414 §4): a reportable,
/// unauthenticated GetRequest with an empty engine ID and user, which an
/// agent answers with a Report whatever its communities and users.
const SNMPV3_DISCOVERY: [u8; 60] = [
    0x30,
    0x3a, // SEQUENCE, the message
    0x02,
    0x01,
    0x03, // msgVersion 3
    0x30,
    0x0f, // msgGlobalData
    SNMP_MSG_ID[0],
    SNMP_MSG_ID[1],
    SNMP_MSG_ID[2],
    SNMP_MSG_ID[3], // msgID
    0x02,
    0x03,
    0x00,
    0xff,
    0xe3, // msgMaxSize 65507
    0x04,
    0x01,
    0x04, // msgFlags: reportable
    0x02,
    0x01,
    0x03, // msgSecurityModel: USM
    0x04,
    0x10, // msgSecurityParameters
    0x30,
    0x0e, // UsmSecurityParameters
    0x04,
    0x00, // authoritative engine ID: empty
    0x02,
    0x01,
    0x00, // engine boots
    0x02,
    0x01,
    0x00, // engine time
    0x04,
    0x00, // user name
    0x04,
    0x00, // authentication parameters
    0x04,
    0x00, // privacy parameters
    0x30,
    0x12, // ScopedPDU
    0x04,
    0x00, // context engine ID
    0x04,
    0x00, // context name
    0xa0,
    0x0c, // GetRequest-PDU
    0x02,
    0x02,
    0x50,
    0x63, // request-id
    0x02,
    0x01,
    0x00, // error-status
    0x02,
    0x01,
    0x00, // error-index
    0x30,
    0x00, // no variable bindings
];

/// An SNMPv3 message (a BER SEQUENCE, version 3) echoing our msgID.
fn check_snmp_report(reply: &[u8]) -> Result<()> {
    let is_v3 = reply.first() == Some(&0x30)
        && reply
            .windows(3)
            .take(6)
            .any(|window| window == [0x02, 0x01, 0x03]);
    if !is_v3 || !reply.windows(4).any(|window| window == SNMP_MSG_ID) {
        bail!("the reply is not an SNMPv3 answer to our discovery");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_netlab_addresses_are_asked() {
        for inside in [
            "198.18.0.1",
            "198.18.0.255",
            "2001:db8::10",
            "2001:db8::ffff",
        ] {
            assert!(lab_address(inside.parse().unwrap()).is_ok(), "{inside}");
        }
        for outside in [
            "198.18.1.10",
            "198.19.0.10",
            "127.0.0.1",
            "8.8.8.8",
            "2001:db8:0:1::10",
            "2001:4860::8888",
            "::1",
        ] {
            assert!(lab_address(outside.parse().unwrap()).is_err(), "{outside}");
        }
        for question in questions().unwrap() {
            assert!(lab_address(question.address.ip()).is_ok());
        }
    }

    #[test]
    fn every_host_has_something_to_answer() {
        for host in HOSTS {
            assert!(!daemons::services(host.name).is_empty(), "{}", host.name);
        }
    }

    #[test]
    fn the_filtered_host_is_asked_from_inside_where_its_firewall_drops() {
        let questions = questions().unwrap();
        let from = |host: &str, port: u16| {
            questions
                .iter()
                .find(|q| q.host.name == host && q.service.port == port)
                .map(|q| q.from.clone())
                .unwrap()
        };
        assert_eq!(from("filtered", 443), SCANNER_NS);
        assert_eq!(from("filtered", 8080), "pcl-filtered");
        assert_eq!(from("hardened", 161), SCANNER_NS);
    }

    #[test]
    fn the_discovery_message_is_well_formed_ber() {
        assert_eq!(usize::from(SNMPV3_DISCOVERY[1]) + 2, SNMPV3_DISCOVERY.len());
        assert_eq!(SNMPV3_DISCOVERY[..5], [0x30, 0x3a, 0x02, 0x01, 0x03]);
    }

    #[test]
    fn dns_answers_are_checked() {
        let query = dns_query("udp.netlab.test");
        assert_eq!(query.len(), 12 + 17 + 4);
        let mut answer = query.clone();
        answer[2] |= 0x80;
        answer[7] = 1;
        assert!(check_dns_answer(&answer).is_ok());
        assert!(check_dns_answer(&query).is_err(), "a query is no answer");
        let mut refused = answer.clone();
        refused[3] = 5;
        assert!(check_dns_answer(&refused).is_err());
    }
}
