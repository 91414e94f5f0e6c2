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
        results.extend(unannounced_hosts(ports_of.into_iter().collect()));
        Ok(ScanReport {
            hosts: results,
            summary: record.summary(),
            warnings: record.warnings,
        })
    }
}

/// Where a reading of a scan's hosts part by part is: the hosts the scan
/// announced, in the order it met them, after the one with this rowid;
/// then those it never announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPosition(Stage);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Announced { after_rowid: i64 },
    Unannounced,
}

impl ReportPosition {
    /// The first host.
    pub fn start() -> ReportPosition {
        ReportPosition(Stage::Announced { after_rowid: 0 })
    }
}

/// Some of a stored scan's hosts, and where the next part starts (`None`
/// after the last).
#[derive(Debug, Clone)]
pub struct ReportPart {
    pub hosts: Vec<HostResult>,
    pub next: Option<ReportPosition>,
}

impl Store {
    /// Up to `limit` of scan `scan_id`'s hosts from `position`, with their
    /// ports: read part after part from [`ReportPosition::start`], they
    /// are the hosts of [`Store::scan_report`], in its order, without
    /// holding them all at once. The hosts the scan never announced (a
    /// port without its host: rare) come in one last part.
    pub async fn scan_report_part(
        &self,
        scan_id: ScanId,
        position: ReportPosition,
        limit: usize,
    ) -> Result<ReportPart, StoreError> {
        let scan_id = scan_id.get();
        self.readers()
            .read(move |conn| match position.0 {
                Stage::Announced { after_rowid } => {
                    read_announced_part(conn, scan_id, after_rowid, limit)
                }
                Stage::Unannounced => Ok(ReportPart {
                    hosts: unannounced_hosts(read_unannounced_ports(conn, scan_id)?),
                    next: None,
                }),
            })
            .await
    }

    /// The hosts of scan `scan_id` at `addresses`, with their ports, as
    /// [`Store::scan_report`] has them (an address it has no host for is
    /// left out): what the rules look up beside hosts read part by part.
    pub async fn scan_report_hosts(
        &self,
        scan_id: ScanId,
        addresses: Vec<IpAddr>,
    ) -> Result<Vec<HostResult>, StoreError> {
        let scan_id = scan_id.get();
        self.readers()
            .read(move |conn| {
                let mut hosts = Vec::new();
                for address in addresses {
                    let text = address.to_string();
                    let ports = read_ports_of_host(conn, scan_id, &text, address)?;
                    match read_host(conn, scan_id, &text)? {
                        Some((host, counts)) => hosts.push(HostResult {
                            host,
                            ports,
                            counts,
                        }),
                        None if !ports.is_empty() => {
                            hosts.extend(unannounced_hosts(vec![(address, ports)]));
                        }
                        None => {}
                    }
                }
                Ok(hosts)
            })
            .await
    }
}

/// Up to `limit` announced hosts after rowid `after_rowid`, with their
/// ports; once none are left, where the unannounced ones start.
fn read_announced_part(
    conn: &rusqlite::Connection,
    scan_id: i64,
    after_rowid: i64,
    limit: usize,
) -> Result<ReportPart, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    // `+scan_id`: walk the rows from `after_rowid` on, in rowid order.
    // Through the (scan_id, address) index, SQLite would sort all the
    // scan's hosts for every part.
    let announced = query_all(
        conn,
        "SELECT rowid, address, name, up, reason, counts FROM scan_hosts
         WHERE +scan_id = ? AND rowid > ? ORDER BY rowid LIMIT ?",
        rusqlite::params![scan_id, after_rowid, limit],
        |row| Ok((row.required_int("rowid")?, host_from_row(row)?)),
    )?;
    let Some(&(last_rowid, _)) = announced.last() else {
        return Ok(ReportPart {
            hosts: Vec::new(),
            next: Some(ReportPosition(Stage::Unannounced)),
        });
    };
    let mut hosts = Vec::with_capacity(announced.len());
    for (_, (host, counts)) in announced {
        let ports = read_ports_of_host(conn, scan_id, &host.address.to_string(), host.address)?;
        hosts.push(HostResult {
            host,
            ports,
            counts,
        });
    }
    Ok(ReportPart {
        hosts,
        next: Some(ReportPosition(Stage::Announced {
            after_rowid: last_rowid,
        })),
    })
}

