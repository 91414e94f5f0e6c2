//! What the documents read across scans: when each port was last found
//! open, and the audit trail of one kind of record.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::AuditEntry;
use portcullis_model::scan::Protocol;

use crate::audit::AuditRow;
use crate::codec::parse_time;
use crate::database::Store;
use crate::error::StoreError;

/// A port some finished scan found open, and when the newest such scan
/// started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSighting {
    pub address: IpAddr,
    pub protocol: Protocol,
    pub port: u16,
    pub last_seen: DateTime<Utc>,
}

impl Store {
    /// Every port a finished scan (or a whole import) found open, with
    /// the newest such scan's start.
    pub async fn open_sightings(&self) -> Result<Vec<OpenSighting>, StoreError> {
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT o.address, o.protocol, o.port, max(s.started_at)
             FROM port_observations o JOIN scans s ON s.id = o.scan_id
             WHERE o.state = 'open' AND s.status = 'finished'
             GROUP BY o.address, o.protocol, o.port
             ORDER BY o.address, o.protocol, o.port",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(address, protocol, port, at)| {
                Ok(OpenSighting {
                    address: address.parse().map_err(|_| {
                        StoreError::Corrupt(format!("port_observations.address '{address}'"))
                    })?,
                    protocol: match protocol.as_str() {
                        "udp" => Protocol::Udp,
                        _ => Protocol::Tcp,
                    },
                    port: u16::try_from(port).map_err(|_| {
                        StoreError::Corrupt(format!("port_observations.port {port}"))
                    })?,
                    last_seen: parse_time("scans.started_at", &at)?,
                })
            })
            .collect()
    }

    /// The newest `limit` audit rows about records of `entity` (such as
    /// "inventory_entry"), oldest first.
    pub async fn audit_trail(
        &self,
        entity: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM audit_log WHERE entity = ? ORDER BY id DESC LIMIT ?)
             ORDER BY id",
        )
        .bind(entity)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| AuditRow::from_row(row)?.into_entry())
            .collect()
    }
}
