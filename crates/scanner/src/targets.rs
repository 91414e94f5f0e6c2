//! Scan targets: addresses, CIDR blocks, dash ranges, host names, and lists
//! and files of these.
//!
//! Parsing is separate from resolving: [`TargetSpec::parse`] checks the
//! syntax of everything before any name is looked up, so a typo in the tenth
//! target fails at once with its position, and [`resolve`] then turns the
//! specification into addresses.

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The most addresses one scan may expand to; a larger block is almost
/// certainly a typo (`/8` for `/24`), and says so.
pub const MAX_ADDRESSES: u128 = 1 << 20;

/// One item of a target list, checked but not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetItem {
    Address(IpAddr),
    /// An inclusive range of addresses of the same family: CIDR blocks and
    /// dash ranges both become this.
    Range {
        first: IpAddr,
        last: IpAddr,
    },
    /// A host name, looked up when the scan starts; every address it has is
    /// scanned, and the name is kept with them.
    Name(String),
}

/// A parsed list of targets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetSpec {
    pub items: Vec<TargetItem>,
}

/// A target that does not parse: which one, where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad target `{token}` ({location}): {problem}")]
pub struct TargetError {
    pub token: String,
    /// "argument 2", or "hosts.txt line 7".
    pub location: String,
    pub problem: String,
}

/// A resolved target address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target {
    pub address: IpAddr,
    /// The host name it came from, if any.
    pub name: Option<String>,
}

impl TargetSpec {
    /// Parses targets given as words (command-line arguments). Each word may
    /// itself be a comma-separated list.
    pub fn parse<S: AsRef<str>>(words: &[S]) -> Result<TargetSpec, TargetError> {
        let mut spec = TargetSpec::default();
        for (index, word) in words.iter().enumerate() {
            spec.add_text(word.as_ref(), &format!("argument {}", index + 1))?;
        }
        Ok(spec)
    }

    /// Parses a target file: one or more targets a line, separated by commas
    /// or white space; `#` starts a comment.
    pub fn parse_file_contents(name: &str, contents: &str) -> Result<TargetSpec, TargetError> {
        let mut spec = TargetSpec::default();
        for (number, line) in contents.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            spec.add_text(line, &format!("{name} line {}", number + 1))?;
        }
        Ok(spec)
    }

    /// Adds another specification's items after this one's.
    pub fn extend(&mut self, other: TargetSpec) {
        self.items.extend(other.items);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    fn add_text(&mut self, text: &str, location: &str) -> Result<(), TargetError> {
        for token in text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|t| !t.is_empty())
        {
            let item = parse_item(token).map_err(|problem| TargetError {
                token: token.to_owned(),
                location: location.to_owned(),
                problem,
            })?;
            self.items.push(item);
        }
        Ok(())
    }

    /// How many addresses the literal items cover (names count as one).
    pub fn literal_address_count(&self) -> u128 {
        self.items
            .iter()
            .map(|item| match item {
                TargetItem::Address(_) | TargetItem::Name(_) => 1,
                TargetItem::Range { first, last } => range_len(*first, *last),
            })
            .sum()
    }
}

fn parse_item(token: &str) -> Result<TargetItem, String> {
    if let Some((base, prefix)) = token.split_once('/') {
        return parse_cidr(base, prefix);
    }
    if let Ok(address) = token.parse::<IpAddr>() {
        return Ok(TargetItem::Address(address));
    }
    if let Some((first, last)) = token.split_once('-')
        && let Ok(first) = first.parse::<IpAddr>()
    {
        return parse_dash_range(first, last);
    }
    if looks_like_ipv4(token) {
        return Err("not a valid IPv4 address (each part must be 0 to 255)".into());
    }
    if token.contains(':') {
        return Err("not a valid IPv6 address".into());
    }
    check_host_name(token)?;
    Ok(TargetItem::Name(token.to_ascii_lowercase()))
}

