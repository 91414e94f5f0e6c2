//! Segmentation tests (PCI DSS 11.4.5): recorded by a person, or run by
//! Portcullis from the network the merchant says is cut off from the card
//! data systems (the guided test); either way the findings about them
//! follow.

use portcullis_model::judgement::SegmentationOutcome;
use portcullis_model::requests::SegmentationTestInput;
use portcullis_model::scan_record::{ScanSettings, ScanStatus};
use portcullis_model::segmentation::{
    NETWORK_NAME_MAX_CHARS, NetworkPosition, SegmentationEvidence, SegmentationRunInput,
    SegmentationRunOutcome,
};
use portcullis_model::wizard::ScanDepth;
use portcullis_model::{AppError, ErrorKind};

use crate::error::{Result, from_store};
use crate::scans::Recording;
use crate::supervisor::ScanRun;
use crate::workspace::Workspace;

/// A guided segmentation test under way: its scan (to follow and cancel
/// as any other), and what its record will say about where it ran.
#[derive(Debug)]
pub struct SegmentationRun {
    pub scan: ScanRun,
    /// The network's name, as the merchant gave it (trimmed).
    pub network: String,
    pub position: NetworkPosition,
}

impl Workspace {
    /// Records a segmentation test, then judges the newest judged scan
    /// again: the findings about segmentation are made when a scan is
    /// judged. The note is the record's evidence (who tested what, where
    /// the report is), so it may not be empty; a test cannot have happened
    /// after now (the workspace's clock).
    pub async fn record_segmentation_test(
        &self,
        test: SegmentationTestInput,
    ) -> Result<SegmentationOutcome> {
        let now = self.now();
        let at = test.at.unwrap_or(now);
        if test.note.trim().is_empty() {
            return Err(AppError::bad_input(
                "note",
                "a segmentation test needs a note: who tested which networks, and where the \
                 report is",
            ));
        }
        if at > now {
            return Err(AppError::bad_input(
                "at",
                format!(
                    "the segmentation test's date {} is in the future",
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ));
        }
        let id = self
            .store
            .record_segmentation_test(&self.actor, at, test.passed, &test.note)
            .await
            .map_err(from_store)?;
        Ok(SegmentationOutcome {
            id,
            rejudged: self.judge_newest_again().await?,
        })
    }

    /// Starts a guided segmentation test from the network this computer is
    /// on: every address of every system in scope, all TCP ports and the
    /// common UDP ones. Where the computer stands (interface, address,
    /// gateway) is read before the first probe. Nothing in scope, or a
    /// network with no usable name, is bad input.
    pub async fn start_segmentation_test(
        &self,
        input: SegmentationRunInput,
    ) -> Result<SegmentationRun> {
        let network = network_name(&input.network)?;
        let full = self
            .guided_scan_settings(ScanDepth::Full)
            .await
            .map_err(|error| match error.field.as_deref() {
                Some("systems") => AppError::bad_input(
                    "systems",
                    "there is no system in scope (CDE or connected) to test segmentation \
                     against: add the systems that handle card data first",
                ),
                _ => error,
            })?;
        let settings = segmentation_settings(full);
        let plan = self.plan_scan(settings).await?;
        let first = plan.first_address().ok_or_else(|| {
            AppError::bad_input("systems", "the systems in scope have no address to test")
        })?;
        let position =
            portcullis_scanner::network_position::position_towards(first).ok_or_else(|| {
                AppError::new(
                    ErrorKind::Unavailable,
                    format!(
                        "this computer has no route to {first}, so it cannot tell which network \
                         it is on: connect it to the network you named and try again"
                    ),
                )
            })?;
        let scan = self.start_scan_recording(plan, Recording::Unjudged).await?;
        Ok(SegmentationRun {
            scan,
            network,
            position,
        })
    }

    /// Waits for a guided test's scan, judges it (any answer breaks the
    /// segmentation), records the outcome with its evidence, and judges
    /// the newest judged scan again so that the 11.4.5 findings follow. A
    /// scan that did not finish records no test: it proves nothing either
    /// way (the scan itself stays recorded as cancelled).
    pub async fn finish_segmentation_test(
        &self,
        run: SegmentationRun,
    ) -> Result<SegmentationRunOutcome> {
        let SegmentationRun {
            scan,
            network,
            position,
        } = run;
        let outcome = scan.outcome().await?;
        let record = outcome
            .record
            .ok_or_else(|| AppError::internal("the segmentation test's scan was not recorded"))?;
        if record.status != ScanStatus::Finished {
            return Err(AppError::new(
                ErrorKind::Unavailable,
                format!(
                    "the segmentation test's scan did not finish ({}), so no test was recorded: \
                     an unfinished scan proves nothing",
                    record.status.as_str()
                ),
            ));
        }
        let verdict = portcullis_compliance::judge_segmentation(&outcome.report.hosts);
        let summary = portcullis_compliance::segmentation_summary(&network, &verdict);
        let passed = verdict.passed();
        let at = record.finished_at.unwrap_or_else(|| self.now());
        let evidence = SegmentationEvidence {
            network,
            position,
            scan_id: record.id,
            answers: verdict.answers,
            answers_not_listed: verdict.not_listed,
        };
        let id = self
            .store
            .record_guided_segmentation_test(&self.actor, at, passed, &summary, &evidence)
            .await
            .map_err(from_store)?;
        Ok(SegmentationRunOutcome {
            id,
            at,
            passed,
            evidence,
            summary,
            rejudged: self.judge_newest_again().await?,
        })
    }
}

/// The full scan, made fit to test segmentation: every target is probed
/// whatever discovery would say (a host that ignores pings may still have
/// a port open), and only whether something answers matters, so neither
/// services nor their settings are looked at.
fn segmentation_settings(full: ScanSettings) -> ScanSettings {
    ScanSettings {
        discover: false,
        identify: false,
        posture: false,
        external: false,
        ..full
    }
}

/// The network's name as given, trimmed: not empty, a name's length, and
/// printable (it is stored and shown as the test's evidence).
fn network_name(given: &str) -> Result<String> {
    let name = given.trim();
    if name.is_empty() {
        return Err(AppError::bad_input(
            "network",
            "say which network this computer is on, as you call it (for example \"Guest Wi-Fi\")",
        ));
    }
    if name.chars().count() > NETWORK_NAME_MAX_CHARS {
        return Err(AppError::bad_input(
            "network",
            format!("a network's name may have at most {NETWORK_NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "network",
            "a network's name may not hold control characters (tabs, line breaks, escapes)",
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_network_name_is_trimmed_and_must_be_a_name() {
        assert_eq!(network_name("  Guest Wi-Fi ").unwrap(), "Guest Wi-Fi");
        for bad in ["", "   ", "Guest\u{1b}[2J", &"x".repeat(101)] {
            let error = network_name(bad).unwrap_err();
            assert_eq!(error.kind, ErrorKind::BadInput, "{bad:?}");
            assert_eq!(error.field.as_deref(), Some("network"), "{bad:?}");
        }
    }

    #[test]
    fn every_target_is_probed_and_only_answers_matter() {
        let settings = segmentation_settings(ScanSettings {
            ports: "T:1-65535,U:top:100".into(),
            udp: true,
            identify: true,
            posture: true,
            ..ScanSettings::default()
        });
        assert!(!settings.discover && !settings.identify && !settings.posture);
        assert!(settings.udp);
        assert_eq!(settings.ports, "T:1-65535,U:top:100");
    }
}
