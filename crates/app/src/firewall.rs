//! Firewall rulesets from the approved inventory (PCI DSS 1.2.5, 1.3.1).

use portcullis_model::SystemId;
use portcullis_model::compliance::{FirewallFormat, Ruleset};

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

impl Workspace {
    /// A default-deny inbound ruleset for a system, in `format`, that lets
    /// in exactly the ports its approvals hold for now.
    pub async fn firewall_ruleset(
        &self,
        system_id: SystemId,
        format: FirewallFormat,
    ) -> Result<Ruleset> {
        let system = self.store.system(system_id).await.map_err(from_store)?;
        let inventory = self
            .store
            .inventory(Some(system_id))
            .await
            .map_err(from_store)?;
        Ok(portcullis_compliance::firewall_ruleset(
            format,
            &system,
            &inventory,
            self.now(),
        ))
    }
}
