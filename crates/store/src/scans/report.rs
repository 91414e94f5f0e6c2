//! A stored scan read back as the report it printed: its hosts, and its
//! port observations grouped by host. These are the bulk reads (up to
//! 65,535 rows a host), so they go through rusqlite and read the
//! observations by column position, in the order of their unique index.

use std::collections::HashMap;
use std::net::IpAddr;

use portcullis_model::report::{HostResult, ScanReport};
use portcullis_model::scan::{HostReport, PortCount, PortResult, Reason};
use portcullis_model::service::{Posture, ServiceIdentity};

use crate::columns::{Columns, query_all};
use crate::database::Store;
use crate::error::StoreError;
use portcullis_model::ScanId;

impl Store {
    /// Every port observation of a scan, host by host, each host's by
    /// protocol and port.
    pub async fn observations(&self, scan_id: ScanId) -> Result<Vec<PortResult>, StoreError> {
        let scan_id = scan_id.get();
        let by_host = self
            .readers()
            .read(move |conn| read_ports_by_host(conn, scan_id))
            .await?;
        Ok(by_host.into_iter().flat_map(|(_, ports)| ports).collect())
    }

    /// A stored scan as one report: the same value the scan printed.
    ///
    /// Built directly rather than by replaying events, which would copy
    /// each of up to 65,535 port results once more.
    pub async fn scan_report(&self, scan_id: ScanId) -> Result<ScanReport, StoreError> {
        let record = self.scan(scan_id).await?;
        let scan_id = scan_id.get();
        let (hosts, by_host) = self
            .readers()
            .read(move |conn| {
                Ok((
                    read_hosts(conn, scan_id)?,
                    read_ports_by_host(conn, scan_id)?,
                ))
            })
            .await?;
        let mut ports_of: HashMap<IpAddr, Vec<PortResult>> = by_host.into_iter().collect();
        let mut results: Vec<HostResult> = hosts
            .into_iter()
            .map(|(host, counts)| HostResult {
                ports: ports_of.remove(&host.address).unwrap_or_default(),
                host,
                counts,
            })
            .collect();
        // Ports of a host the scan never announced, as the report keeps them.
        let mut unannounced: Vec<(IpAddr, Vec<PortResult>)> = ports_of.into_iter().collect();
        unannounced.sort_by_key(|(address, _)| *address);
        results.extend(unannounced.into_iter().map(|(address, ports)| HostResult {
            host: HostReport {
                address,
                name: None,
                up: true,
                reason: "answered a port probe".into(),
            },
            ports,
            counts: Vec::new(),
        }));
        Ok(ScanReport {
            hosts: results,
            summary: record.summary(),
            warnings: record.warnings,
        })
    }
}

/// A scan's hosts in the order the scan met them, with their port counts.
fn read_hosts(
    conn: &rusqlite::Connection,
    scan_id: i64,
) -> Result<Vec<(HostReport, Vec<PortCount>)>, StoreError> {
    query_all(
        conn,
        "SELECT address, name, up, reason, counts FROM scan_hosts WHERE scan_id = ?
         ORDER BY rowid",
        [scan_id],
        |row| {
            let host = HostReport {
                address: row.with_text("address", parse_address)?,
                name: row.text("name")?,
                up: row.required_int("up")? == 1,
                reason: row.required_text("reason")?,
            };
            Ok((host, row.required_json("counts")?))
        },
    )
}

/// The columns of a port observation, in the order the query selects them
/// and [`observation_from_row`] reads them, by position: looking each value
/// up by name was a fifth of reading a full scan.
const OBSERVATION_COLUMNS: [&str; 9] = [
    "address",
    "port",
    "protocol",
    "state",
    "reason",
    "rtt_micros",
    "service",
    "identity",
    "posture",
];

/// A scan's port observations grouped by host, each group in protocol and
/// port order: the order of the table's unique index, so SQLite walks the
/// index and sorts nothing.
fn read_ports_by_host(
    conn: &rusqlite::Connection,
    scan_id: i64,
) -> Result<Vec<(IpAddr, Vec<PortResult>)>, StoreError> {
    let mut statement = conn.prepare_cached(
        "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
         FROM port_observations WHERE scan_id = ?
         ORDER BY address, protocol, port",
    )?;
    debug_assert_eq!(statement.column_names(), OBSERVATION_COLUMNS);
    let mut rows = statement.query([scan_id])?;
    let mut hosts: Vec<(IpAddr, Vec<PortResult>)> = Vec::new();
    let mut current: Option<String> = None;
    while let Some(row) = rows.next()? {
        let text = observation_text(row, 0)?.unwrap_or_default();
        if current.as_deref() != Some(text) {
            current = Some(text.to_owned());
            hosts.push((parse_address(Some(text))?, Vec::new()));
        }
        let (address, ports) = hosts.last_mut().expect("a host was pushed");
        ports.push(observation_from_row(row, *address)?);
    }
    for (_, ports) in &mut hosts {
        if !ports.is_sorted_by_key(|p| (p.protocol, p.port)) {
            ports.sort_by_key(|p| (p.protocol, p.port));
        }
    }
    Ok(hosts)
}

