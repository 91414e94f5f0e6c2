//! Port specifications in nmap's syntax.
//!
//! `22,80,443`, `1-1024`, `-` (every port), `-1024`, `60000-`, prefixes
//! `T:` and `U:` that apply to the items after them, and `top:N` for the N
//! most common ports of the protocol. A port without a prefix applies to
//! every protocol the scan uses.

use std::collections::BTreeSet;
use std::fmt;

use portcullis_model::scan::Protocol;

use crate::top_ports;

/// A parsed port specification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortSpec {
    tcp: BTreeSet<u16>,
    udp: BTreeSet<u16>,
    /// Ports given without a prefix.
    any: BTreeSet<u16>,
    /// `top:N` without a prefix: the N most common of each protocol.
    any_top: Option<usize>,
}

/// A port specification that does not parse; says which item and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad port specification at character {column}, `{token}`: {problem}")]
pub struct PortSpecError {
    /// The offending item, as written.
    pub token: String,
    /// 1-based character position of the item in the whole specification.
    pub column: usize,
    pub problem: String,
}

impl PortSpec {
    /// Parses `spec`; whitespace around items is allowed.
    pub fn parse(spec: &str) -> Result<PortSpec, PortSpecError> {
        let mut parsed = PortSpec::default();
        let mut protocol: Option<Protocol> = None;
        if spec.trim().is_empty() {
            return Err(PortSpecError {
                token: spec.to_owned(),
                column: 1,
                problem: "no ports given".into(),
            });
        }
        let mut offset = 0;
        for raw in spec.split(',') {
            let column = offset + 1 + (raw.len() - raw.trim_start().len());
            offset += raw.len() + 1;
            let item = raw.trim();
            let fail = |problem: String| PortSpecError {
                token: item.to_owned(),
                column,
                problem,
            };
            let body = match split_prefix(item) {
                Some((prefix, rest)) => {
                    protocol = Some(prefix);
                    rest
                }
                None => item,
            };
            if body.is_empty() {
                return Err(fail(
                    "empty item (two commas in a row, or a prefix with no ports)".into(),
                ));
            }
            if let Some(count) = body.strip_prefix("top:") {
                let count = parse_top_count(count).map_err(fail)?;
                parsed.add_top(protocol, count);
                continue;
            }
            let (first, last) = parse_range(body).map_err(fail)?;
            // Built whole and merged, not inserted one by one: a sorted
            // run builds a tree in linear time, and `-` is 65,535 ports.
            let mut range: BTreeSet<u16> = (first..=last).collect();
            parsed.set_for(protocol).append(&mut range);
        }
        Ok(parsed)
    }

    /// The ports to scan for `protocol`, in ascending order.
    pub fn ports(&self, protocol: Protocol) -> Vec<u16> {
        let specific = match protocol {
            Protocol::Tcp => &self.tcp,
            Protocol::Udp => &self.udp,
        };
        // Merged as a vector, not a set: `-p-` is 65,535 ports, and
        // inserting them into a tree again on every call cost milliseconds.
        // Two sorted runs sort (stably) in one linear merge.
        let mut ports: Vec<u16> = specific.iter().chain(&self.any).copied().collect();
        if let Some(count) = self.any_top {
            ports.extend(top_ports::top(protocol, count));
        }
        ports.sort();
        ports.dedup();
        ports
    }

    fn set_for(&mut self, protocol: Option<Protocol>) -> &mut BTreeSet<u16> {
        match protocol {
            Some(Protocol::Tcp) => &mut self.tcp,
            Some(Protocol::Udp) => &mut self.udp,
            None => &mut self.any,
        }
    }

    fn add_top(&mut self, protocol: Option<Protocol>, count: usize) {
        match protocol {
            Some(protocol) => {
                let ports = top_ports::top(protocol, count);
                self.set_for(Some(protocol)).extend(ports);
            }
            None => self.any_top = Some(self.any_top.unwrap_or(0).max(count)),
        }
    }
}

impl fmt::Display for PortSpec {
    /// A compact form: `T:1-1024,U:53,161`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        for (label, protocol) in [("T:", Protocol::Tcp), ("U:", Protocol::Udp)] {
            let ports = self.ports(protocol);
            if !ports.is_empty() {
                parts.push(format!("{label}{}", compress_ranges(&ports)));
            }
        }
        f.write_str(&parts.join(","))
    }
}