fn parse_cidr(base: &str, prefix: &str) -> Result<TargetItem, String> {
    let base: IpAddr = base
        .parse()
        .map_err(|_| format!("`{base}` before the `/` is not an IP address"))?;
    let bits: u32 = prefix
        .parse()
        .map_err(|_| format!("`/{prefix}` is not a prefix length"))?;
    let width = if base.is_ipv4() { 32 } else { 128 };
    if bits > width {
        return Err(format!("/{bits} is longer than an address ({width} bits)"));
    }
    let host_bits = width - bits;
    if u128::from(host_bits) >= 128 || (1u128 << host_bits) > MAX_ADDRESSES {
        return Err(format!(
            "/{bits} is {} addresses; at most {MAX_ADDRESSES} per scan (did you mean a longer prefix?)",
            describe_count(host_bits)
        ));
    }
    let value = ip_to_u128(base);
    let mask = (1u128 << host_bits) - 1;
    let first = value & !mask;
    let last = first | mask;
    Ok(TargetItem::Range {
        first: u128_to_ip(first, base.is_ipv4()),
        last: u128_to_ip(last, base.is_ipv4()),
    })
}

fn describe_count(host_bits: u32) -> String {
    if host_bits >= 64 {
        format!("2^{host_bits}")
    } else {
        (1u128 << host_bits).to_string()
    }
}

/// `198.18.1.1-20` (the last part ranges) or `198.18.1.1-198.18.1.20`; for
/// IPv6 only the full form.
fn parse_dash_range(first: IpAddr, last: &str) -> Result<TargetItem, String> {
    let last: IpAddr = match (first, last.parse::<IpAddr>()) {
        (_, Ok(last)) => last,
        (IpAddr::V4(first), Err(_)) => {
            let end: u8 = last
                .parse()
                .map_err(|_| format!("`{last}` after the `-` is neither an address nor 0-255"))?;
            let [a, b, c, _] = first.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, end))
        }
        (IpAddr::V6(_), Err(_)) => {
            return Err(format!("`{last}` after the `-` is not an IPv6 address"));
        }
    };
    if first.is_ipv4() != last.is_ipv4() {
        return Err("a range cannot mix IPv4 and IPv6".into());
    }
    if ip_to_u128(first) > ip_to_u128(last) {
        return Err(format!(
            "the range runs backwards ({first} is above {last})"
        ));
    }
    let count = range_len(first, last);
    if count > MAX_ADDRESSES {
        return Err(format!(
            "the range holds {count} addresses; at most {MAX_ADDRESSES} per scan"
        ));
    }
    Ok(TargetItem::Range { first, last })
}

fn looks_like_ipv4(token: &str) -> bool {
    token.split('.').count() == 4
        && token
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// RFC 1123 host names: labels of letters, digits and hyphens, not starting
/// or ending with a hyphen, at most 63 characters each, 253 in all.
fn check_host_name(name: &str) -> Result<(), String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > 253 {
        return Err("not an address, range or host name".into());
    }
    for label in name.split('.') {
        let valid = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid {
            return Err(format!(
                "not an address, range or host name (`{label}` is not a valid name label)"
            ));
        }
    }
    Ok(())
}

fn ip_to_u128(address: IpAddr) -> u128 {
    match address {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        IpAddr::V6(v6) => u128::from(v6),
    }
}

fn u128_to_ip(value: u128, ipv4: bool) -> IpAddr {
    if ipv4 {
        IpAddr::V4(Ipv4Addr::from(value as u32))
    } else {
        IpAddr::V6(Ipv6Addr::from(value))
    }
}

fn range_len(first: IpAddr, last: IpAddr) -> u128 {
    ip_to_u128(last) - ip_to_u128(first) + 1
}

/// A host name that did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot resolve `{name}`: {problem}")]
pub struct ResolveError {
    pub name: String,
    pub problem: String,
}

/// Expands ranges and looks up names. Addresses are returned in the order
/// given, each once (the first name seen for it is kept).
pub async fn resolve(spec: &TargetSpec) -> Result<Vec<Target>, ResolveError> {
    let mut seen = BTreeSet::new();
    let mut targets = Vec::new();
    let mut push = |address: IpAddr, name: Option<String>| {
        if seen.insert(address) {
            targets.push(Target { address, name });
        }
    };
    for item in &spec.items {
        match item {
            TargetItem::Address(address) => push(*address, None),
            TargetItem::Range { first, last } => {
                let ipv4 = first.is_ipv4();
                for value in ip_to_u128(*first)..=ip_to_u128(*last) {
                    push(u128_to_ip(value, ipv4), None);
                }
            }
            TargetItem::Name(name) => {
                for address in lookup(name).await? {
                    push(address, Some(name.clone()));
                }
            }
        }
    }
    Ok(targets)
}

