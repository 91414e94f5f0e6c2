//! The IPC contract: every command the desktop app answers, in one table.
//!
//! Each row names a command's type, its wire name, its request and its
//! response. From this table follow the types the UI invokes through
//! ([`crate::Command`]), the list of names the shell's build manifest
//! declares (so each must be granted to the window), and the list a test
//! in the shell compares with the handlers it registers: a command added
//! here without a handler fails that test.

use crate::compliance::{
    AuditEntry, FindingRecord, FixSteps, InventoryEntry, NewSystem, Ruleset, System, SystemPlatform,
};
use crate::dashboard::{Dashboard, SegmentationRecord, StatusReport};
use crate::diff_view::DiffView;
use crate::documents::{ExportAnswer, ExportRequest};
use crate::guided::{LocalNetwork, Readiness};
use crate::ids::{AlertId, FindingId, InventoryEntryId, ScheduleId, SystemId};
use crate::ipc::Command;
use crate::judgement::{
    FindingFilter, ImportSummary, InventoryFormat, Judgement, SegmentationOutcome,
};
use crate::listing::{
    FindingPage, FindingQuery, InventoryPage, InventoryQuery, InventoryRow, SystemName,
};
use crate::maintenance::ChainReport;
use crate::monitor::{Alert, MonitorOutcome, Notification, Schedule, ScheduleInput};
use crate::report::ScanReport;
use crate::requests::{
    DiffRequest, FindingAcceptance, FindingDisputal, FirewallRequest, FixStepsRequest,
    InventoryAddition, InventoryRemoval, InventoryRenewal, PlatformStatement,
    SegmentationTestInput, SystemEdit,
};
use crate::review::{FindingDetail, ReviewCard};
use crate::scan_record::{RunId, RunningScan, ScanId, ScanRecord};
use crate::scan_record::{ScanProfile, ScanSettings};
use crate::wizard::{ScanDepth, WizardProgress};
use crate::{AppInfo, AppInfoRequest};

