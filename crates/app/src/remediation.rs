//! How to fix a finding on the merchant's platform (PCI DSS 6.3.3, 2.2.4
//! and the requirement each finding serves). The platform is asked once
//! per system and remembered; until then, the scan that found the finding
//! gives a best guess.

use std::net::IpAddr;

use portcullis_compliance::{FixRequest, KnowledgeBase, guess_platform};
use portcullis_model::compliance::{
    FindingRecord, FixSteps, Platform, PlatformChoice, System, SystemPlatform,
};
use portcullis_model::{AppError, FindingId, SystemId};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The platform assumed when nothing is known: most small shops' servers
/// run Debian or Ubuntu.
const ASSUMED: Platform = Platform::Debian;

/// What a finding on no registered system is called in its fix.
const UNREGISTERED: &str = "this machine";

impl Workspace {
    /// The steps that fix the finding. On `platform` when given, which is
    /// then remembered for the finding's system; otherwise on the platform
    /// stated for the system before, or the best guess from the scan that
    /// found it, or Debian and Ubuntu, which most small shops run.
    pub async fn fix_steps(
        &self,
        finding_id: FindingId,
        platform: Option<Platform>,
    ) -> Result<FixSteps> {
        let record = self.store.finding(finding_id).await.map_err(from_store)?;
        let system = match record.finding.system_id {
            Some(id) => Some(self.store.system(id).await.map_err(from_store)?),
            None => None,
        };
        let (platform, choice) = match (platform, &system) {
            (Some(platform), Some(system)) => {
                self.set_system_platform(system.id, platform).await?;
                (platform, PlatformChoice::Stated)
            }
            (Some(platform), None) => (platform, PlatformChoice::Stated),
            (None, _) => self.platform_for(system.as_ref(), &record).await?,
        };
        let system_name = system.as_ref().map_or(UNREGISTERED, |s| s.name.as_str());
        KnowledgeBase::builtin()
            .fix(FixRequest {
                finding_id,
                finding: &record.finding,
                system: system_name,
                platform,
                choice: &choice,
            })
            .ok_or_else(|| {
                AppError::internal(format!(
                    "the knowledge base has no fix for {} on {}",
                    record.finding.kind.id(),
                    platform.name()
                ))
            })
    }

    /// The platform a system runs on, and how that is known: stated, or
    /// guessed from the newest scan that saw it.
    pub async fn system_platform(&self, system_id: SystemId) -> Result<SystemPlatform> {
        let system = self.store.system(system_id).await.map_err(from_store)?;
        let (platform, choice) = match self.stated_platform(system_id).await? {
            Some(stated) => stated,
            None => {
                let scan = self
                    .store
                    .newest_evaluated_scan()
                    .await
                    .map_err(from_store)?;
                match scan {
                    Some(scan) => self.guessed(&addresses_of(&system), scan).await?,
                    None => (ASSUMED, PlatformChoice::Assumed),
                }
            }
        };
        Ok(SystemPlatform {
            system_id,
            platform,
            choice,
        })
    }

    /// Remembers the platform a system runs on, for its fixes.
    pub async fn set_system_platform(
        &self,
        system_id: SystemId,
        platform: Platform,
    ) -> Result<SystemPlatform> {
        self.store
            .set_system_platform(self.actor(), system_id, platform)
            .await
            .map_err(from_store)?;
        Ok(SystemPlatform {
            system_id,
            platform,
            choice: PlatformChoice::Stated,
        })
    }

    async fn stated_platform(
        &self,
        system_id: SystemId,
    ) -> Result<Option<(Platform, PlatformChoice)>> {
        let stated = self
            .store
            .system_platform(system_id)
            .await
            .map_err(from_store)?;
        Ok(stated.map(|platform| (platform, PlatformChoice::Stated)))
    }

    /// The platform for a finding nobody stated one for: the system's
    /// stated one, or a guess from the addresses the finding's scan saw.
    async fn platform_for(
        &self,
        system: Option<&System>,
        record: &FindingRecord,
    ) -> Result<(Platform, PlatformChoice)> {
        if let Some(system) = system
            && let Some(stated) = self.stated_platform(system.id).await?
        {
            return Ok(stated);
        }
        let mut addresses = system.map(addresses_of).unwrap_or_default();
        addresses.extend(record.finding.address);
        self.guessed(&addresses, record.last_seen_scan).await
    }

    async fn guessed(
        &self,
        addresses: &[IpAddr],
        scan: portcullis_model::ScanId,
    ) -> Result<(Platform, PlatformChoice)> {
        let seen: Vec<_> = self
            .store
            .observations(scan)
            .await
            .map_err(from_store)?
            .into_iter()
            .filter(|port| addresses.contains(&port.address))
            .collect();
        Ok(match guess_platform(&seen) {
            Some((platform, clue)) => (platform, PlatformChoice::Guessed(clue)),
            None => (ASSUMED, PlatformChoice::Assumed),
        })
    }
}

/// The IP addresses among a system's addresses (names are resolved only
/// when scanned).
fn addresses_of(system: &System) -> Vec<IpAddr> {
    system
        .addresses
        .iter()
        .filter_map(|address| address.parse().ok())
        .collect()
}