async fn lookup(name: &str) -> Result<Vec<IpAddr>, ResolveError> {
    let fail = |problem: String| ResolveError {
        name: name.to_owned(),
        problem,
    };
    let addresses: Vec<IpAddr> = tokio::net::lookup_host((name, 0))
        .await
        .map_err(|error| fail(error.to_string()))?
        .map(|socket| socket.ip())
        .collect();
    if addresses.is_empty() {
        return Err(fail("the name has no addresses".into()));
    }
    let mut unique = Vec::new();
    for address in addresses {
        if !unique.contains(&address) {
            unique.push(address);
        }
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<TargetSpec, TargetError> {
        TargetSpec::parse(words)
    }

    fn addresses(words: &[&str]) -> Vec<String> {
        let spec = parse(words).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime
            .block_on(resolve(&spec))
            .unwrap()
            .into_iter()
            .map(|t| t.address.to_string())
            .collect()
    }

    #[test]
    fn single_addresses_of_both_families() {
        assert_eq!(
            addresses(&["198.18.0.1", "2001:db8::1"]),
            ["198.18.0.1", "2001:db8::1"]
        );
    }

    #[test]
    fn cidr_blocks_include_every_address() {
        let all = addresses(&["198.18.1.0/30"]);
        assert_eq!(
            all,
            ["198.18.1.0", "198.18.1.1", "198.18.1.2", "198.18.1.3"]
        );
        assert_eq!(addresses(&["198.18.1.77/32"]), ["198.18.1.77"]);
        assert_eq!(addresses(&["2001:db8::/126"]).len(), 4);
        // The host part of the base is ignored, as nmap does.
        assert_eq!(addresses(&["198.18.1.5/31"]), ["198.18.1.4", "198.18.1.5"]);
    }

    #[test]
    fn dash_ranges_short_and_long() {
        assert_eq!(
            addresses(&["198.18.1.1-3"]),
            ["198.18.1.1", "198.18.1.2", "198.18.1.3"]
        );
        assert_eq!(
            addresses(&["198.18.1.255-198.18.2.0"]),
            ["198.18.1.255", "198.18.2.0"]
        );
        assert_eq!(
            addresses(&["2001:db8::1-2001:db8::2"]),
            ["2001:db8::1", "2001:db8::2"]
        );
    }

    #[test]
    fn lists_are_split_and_deduplicated() {
        assert_eq!(
            addresses(&["198.18.0.1,198.18.0.2", "198.18.0.1"]),
            ["198.18.0.1", "198.18.0.2"]
        );
    }

    #[test]
    fn names_resolve_and_are_kept() {
        let spec = parse(&["localhost"]).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let targets = runtime.block_on(resolve(&spec)).unwrap();
        assert!(targets.iter().any(|t| t.address.is_loopback()));
        assert!(
            targets
                .iter()
                .all(|t| t.name.as_deref() == Some("localhost"))
        );
    }

    #[test]
    fn errors_name_the_token_and_where_it_was() {
        let error = parse(&["198.18.0.1", "198.18.0.300"]).unwrap_err();
        assert_eq!(error.token, "198.18.0.300");
        assert_eq!(error.location, "argument 2");
        assert!(error.problem.contains("IPv4"), "{error}");

        let error = parse(&["198.18.1.9-3"]).unwrap_err();
        assert!(error.problem.contains("backwards"), "{error}");
        let error = parse(&["10.0.0.0/33"]).unwrap_err();
        assert!(error.problem.contains("longer than an address"), "{error}");
        let error = parse(&["10.0.0.0/8"]).unwrap_err();
        assert!(error.problem.contains("at most"), "{error}");
        let error = parse(&["2001:db8::/64"]).unwrap_err();
        assert!(error.problem.contains("2^64"), "{error}");
        assert!(parse(&["198.18.0.1-2001:db8::1"]).is_err());
        assert!(parse(&["bad_name!"]).is_err());
        assert!(parse(&["-leading.example"]).is_err());
        assert!(parse(&["2001:db8::zz"]).is_err());
    }

    #[test]
    fn files_report_their_line_numbers() {
        let contents = "# web servers\n198.18.0.1 198.18.0.2\n\n198.18.0.999 # oops\n";
        let error = TargetSpec::parse_file_contents("hosts.txt", contents).unwrap_err();
        assert_eq!(error.location, "hosts.txt line 4");
        let good = TargetSpec::parse_file_contents("hosts.txt", "198.18.0.1\n# only\n").unwrap();
        assert_eq!(good.items.len(), 1);
    }
}
