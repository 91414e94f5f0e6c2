//! The evidence of guided segmentation tests (PCI DSS 11.4.5): written
//! with the test's outcome and its audit row in one transaction, read back
//! beside the tests a person recorded.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use portcullis_model::compliance::AuditAction;
use portcullis_model::scan::Protocol;
use portcullis_model::segmentation::{NetworkPosition, SegmentationAnswer, SegmentationEvidence};
use portcullis_model::{ScanId, SegmentationTestId};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::audit::{self, Change};
use crate::codec::json_value;
use crate::database::Store;
use crate::error::StoreError;
use crate::time::to_rfc3339;

impl Store {
    /// Records a segmentation test Portcullis ran, with its evidence: the
    /// outcome goes where a recorded test's does, so the rules judge both
    /// alike. Whether the record makes sense is the application's to
    /// decide.
    pub async fn record_guided_segmentation_test(
        &self,
        actor: &str,
        at: DateTime<Utc>,
        passed: bool,
        notes: &str,
        evidence: &SegmentationEvidence,
    ) -> Result<SegmentationTestId, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO segmentation_tests (at, passed, actor, notes) VALUES (?, ?, ?, ?)
             RETURNING id",
        )
        .bind(to_rfc3339(at))
        .bind(i64::from(passed))
        .bind(actor)
        .bind(notes)
        .fetch_one(&mut *tx)
        .await?;
        let position = &evidence.position;
        sqlx::query(
            "INSERT INTO segmentation_runs
                 (test_id, scan_id, network, interface, address, gateway, answers_not_listed)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(evidence.scan_id.get())
        .bind(&evidence.network)
        .bind(&position.interface)
        .bind(position.address.to_string())
        .bind(position.gateway.map(|gateway| gateway.to_string()))
        .bind(i64::try_from(evidence.answers_not_listed).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
        for answer in &evidence.answers {
            sqlx::query(
                "INSERT INTO segmentation_answers (test_id, address, protocol, port, service)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(id)
            .bind(answer.address.to_string())
            .bind(answer.protocol.as_str())
            .bind(i64::from(answer.port))
            .bind(answer.service.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SegmentationTestRecord,
                entity: "segmentation_test",
                entity_id: id.to_string(),
                before: None,
                after: Some(json_value(&serde_json::json!({
                    "at": to_rfc3339(at),
                    "passed": passed,
                    "notes": notes,
                    "evidence": evidence,
                }))),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(SegmentationTestId(id))
    }

    /// The evidence of every guided test, by the test's id.
    pub(crate) async fn segmentation_evidence(
        &self,
    ) -> Result<BTreeMap<SegmentationTestId, SegmentationEvidence>, StoreError> {
        let mut evidence = BTreeMap::new();
        for row in sqlx::query(
            "SELECT test_id, scan_id, network, interface, address, gateway, answers_not_listed
             FROM segmentation_runs",
        )
        .fetch_all(self.pool())
        .await?
        {
            let (id, run) = run_of(&row)?;
            evidence.insert(id, run);
        }
        for row in sqlx::query(
            "SELECT test_id, address, protocol, port, service FROM segmentation_answers
             ORDER BY test_id, address, protocol, port",
        )
        .fetch_all(self.pool())
        .await?
        {
            let id = SegmentationTestId(row.try_get("test_id")?);
            if let Some(run) = evidence.get_mut(&id) {
                run.answers.push(answer_of(&row)?);
            }
        }
        Ok(evidence)
    }
}

fn run_of(row: &SqliteRow) -> Result<(SegmentationTestId, SegmentationEvidence), StoreError> {
    let gateway: Option<String> = row.try_get("gateway")?;
    let evidence = SegmentationEvidence {
        network: row.try_get("network")?,
        position: NetworkPosition {
            interface: row.try_get("interface")?,
            address: parse_address("address", row.try_get("address")?)?,
            gateway: gateway
                .map(|gateway| parse_address("gateway", &gateway))
                .transpose()?,
        },
        scan_id: ScanId(row.try_get("scan_id")?),
        answers: Vec::new(),
        answers_not_listed: u64::try_from(row.try_get::<i64, _>("answers_not_listed")?)
            .unwrap_or(0),
    };
    Ok((SegmentationTestId(row.try_get("test_id")?), evidence))
}

fn answer_of(row: &SqliteRow) -> Result<SegmentationAnswer, StoreError> {
    let protocol = match row.try_get::<&str, _>("protocol")? {
        "udp" => Protocol::Udp,
        _ => Protocol::Tcp,
    };
    Ok(SegmentationAnswer {
        address: parse_address("address", row.try_get("address")?)?,
        port: u16::try_from(row.try_get::<i64, _>("port")?).unwrap_or(0),
        protocol,
        service: row.try_get("service")?,
    })
}

fn parse_address(column: &str, text: &str) -> Result<std::net::IpAddr, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("{column}: {text:?} is not an address")))
}
