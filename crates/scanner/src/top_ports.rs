//! `top:N`: the N most common ports of a protocol, by Portcullis's own
//! ranking (assets/ports/ranked-*.txt), continued in ascending port order
//! once the ranking runs out.

use std::sync::OnceLock;

use portcullis_model::scan::Protocol;

const RANKED_TCP: &str = include_str!("../../../assets/ports/ranked-tcp.txt");
const RANKED_UDP: &str = include_str!("../../../assets/ports/ranked-udp.txt");

/// The N first ports of the full order for `protocol`.
pub fn top(protocol: Protocol, count: usize) -> Vec<u16> {
    full_order(protocol).iter().copied().take(count).collect()
}

/// Every port from 1 to 65535, ranked ones first.
fn full_order(protocol: Protocol) -> &'static [u16] {
    static TCP: OnceLock<Vec<u16>> = OnceLock::new();
    static UDP: OnceLock<Vec<u16>> = OnceLock::new();
    let (cell, text) = match protocol {
        Protocol::Tcp => (&TCP, RANKED_TCP),
        Protocol::Udp => (&UDP, RANKED_UDP),
    };
    cell.get_or_init(|| order_from(text))
}

fn order_from(ranking: &str) -> Vec<u16> {
    let mut seen = vec![false; usize::from(u16::MAX) + 1];
    let mut order = Vec::with_capacity(usize::from(u16::MAX));
    let ranked = ranking
        .lines()
        .filter_map(|line| line.split('#').next())
        .filter_map(|line| line.trim().parse::<u16>().ok());
    for port in ranked.chain(1..=u16::MAX) {
        if port != 0 && !seen[usize::from(port)] {
            seen[usize::from(port)] = true;
            order.push(port);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ranking_leads_and_every_port_follows_once() {
        let tcp = full_order(Protocol::Tcp);
        assert_eq!(&tcp[..3], &[80, 443, 22]);
        assert_eq!(tcp.len(), 65535);
        let mut sorted = tcp.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 65535, "no port twice");
        assert_eq!(top(Protocol::Udp, 2), vec![53, 123]);
    }

    #[test]
    fn every_ranking_line_is_a_port_or_a_comment() {
        for text in [RANKED_TCP, RANKED_UDP] {
            for line in text.lines() {
                let data = line.split('#').next().unwrap_or("").trim();
                assert!(
                    data.is_empty() || data.parse::<u16>().is_ok_and(|p| p > 0),
                    "bad ranking line: {line}"
                );
            }
        }
    }
}
