//! Reading nmap's XML output, to compare Portcullis with nmap on the same
//! hosts (tests and benches).

use std::collections::BTreeSet;

/// Every (address, port) nmap reports open.
pub fn open_ports(xml: &str) -> BTreeSet<(String, u16)> {
    let mut found = BTreeSet::new();
    for host in host_elements(xml) {
        let Some(address) = attribute(host, "addr=\"") else {
            continue;
        };
        for port in host.split("<port ").skip(1) {
            if port.contains("<state state=\"open\"")
                && let Some(id) = attribute(port, "portid=\"").and_then(|p| p.parse().ok())
            {
                found.insert((address.clone(), id));
            }
        }
    }
    found
}

/// The text of each `<host>` element, not of `<hosthint>` or
/// `<hostnames>`: where `<host` is followed by a space or `>`.
fn host_elements(xml: &str) -> Vec<&str> {
    let starts: Vec<usize> = xml
        .match_indices("<host")
        .map(|(index, _)| index)
        .filter(|index| matches!(xml.as_bytes().get(index + 5), Some(b' ' | b'>')))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| &xml[*start..starts.get(i + 1).copied().unwrap_or(xml.len())])
        .collect()
}

fn attribute(text: &str, prefix: &str) -> Option<String> {
    let start = text.find(prefix)? + prefix.len();
    let end = text[start..].find('"')? + start;
    Some(text[start..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_ports_of_each_host_are_read() {
        let xml = r#"<nmaprun><hosthint><address addr="198.18.0.10" addrtype="ipv4"/></hosthint>
            <host starttime="1"><status state="up"/><address addr="198.18.0.10" addrtype="ipv4"/><hostnames></hostnames><ports>
            <port protocol="tcp" portid="22"><state state="open" reason="syn-ack"/></port>
            <port protocol="tcp" portid="23"><state state="closed" reason="reset"/></port>
            <port protocol="tcp" portid="443"><state state="open" reason="syn-ack"/></port></ports></host>
            <host><address addr="198.18.0.20" addrtype="ipv4"/><hostnames>
            </hostnames><ports>
            <port protocol="tcp" portid="5432"><state state="open" reason="syn-ack"/></port></ports></host></nmaprun>"#;
        let expected: BTreeSet<(String, u16)> = [
            ("198.18.0.10", 22),
            ("198.18.0.10", 443),
            ("198.18.0.20", 5432),
        ]
        .into_iter()
        .map(|(a, p)| (a.to_owned(), p))
        .collect();
        assert_eq!(open_ports(xml), expected);
    }
}
