//! The platform each system runs on, as the merchant stated it: the fixes
//! are written for it, and it is asked once per system. Audited like the
//! system itself.

use portcullis_model::SystemId;
use portcullis_model::compliance::{AuditAction, Platform};
use serde_json::json;

use crate::audit::{self, Change};
use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;

impl Store {
    /// The platform stated for the system, if any.
    pub async fn system_platform(&self, id: SystemId) -> Result<Option<Platform>, StoreError> {
        let stored: Option<String> =
            sqlx::query_scalar("SELECT platform FROM system_platforms WHERE system_id = ?")
                .bind(id.get())
                .fetch_optional(self.pool())
                .await?;
        stored
            .map(|id| {
                Platform::from_id(&id).ok_or_else(|| {
                    StoreError::Invalid(format!("the stored platform `{id}` is unknown"))
                })
            })
            .transpose()
    }

    /// Records the platform the system runs on, replacing any stated
    /// before. Stating the same one again changes nothing.
    pub async fn set_system_platform(
        &self,
        actor: &str,
        id: SystemId,
        platform: Platform,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let system: Option<i64> = sqlx::query_scalar("SELECT id FROM systems WHERE id = ?")
            .bind(id.get())
            .fetch_optional(&mut *tx)
            .await?;
        if system.is_none() {
            return Err(StoreError::NotFound {
                entity: "system",
                key: id.to_string(),
            });
        }
        let before: Option<String> =
            sqlx::query_scalar("SELECT platform FROM system_platforms WHERE system_id = ?")
                .bind(id.get())
                .fetch_optional(&mut *tx)
                .await?;
        if before.as_deref() == Some(platform.id()) {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO system_platforms (system_id, platform, stated_at) VALUES (?, ?, ?)
             ON CONFLICT (system_id) DO UPDATE SET
                platform = excluded.platform, stated_at = excluded.stated_at",
        )
        .bind(id.get())
        .bind(platform.id())
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        audit::append(
            &mut tx,
            Change {
                actor,
                action: AuditAction::SystemPlatform,
                entity: "system",
                entity_id: id.to_string(),
                before: before.map(|platform| json!({ "platform": platform })),
                after: Some(json!({ "platform": platform.id() })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use portcullis_model::compliance::{
        AuditAction, Exposure, NewSystem, Platform, Scope, SystemRole,
    };

    use crate::database::Store;

    #[tokio::test]
    async fn a_stated_platform_is_remembered_audited_once_and_goes_with_its_system() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let system = store
            .add_system(
                "test",
                NewSystem {
                    name: "Web shop".into(),
                    addresses: vec!["198.18.0.10".into()],
                    role: SystemRole::WebServer,
                    scope: Scope::Cde,
                    exposure: Exposure::External,
                    notes: String::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(store.system_platform(system.id).await.unwrap(), None);
        store
            .set_system_platform("test", system.id, Platform::Debian)
            .await
            .unwrap();
        store
            .set_system_platform("test", system.id, Platform::Debian)
            .await
            .unwrap();
        store
            .set_system_platform("test", system.id, Platform::WindowsServer)
            .await
            .unwrap();
        assert_eq!(
            store.system_platform(system.id).await.unwrap(),
            Some(Platform::WindowsServer)
        );
        let stated: Vec<_> = store
            .audit_rows(Some(("system", &system.id.to_string())), 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|entry| entry.action == AuditAction::SystemPlatform)
            .collect();
        assert_eq!(
            stated.len(),
            2,
            "stating the same platform again is not a change"
        );
        store.remove_system("test", system.id).await.unwrap();
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM system_platforms")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(left, 0);
        let missing = store
            .set_system_platform("test", system.id, Platform::Debian)
            .await
            .unwrap_err();
        assert!(missing.to_string().contains("system"), "{missing}");
    }
}