fn parse_address(text: Option<&str>) -> Result<IpAddr, StoreError> {
    let text = text.unwrap_or_default();
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("address `{text}`")))
}

/// A stored reason. The common ones are matched as text: parsing JSON for
/// each of 65,535 rows was a tenth of the time it took to read a scan.
fn parse_reason(text: Option<&str>) -> Result<Reason, StoreError> {
    let text = text.ok_or_else(|| StoreError::Corrupt("column reason is empty".into()))?;
    Ok(match text {
        r#"{"kind":"syn-ack"}"# => Reason::SynAck,
        r#"{"kind":"connected"}"# => Reason::Connected,
        r#"{"kind":"rst"}"# => Reason::Rst,
        r#"{"kind":"udp-response"}"# => Reason::UdpResponse,
        r#"{"kind":"no-response"}"# => Reason::NoResponse,
        r#"{"kind":"host-unreachable"}"# => Reason::HostUnreachable,
        other => serde_json::from_str(other)
            .map_err(|e| StoreError::Corrupt(format!("column reason: {e}")))?,
    })
}

/// Column `index` of [`OBSERVATION_COLUMNS`], as text or NULL.
fn observation_text<'r>(
    row: &'r rusqlite::Row<'_>,
    index: usize,
) -> Result<Option<&'r str>, StoreError> {
    row.get_ref(index)?
        .as_str_or_null()
        .map_err(|e| StoreError::Corrupt(format!("column {}: {e}", OBSERVATION_COLUMNS[index])))
}

/// Column `index` of [`OBSERVATION_COLUMNS`], as JSON or NULL.
fn observation_json<T: serde::de::DeserializeOwned>(
    row: &rusqlite::Row<'_>,
    index: usize,
) -> Result<Option<T>, StoreError> {
    observation_text(row, index)?
        .map(|text| {
            serde_json::from_str(text).map_err(|e| {
                StoreError::Corrupt(format!("column {}: {e}", OBSERVATION_COLUMNS[index]))
            })
        })
        .transpose()
}

/// One row of [`read_ports_by_host`]'s query.
fn observation_from_row(
    row: &rusqlite::Row<'_>,
    address: IpAddr,
) -> Result<PortResult, StoreError> {
    let required = |index: usize| {
        observation_text(row, index)?.ok_or_else(|| {
            StoreError::Corrupt(format!(
                "column {} is unexpectedly empty",
                OBSERVATION_COLUMNS[index]
            ))
        })
    };
    let port = row
        .get_ref(1)?
        .as_i64()
        .map_err(|e| StoreError::Corrupt(format!("column port: {e}")))?;
    Ok(PortResult {
        address,
        port: u16::try_from(port).map_err(|_| StoreError::Corrupt(format!("port {port}")))?,
        protocol: crate::codec::parse_name("protocol", required(2)?)?,
        state: crate::codec::parse_name("state", required(3)?)?,
        reason: parse_reason(Some(required(4)?))?,
        rtt_micros: row
            .get_ref(5)?
            .as_i64_or_null()
            .map_err(|e| StoreError::Corrupt(format!("column rtt_micros: {e}")))?
            .and_then(|v| u64::try_from(v).ok()),
        service: observation_text(row, 6)?.map(str::to_owned),
        identity: observation_json::<ServiceIdentity>(row, 7)?.map(Box::new),
        posture: observation_json::<Posture>(row, 8)?.map(Box::new),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::json_text;

    #[test]
    fn reasons_read_back_as_written() {
        let reasons = [
            Reason::SynAck,
            Reason::Connected,
            Reason::Rst,
            Reason::UdpResponse,
            Reason::NoResponse,
            Reason::HostUnreachable,
            Reason::Reported,
            Reason::Icmp {
                icmp_type: 3,
                code: 3,
            },
        ];
        for reason in reasons {
            assert_eq!(parse_reason(Some(&json_text(&reason))).unwrap(), reason);
        }
        assert!(parse_reason(Some("{\"kind\":\"nonsense\"}")).is_err());
    }
}