/// The host row of `address`, if the scan announced it.
fn read_host(
    conn: &rusqlite::Connection,
    scan_id: i64,
    address: &str,
) -> Result<Option<(HostReport, Vec<PortCount>)>, StoreError> {
    let mut found = query_all(
        conn,
        "SELECT address, name, up, reason, counts FROM scan_hosts
         WHERE scan_id = ? AND address = ?",
        rusqlite::params![scan_id, address],
        |row| host_from_row(row),
    )?;
    Ok(found.pop())
}

/// One host's port observations in protocol and port order (the unique
/// index's: nothing is sorted).
fn read_ports_of_host(
    conn: &rusqlite::Connection,
    scan_id: i64,
    address_text: &str,
    address: IpAddr,
) -> Result<Vec<PortResult>, StoreError> {
    let mut by_host = ports_grouped_by_host(
        conn,
        "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
         FROM port_observations WHERE scan_id = ? AND address = ?
         ORDER BY protocol, port",
        rusqlite::params![scan_id, address_text],
    )?;
    Ok(by_host
        .pop()
        .filter(|(read, _)| *read == address)
        .map(|(_, ports)| ports)
        .unwrap_or_default())
}

/// The ports of hosts the scan never announced, grouped by host.
fn read_unannounced_ports(
    conn: &rusqlite::Connection,
    scan_id: i64,
) -> Result<Vec<(IpAddr, Vec<PortResult>)>, StoreError> {
    ports_grouped_by_host(
        conn,
        "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
         FROM port_observations AS p WHERE scan_id = ?1
           AND NOT EXISTS (SELECT 1 FROM scan_hosts AS h
                           WHERE h.scan_id = ?1 AND h.address = p.address)
         ORDER BY address, protocol, port",
        [scan_id],
    )
}

/// Hosts the scan never announced, by address, as the report keeps them:
/// up, because a port answered.
fn unannounced_hosts(mut ports_of: Vec<(IpAddr, Vec<PortResult>)>) -> Vec<HostResult> {
    ports_of.sort_by_key(|(address, _)| *address);
    ports_of
        .into_iter()
        .map(|(address, ports)| HostResult {
            host: HostReport {
                address,
                name: None,
                up: true,
                reason: "answered a port probe".into(),
            },
            ports,
            counts: Vec::new(),
        })
        .collect()
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
        |row| host_from_row(row),
    )
}

/// A host row: the host and its port counts.
fn host_from_row(row: &impl Columns) -> Result<(HostReport, Vec<PortCount>), StoreError> {
    let host = HostReport {
        address: row.with_text("address", parse_address)?,
        name: row.text("name")?,
        up: row.required_int("up")? == 1,
        reason: row.required_text("reason")?,
    };
    Ok((host, row.required_json("counts")?))
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
    ports_grouped_by_host(
        conn,
        "SELECT address, port, protocol, state, reason, rtt_micros, service, identity, posture
         FROM port_observations WHERE scan_id = ?
         ORDER BY address, protocol, port",
        [scan_id],
    )
}

/// The port observations `sql` selects ([`OBSERVATION_COLUMNS`], ordered
/// by address), grouped by host, each group in protocol and port order.
fn ports_grouped_by_host(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<(IpAddr, Vec<PortResult>)>, StoreError> {
    let mut statement = conn.prepare_cached(sql)?;
    debug_assert_eq!(statement.column_names(), OBSERVATION_COLUMNS);
    let mut rows = statement.query(params)?;
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