/// `1,2,3,5` -> `1-3,5`.
pub fn compress_ranges(ports: &[u16]) -> String {
    let mut out = Vec::new();
    let mut iter = ports.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end.wrapping_add(1))) && end != u16::MAX {
            end = iter.next().unwrap_or(end);
        }
        out.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    out.join(",")
}

fn split_prefix(item: &str) -> Option<(Protocol, &str)> {
    let (prefix, rest) = item.split_once(':')?;
    let protocol = match prefix {
        "T" | "t" => Protocol::Tcp,
        "U" | "u" => Protocol::Udp,
        _ => return None,
    };
    Some((protocol, rest.trim()))
}

fn parse_top_count(text: &str) -> Result<usize, String> {
    let count: usize = text
        .parse()
        .map_err(|_| format!("`top:` needs a whole number of ports, not `{text}`"))?;
    if count == 0 || count > usize::from(u16::MAX) {
        return Err(format!(
            "`top:{count}`: the count must be between 1 and 65535"
        ));
    }
    Ok(count)
}

/// `N`, `N-M`, `-M` (from 1), `N-` (to 65535), `-` (1 to 65535).
fn parse_range(body: &str) -> Result<(u16, u16), String> {
    let Some((start, end)) = body.split_once('-') else {
        let port = parse_port(body)?;
        return Ok((port, port));
    };
    let first = if start.trim().is_empty() {
        1
    } else {
        parse_port(start.trim())?
    };
    let last = if end.trim().is_empty() {
        u16::MAX
    } else {
        parse_port(end.trim())?
    };
    if first > last {
        return Err(format!(
            "the range runs backwards ({first} is above {last})"
        ));
    }
    Ok((first, last))
}

fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a port number"));
    }
    text.parse::<u16>()
        .map_err(|_| format!("{text} is above 65535, the highest port"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(spec: &str) -> Vec<u16> {
        PortSpec::parse(spec).unwrap().ports(Protocol::Tcp)
    }

    #[test]
    fn lists_ranges_and_open_ends() {
        assert_eq!(tcp("22,80,443"), vec![22, 80, 443]);
        assert_eq!(tcp("20-23"), vec![20, 21, 22, 23]);
        assert_eq!(tcp("-3"), vec![1, 2, 3]);
        assert_eq!(tcp("65534-"), vec![65534, 65535]);
        assert_eq!(tcp("-").len(), 65535);
        assert_eq!(tcp(" 80 , 22,80 "), vec![22, 80]);
        assert_eq!(tcp("0"), vec![0]);
    }

    #[test]
    fn prefixes_apply_to_what_follows() {
        let spec = PortSpec::parse("U:53,161,T:21-22,80").unwrap();
        assert_eq!(spec.ports(Protocol::Udp), vec![53, 161]);
        assert_eq!(spec.ports(Protocol::Tcp), vec![21, 22, 80]);
    }

    #[test]
    fn unprefixed_ports_apply_to_both_protocols() {
        let spec = PortSpec::parse("53,T:80").unwrap();
        assert_eq!(spec.ports(Protocol::Udp), vec![53]);
        assert_eq!(spec.ports(Protocol::Tcp), vec![53, 80]);
    }

    #[test]
    fn errors_point_at_the_offending_item() {
        let error = PortSpec::parse("22, 80x,443").unwrap_err();
        assert_eq!(error.token, "80x");
        assert_eq!(error.column, 5);
        assert!(error.to_string().contains("not a port number"), "{error}");

        let error = PortSpec::parse("22,70000").unwrap_err();
        assert_eq!((error.token.as_str(), error.column), ("70000", 4));
        assert!(error.problem.contains("above 65535"));

        let error = PortSpec::parse("100-10").unwrap_err();
        assert!(error.problem.contains("backwards"));

        let error = PortSpec::parse("22,,80").unwrap_err();
        assert_eq!(error.column, 4);

        assert!(PortSpec::parse("").is_err());
        assert!(PortSpec::parse("X:22").is_err());
        assert!(PortSpec::parse("top:0").is_err());
        assert!(PortSpec::parse("top:many").is_err());
        assert!(PortSpec::parse("T:").is_err());
    }

    #[test]
    fn display_compresses_ranges() {
        let spec = PortSpec::parse("T:1-3,5,U:53").unwrap();
        assert_eq!(spec.to_string(), "T:1-3,5,U:53");
        assert_eq!(compress_ranges(&[65534, 65535]), "65534-65535");
    }
}
