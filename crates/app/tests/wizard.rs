//! The guided check's use cases: progress that survives quitting, and the
//! Review step's cards from a real scan of 127.0.0.1.

use std::net::{Ipv4Addr, TcpListener};

use chrono::{TimeZone, Utc};
use portcullis_app::{FixedClock, Workspace, WorkspaceOptions};
use portcullis_model::compliance::{Exposure, NewSystem, Scope, SystemRole, Verdict};
use portcullis_model::requests::FindingAcceptance;
use portcullis_model::review::DecisionSubject;
use portcullis_model::scan_record::{ScanSettings, TcpChoice};
use portcullis_model::wizard::{
    BusinessProfile, CardChannel, Hosting, ScanDepth, WizardProgress, WizardStep,
};

async fn open(dir: &std::path::Path) -> Workspace {
    let mut options = WorkspaceOptions::new(dir.to_path_buf(), "alice".into());
    options.clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 12, 0, 0).unwrap());
    Workspace::open(options).await.expect("workspace opens")
}

#[tokio::test]
async fn progress_saved_in_the_review_step_is_there_after_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    assert_eq!(
        workspace.wizard_progress().await.unwrap(),
        WizardProgress::default(),
        "a new workspace starts at the beginning"
    );

    let mut progress = WizardProgress {
        business: Some(BusinessProfile {
            channels: vec![CardChannel::ProviderFrame],
            terminal_link: None,
            hosting: Some(Hosting::RentedServer),
        }),
        scan_depth: Some(ScanDepth::Full),
        ..WizardProgress::default()
    };
    progress.go_to(WizardStep::Review);
    workspace
        .save_wizard_progress(progress.clone())
        .await
        .unwrap();
    workspace.shutdown().await;
    drop(workspace);

    let reopened = open(dir.path()).await;
    assert_eq!(reopened.wizard_progress().await.unwrap(), progress);
}

/// Two unlisted ports on one system are two decisions, each a card that
/// names the port and the system and says what settles it.
#[tokio::test]
async fn review_shows_one_card_per_open_port_with_the_words_a_merchant_reads() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let shop = workspace
        .add_system(NewSystem {
            name: "Web shop".into(),
            addresses: vec!["127.0.0.1".into()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        })
        .await
        .unwrap();
    let listeners: Vec<TcpListener> = (0..2)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap())
        .collect();
    let ports: Vec<u16> = listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect();
    let settings = ScanSettings {
        targets: vec!["127.0.0.1".into()],
        ports: format!("{},{}", ports[0], ports[1]),
        tcp: TcpChoice::Connect,
        discover: false,
        ..ScanSettings::default()
    };
    workspace.scan_to_end(settings, true).await.unwrap();

    let cards = workspace.review().await.unwrap();
    assert_eq!(cards.len(), 2, "{cards:#?}");
    for port in &ports {
        let card = cards
            .iter()
            .find(|card| matches!(card.group.subject, DecisionSubject::Port { port: p, .. } if p == *port))
            .unwrap_or_else(|| panic!("no card for port {port}: {cards:#?}"));
        assert_eq!(card.group.subject.system_id(), Some(shop.id));
        assert!(
            card.title.starts_with(&format!("Port {port}/tcp")),
            "{}",
            card.title
        );
        assert!(card.title.ends_with("on Web shop"), "{}", card.title);
        assert!(
            card.group.acceptable,
            "an unlisted port may be kept with a reason"
        );
        assert_eq!(card.group.verdict, Verdict::ActionNeeded);
        assert_eq!(card.verdict_words, "Needs a stated business need");
        assert!(
            card.summary
                .starts_with("Keep it with a stated business need, or close it"),
            "{}",
            card.summary
        );
    }
    let keys: std::collections::BTreeSet<&str> = cards.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys.len(), 2, "each card has its own key");

    // Verify: the rescan looks at exactly the ports of the findings asked.
    let first = cards[0].group.findings[0].clone();
    let rescan = workspace
        .verification_settings(vec![first.id])
        .await
        .unwrap();
    assert_eq!(rescan.targets, ["127.0.0.1"]);
    assert_eq!(rescan.ports, format!("T:{}", first.finding.port.unwrap()));
    assert!(!rescan.posture, "an unlisted port needs no posture check");

    // Done: one sentence leads, and it moves with the decisions.
    let status = workspace.status().await.unwrap();
    assert_eq!(
        status.headline,
        "Nothing will fail your ASV scan; 2 decisions still need a fix or a stated business need."
    );
    for card in &cards {
        workspace
            .accept_finding(FindingAcceptance {
                id: card.group.findings[0].id,
                justification: "the shop's card terminal talks to it".into(),
                approver: "Owner".into(),
                until: None,
            })
            .await
            .unwrap();
    }
    let status = workspace.status().await.unwrap();
    assert_eq!(
        status.headline,
        "Every open port is known and justified: nothing will fail your ASV scan."
    );
    // The scan is stamped with the machine's clock, the approvals with the
    // workspace's (2026-06-01): the next scan is due 90 days after the scan.
    let scanned = status.history.last_internal_scan.expect("the scan counts");
    let next_scan = (scanned + chrono::TimeDelta::days(90)).format("%Y-%m-%d");
    let steps: Vec<&str> = status
        .next_steps
        .iter()
        .map(|s| s.sentence.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "Review the approved ports with whoever approved them by 2026-12-01 (PCI DSS 1.2.7).",
            &format!("Run the next internal scan by {next_scan} (PCI DSS 11.3.1)."),
        ]
    );
}

/// Quick and full mean the scans the Scan step promises, over every system
/// in scope, and both plan.
#[tokio::test]
async fn quick_and_full_scans_cover_what_they_promise() {
    let dir = tempfile::tempdir().unwrap();
    let workspace = open(dir.path()).await;
    let error = workspace
        .guided_scan_settings(ScanDepth::Quick)
        .await
        .expect_err("nothing to scan yet");
    assert_eq!(error.field.as_deref(), Some("systems"));
    workspace
        .add_system(NewSystem {
            name: "Till".into(),
            addresses: vec!["127.0.0.1".into()],
            role: SystemRole::Other,
            scope: Scope::Cde,
            exposure: Exposure::Internal,
            notes: String::new(),
        })
        .await
        .unwrap();
    let quick = workspace
        .guided_scan_settings(ScanDepth::Quick)
        .await
        .unwrap();
    let plan = workspace.plan_scan(quick).await.unwrap();
    assert_eq!((plan.tcp_port_count, plan.udp_port_count), (1000, 0));
    let full = workspace
        .guided_scan_settings(ScanDepth::Full)
        .await
        .unwrap();
    let plan = workspace.plan_scan(full).await.unwrap();
    assert_eq!((plan.tcp_port_count, plan.udp_port_count), (65535, 100));
    assert!(plan.coverage.posture, "{:?}", plan.coverage);
}