macro_rules! commands {
    ($( $(#[$doc:meta])* $command:ident = $name:literal ($request:ty) -> $response:ty; )*) => {
        $(
            $(#[$doc])*
            #[derive(Debug)]
            pub enum $command {}

            impl Command for $command {
                const NAME: &'static str = $name;
                type Request = $request;
                type Response = $response;
            }
        )*

        /// Every command's wire name, in table order.
        pub const COMMAND_NAMES: &[&str] = &[$($name),*];
    };
}

/// Nothing to send.
pub type Empty = AppInfoRequest;

commands! {
    /// The version, data directory and database status.
    AppInfoCommand = "app_info" (AppInfoRequest) -> AppInfo;
    /// The systems whose ports are judged.
    SystemsList = "systems_list" (Empty) -> Vec<System>;
    /// Every system's id and name, by name: for filters and forms.
    SystemNames = "system_names" (Empty) -> Vec<SystemName>;
    SystemAdd = "system_add" (NewSystem) -> System;
    SystemEditCommand = "system_edit" (SystemEdit) -> System;
    /// Remove a system by id; the audit log keeps what it was.
    SystemRemove = "system_remove" (SystemId) -> System;
    /// The inventory, of one system (`Some(id)`) or all.
    InventoryList = "inventory_list" (Option<SystemId>) -> Vec<InventoryEntry>;
    /// A page of the inventory, filtered and sorted.
    InventoryPageCommand = "inventory_page" (InventoryQuery) -> InventoryPage;
    /// One entry, with the name of its system.
    InventoryEntryCommand = "inventory_entry" (InventoryEntryId) -> InventoryRow;
    InventoryAdd = "inventory_add" (InventoryAddition) -> InventoryEntry;
    InventoryRenew = "inventory_renew" (InventoryRenewal) -> InventoryEntry;
    /// Remove an entry with the reason it goes.
    InventoryRemove = "inventory_remove" (InventoryRemoval) -> InventoryEntry;
    FindingsList = "findings_list" (FindingFilter) -> Vec<FindingRecord>;
    /// A page of findings, filtered: open before answered, worst first.
    FindingsPageCommand = "findings_page" (FindingQuery) -> FindingPage;
    /// Accept a finding; the inventory entry it writes, if any, comes back
    /// with it.
    /// One finding, its system's name and its Review card.
    FindingDetailCommand = "finding_detail" (FindingId) -> FindingDetail;
    FindingAccept = "finding_accept" (FindingAcceptance) -> (FindingRecord, Option<InventoryEntry>);
    /// Dispute a finding with the ASV (false positive, compensating
    /// control, the terminal exception for early TLS).
    FindingDispute = "finding_dispute" (FindingDisputal) -> FindingRecord;
    FindingFixed = "finding_fixed" (FindingId) -> FindingRecord;
    /// The recorded scans, newest first, at most this many.
    ScansList = "scans_list" (i64) -> Vec<ScanRecord>;
    ScanReportCommand = "scan_report" (ScanId) -> ScanReport;
    ScanJudge = "scan_judge" (ScanId) -> Judgement;
    /// Stop a running scan; it keeps what it found.
    ScanCancel = "scan_cancel" (RunId) -> ();
    ScansRunning = "scans_running" (Empty) -> Vec<RunningScan>;
    StatusCommand = "status" (Empty) -> StatusReport;
    /// The status as the dashboard shows it: only the systems that need
    /// the merchant most are listed; the verdict counts cover them all.
    DashboardStatus = "dashboard_status" (Empty) -> StatusReport;
    DashboardCommand = "dashboard" (Empty) -> Dashboard;
    DiffCommand = "diff" (DiffRequest) -> DiffView;
    SegmentationRecordCommand = "segmentation_record" (SegmentationTestInput) -> SegmentationOutcome;
    SegmentationList = "segmentation_list" (Empty) -> Vec<SegmentationRecord>;
    AuditVerify = "audit_verify" (Empty) -> ChainReport;
    /// The newest audit rows, at most this many.
    AuditShow = "audit_show" (i64) -> Vec<AuditEntry>;
    WizardLoad = "wizard_load" (Empty) -> WizardProgress;
    WizardSave = "wizard_save" (WizardProgress) -> WizardProgress;
    GuidedScanSettings = "guided_scan_settings" (ScanDepth) -> ScanSettings;
    ScanReadiness = "scan_readiness" (Empty) -> Readiness;
    /// The networks this computer is on (nothing is probed to learn them).
    LocalNetworks = "local_networks" (Empty) -> Vec<LocalNetwork>;
    ReviewCommand = "review" (Empty) -> Vec<ReviewCard>;
    VerificationSettings = "verification_settings" (Vec<FindingId>) -> ScanSettings;
    /// The steps that fix a finding on its system's platform.
    FixStepsCommand = "fix_steps" (FixStepsRequest) -> FixSteps;
    /// What a system runs on: stated, or guessed from the newest scan.
    SystemPlatformCommand = "system_platform" (SystemId) -> SystemPlatform;
    /// Remember what a system runs on, for its fixes and firewall rules.
    SystemPlatformSet = "system_platform_set" (PlatformStatement) -> SystemPlatform;
    /// A default-deny inbound ruleset from a system's approved inventory.
    FirewallRulesetCommand = "firewall_ruleset" (FirewallRequest) -> Ruleset;
    /// Stop the import under way; nothing of it is kept.
    ImportCancel = "import_cancel" (Empty) -> ();
    /// Save the ASV report's proposal as a CSV findings list to correct,
    /// where a save dialog says; answers where it went (`None`: dismissed).
    ProposalSave = "proposal_save" (Empty) -> Option<String>;
    /// Save the whole inventory as CSV or JSON where a save dialog says;
    /// answers where it went (`None`: dismissed).
    InventoryExportFile = "inventory_export_file" (InventoryFormat) -> Option<String>;
    /// Import the inventory file (CSV or JSON) an open dialog chooses: all
    /// of its rows or, when any is wrong, none (each problem named by its
    /// line); answers what it did (`None`: dismissed).
    InventoryImportFile = "inventory_import_file" (Empty) -> Option<ImportSummary>;
    /// Write a document where a save dialog says.
    ExportDocument = "export_document" (ExportRequest) -> ExportAnswer;
    /// The business name the documents carry; a name given is remembered.
    BusinessName = "business_name" (Option<String>) -> String;
    /// Whether the business is a service provider; an answer given is
    /// remembered.
    ServiceProvider = "service_provider" (Option<bool>) -> bool;
    /// How hard the window's scans push the network: `Some` sets it; the
    /// answer is the profile in force.
    /// Stop the backup or restore under way (it answers "cancelled").
    CopyCancel = "copy_cancel" (Empty) -> ();
    ScanProfileCommand = "scan_profile" (Option<ScanProfile>) -> ScanProfile;
    /// The monitoring schedules, with their last run and next time.
    SchedulesList = "schedules_list" (Empty) -> Vec<Schedule>;
    ScheduleAdd = "schedule_add" (ScheduleInput) -> Schedule;
    ScheduleRemove = "schedule_remove" (ScheduleId) -> ();
    /// Run a monitoring check of every system in scope now; its
    /// notification, if it raised one, is shown at once.
    MonitorNow = "monitor_now" (Empty) -> MonitorOutcome;
    /// The newest alerts; `true`: only those not seen yet.
    AlertsList = "alerts_list" (bool) -> Vec<Alert>;
    /// Every alert up to this one has been seen.
    AlertsSeen = "alerts_seen" (AlertId) -> u64;
    /// The newest notifications monitoring raised.
    NotificationsList = "notifications_list" (Empty) -> Vec<Notification>;
    /// Whether closing the window leaves Portcullis watching from the
    /// system tray (the app's setting; off until the person turns it on).
    KeepWatching = "keep_watching" (Empty) -> bool;
    /// Turn watching from the tray on or off; answers the setting as saved.
    KeepWatchingSet = "keep_watching_set" (bool) -> bool;
    /// Whether Portcullis starts in the tray when the person logs in (the
    /// operating system's own record, not the app's database).
    StartAtLogin = "start_at_login" (Empty) -> bool;
    /// Register or unregister the start at login; answers the state the
    /// operating system then reports.
    StartAtLoginSet = "start_at_login_set" (bool) -> bool;
}

/// A command that streams updates over a channel (the second argument,
/// named [`StreamCommand::CHANNEL`]) until its work ends.
pub trait StreamCommand {
    const NAME: &'static str;
    const ARGUMENT: &'static str = "request";
    const CHANNEL: &'static str = "updates";
    type Request: serde::Serialize + serde::de::DeserializeOwned;
    type Update: serde::Serialize + serde::de::DeserializeOwned;
    type Response: serde::Serialize + serde::de::DeserializeOwned;
}

/// Plan, record and start a scan; its coalesced updates (at most about ten
/// a second) arrive on the channel; answers the run's id at once.
#[derive(Debug)]
pub enum ScanStart {}

impl StreamCommand for ScanStart {
    const NAME: &'static str = "scan_start";
    type Request = crate::scan_record::ScanSettings;
    type Update = crate::scan_record::ScanUpdate;
    type Response = RunId;
}

/// Follow a running scan again (after the window reloaded): everything
/// found so far, then the rest.
#[derive(Debug)]
pub enum ScanAttach {}

impl StreamCommand for ScanAttach {
    const NAME: &'static str = "scan_attach";
    type Request = RunId;
    type Update = crate::scan_record::ScanUpdate;
    type Response = ();
}

/// Import a report a file dialog chooses; its progress arrives on the
/// channel; answers what it came to.
#[derive(Debug)]
pub enum ImportFile {}

impl StreamCommand for ImportFile {
    const NAME: &'static str = "import_file";
    type Request = crate::import::ImportChoice;
    type Update = crate::import::ImportProgress;
    type Response = crate::import::ImportAnswer;
}

/// Import what the ASV's PDF report was read to list, as proposed, with
/// the PDF kept as its evidence.
#[derive(Debug)]
pub enum ImportProposal {}

impl StreamCommand for ImportProposal {
    const NAME: &'static str = "import_proposal";
    type Request = crate::compliance::Exposure;
    type Update = crate::import::ImportProgress;
    type Response = crate::import::ImportAnswer;
}

/// Run the segmentation test from the network this computer is on: the
/// scan's updates arrive on the channel (its run id cancels it with
/// `scan_cancel`); answers the recorded outcome.
#[derive(Debug)]
pub enum SegmentationRun {}

impl StreamCommand for SegmentationRun {
    const NAME: &'static str = "segmentation_run";
    type Request = crate::segmentation::SegmentationRunInput;
    type Update = crate::scan_record::ScanUpdate;
    type Response = crate::segmentation::SegmentationRunOutcome;
}

/// Back up the database to where a save dialog says; the copy's progress
/// arrives on the channel; answers what was written (`None`: the dialog
/// was closed).
#[derive(Debug)]
pub enum BackupSave {}

impl StreamCommand for BackupSave {
    const NAME: &'static str = "backup_save";
    type Request = Empty;
    type Update = crate::maintenance::CopyProgress;
    type Response = Option<crate::maintenance::BackupSummary>;
}

/// Restore the backup an open dialog chooses, after checking its integrity
/// and schema; the database it replaces is saved aside first. Progress
/// arrives on the channel; answers what was done (`None`: dismissed).
#[derive(Debug)]
pub enum RestoreOpen {}

impl StreamCommand for RestoreOpen {
    const NAME: &'static str = "restore_open";
    type Request = Empty;
    type Update = crate::maintenance::CopyProgress;
    type Response = Option<crate::maintenance::RestoreSummary>;
}

/// Every streaming command's wire name.
pub const STREAM_COMMAND_NAMES: &[&str] = &[
    ScanStart::NAME,
    ScanAttach::NAME,
    ImportFile::NAME,
    ImportProposal::NAME,
    SegmentationRun::NAME,
    BackupSave::NAME,
    RestoreOpen::NAME,
];
