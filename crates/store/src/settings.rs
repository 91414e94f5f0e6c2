//! Named values the application keeps between runs (the guided check's
//! progress, for one), stored as text it chose. The store neither reads
//! nor judges them.

use crate::database::Store;
use crate::error::StoreError;
use crate::time::now_rfc3339;

impl Store {
    /// The value saved under `key`, if any.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Saves `value` under `key`, replacing what was there, in one
    /// statement: a crash keeps the old value or the new one.
    pub async fn put_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
        )
        .bind(key)
        .bind(value)
        .bind(now_rfc3339())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_setting_is_saved_replaced_and_read_back_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(store.setting("wizard").await.unwrap(), None);
        store.put_setting("wizard", "one").await.unwrap();
        store.put_setting("wizard", "two").await.unwrap();
        drop(store);
        let store = Store::open(dir.path()).await.unwrap();
        assert_eq!(
            store.setting("wizard").await.unwrap().as_deref(),
            Some("two")
        );
    }
}
