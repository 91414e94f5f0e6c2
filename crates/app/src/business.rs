//! Facts about the business that change what PCI DSS asks of it: for now,
//! whether it is a service provider (segmentation tested every six months,
//! 11.4.6, instead of every twelve, 11.4.5); and how hard its scans may
//! push its network.

use portcullis_model::scan_record::ScanProfile;
use portcullis_store::Store;

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

const SERVICE_PROVIDER: &str = "business.service-provider";
const SCAN_PROFILE: &str = "scan.profile";

impl Workspace {
    /// Whether the business is a service provider: the answer given
    /// (which is then remembered), else the one remembered (no, at first).
    pub async fn service_provider(&self, given: Option<bool>) -> Result<bool> {
        if let Some(answer) = given {
            let text = if answer { "yes" } else { "no" };
            self.store
                .put_setting(SERVICE_PROVIDER, text)
                .await
                .map_err(from_store)?;
            return Ok(answer);
        }
        is_service_provider(&self.store).await
    }
}

impl Workspace {
    /// How hard the scans started from the window push the network: the
    /// profile given (then remembered), else the one remembered (normal,
    /// at first). Monitoring keeps its own polite rate whatever this says.
    pub async fn scan_profile(&self, given: Option<ScanProfile>) -> Result<ScanProfile> {
        if let Some(profile) = given {
            self.store
                .put_setting(SCAN_PROFILE, profile.name())
                .await
                .map_err(from_store)?;
            return Ok(profile);
        }
        let kept = self.store.setting(SCAN_PROFILE).await.map_err(from_store)?;
        Ok(kept
            .as_deref()
            .and_then(ScanProfile::parse)
            .unwrap_or_default())
    }
}

/// The remembered answer.
pub(crate) async fn is_service_provider(store: &Store) -> Result<bool> {
    let kept = store.setting(SERVICE_PROVIDER).await.map_err(from_store)?;
    Ok(kept.as_deref() == Some("yes"))
}
