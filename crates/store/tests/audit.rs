//! The audit log: every change recorded in its transaction, the chain
//! verifies, and tampering with one row is caught and named.

mod common;

use common::{ACTOR, add_entries, add_shop, database_file, entry, new_store, raw};
use portcullis_model::{AuditEntryId, SystemId};
use portcullis_store::{ChainProblem, Store, StoreError};

/// A store with a system and some history: add, update, approve, remove.
async fn store_with_history() -> (tempfile::TempDir, Store) {
    let (dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    let entries = add_entries(&store, shop.id, &[22, 80, 443]).await;
    let mut changed = entries[0].clone();
    changed.justification = "administration from the office only".into();
    store.update_inventory_entry(ACTOR, changed).await.unwrap();
    let renewal = portcullis_compliance::Renewal {
        approver: "bob".into(),
        justification: None,
        term: portcullis_compliance::Term::SameAsBefore,
        now: chrono::Utc::now(),
    };
    let renewed = portcullis_compliance::renew(&entries[2], &renewal).unwrap();
    store
        .approve_inventory_entry(ACTOR, &renewed)
        .await
        .unwrap();
    store
        .remove_inventory_entry(ACTOR, entries[1].id, None)
        .await
        .unwrap();
    (dir, store)
}

#[tokio::test]
async fn every_change_is_logged_and_the_chain_verifies() {
    let (_dir, store) = store_with_history().await;
    let rows = store.audit_rows(None, 100).await.unwrap();
    let actions: Vec<&str> = rows.iter().rev().map(|r| r.action.name()).collect();
    assert_eq!(
        actions,
        [
            "system.add",
            "inventory.add",
            "inventory.add",
            "inventory.add",
            "inventory.update",
            "inventory.approve",
            "inventory.remove"
        ]
    );
    let removal = &rows[0];
    assert_eq!(removal.actor, ACTOR);
    assert!(removal.before.as_deref().unwrap().contains("\"port\":80"));
    assert_eq!(removal.after, None);

    let report = store.verify_audit_log().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows_checked, 7);
    assert_eq!(report.head_hash.as_deref(), Some(rows[0].hash.as_str()));
}

#[tokio::test]
async fn a_failed_change_leaves_no_audit_row() {
    let (_dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    add_entries(&store, shop.id, &[443]).await;
    let before = store.audit_rows(None, 100).await.unwrap().len();
    let error = store
        .add_inventory_entry(ACTOR, entry(shop.id, 443))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Duplicate { .. }), "{error}");
    let error = store
        .add_inventory_entry(ACTOR, entry(SystemId(shop.id.get() + 100), 443))
        .await
        .unwrap_err();
    assert!(error.is_bad_input(), "{error}");
    assert_eq!(store.audit_rows(None, 100).await.unwrap().len(), before);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}

#[tokio::test]
async fn the_table_refuses_updates_and_deletes() {
    let (dir, store) = store_with_history().await;
    store.close().await;
    let conn = raw(&database_file(&dir));
    let update = conn
        .execute("UPDATE audit_log SET actor = 'mallory' WHERE id = 2", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "{update}");
    let delete = conn
        .execute("DELETE FROM audit_log WHERE id = 2", [])
        .unwrap_err();
    assert!(delete.to_string().contains("append-only"), "{delete}");
}

#[tokio::test]
async fn an_edited_row_is_named() {
    let (dir, store) = store_with_history().await;
    store.close().await;
    {
        let conn = raw(&database_file(&dir));
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_update;
             UPDATE audit_log SET after = replace(after, 'alice', 'mallory') WHERE id = 3;",
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).await.unwrap();
    let report = store.verify_audit_log().await.unwrap();
    let bad = report.first_bad.expect("tampering is detected");
    assert_eq!(bad.id, AuditEntryId(3));
    assert_eq!(bad.problem, ChainProblem::ContentChanged);
    assert!(bad.to_string().contains("audit row 3"), "{bad}");
}

#[tokio::test]
async fn a_deleted_row_is_caught_at_the_next_one() {
    let (dir, store) = store_with_history().await;
    store.close().await;
    {
        let conn = raw(&database_file(&dir));
        conn.execute_batch(
            "DROP TRIGGER audit_log_no_delete;
             DELETE FROM audit_log WHERE id = 4;",
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).await.unwrap();
    let bad = store.verify_audit_log().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.id, AuditEntryId(5));
    assert_eq!(
        bad.problem,
        ChainProblem::Gap {
            expected_id: AuditEntryId(4)
        }
    );
}

#[tokio::test]
async fn a_row_rewritten_with_a_valid_hash_of_its_own_breaks_the_next_link() {
    let (dir, store) = store_with_history().await;
    store.close().await;
    {
        // The attacker knows the hashing scheme, edits row 2 and gives it
        // the hash its new content deserves: row 3 no longer follows it.
        let conn = raw(&database_file(&dir));
        let (prev_hash, content): (String, String) = conn
            .query_row(
                "SELECT prev_hash, json_array(id, at, 'mallory', action, entity, entity_id, before, after)
                 FROM audit_log WHERE id = 2",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        let forged = sha256_hex(&format!("{prev_hash}{content}"));
        conn.execute_batch("DROP TRIGGER audit_log_no_update;")
            .unwrap();
        conn.execute(
            "UPDATE audit_log SET actor = 'mallory', hash = ? WHERE id = 2",
            [&forged],
        )
        .unwrap();
    }
    let store = Store::open(dir.path()).await.unwrap();
    let bad = store.verify_audit_log().await.unwrap().first_bad.unwrap();
    assert_eq!(bad.id, AuditEntryId(3));
    assert_eq!(bad.problem, ChainProblem::BrokenLink);
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
}

#[tokio::test]
async fn an_approval_writes_only_what_it_decides_and_never_an_expiry_before_it() {
    let (_dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    let entry = add_entries(&store, shop.id, &[443]).await.remove(0);

    let mut renewed = entry.clone();
    renewed.approver = "bob".into();
    renewed.approved_at = chrono::Utc::now();
    renewed.expires_at = Some(renewed.approved_at + chrono::TimeDelta::days(180));
    renewed.justification = "card payments".into();
    renewed.port = 8443;
    renewed.notes = "not an approval's business".into();
    let stored = store
        .approve_inventory_entry(ACTOR, &renewed)
        .await
        .unwrap();
    assert_eq!(
        (stored.approver.as_str(), stored.justification.as_str()),
        ("bob", "card payments")
    );
    assert_eq!(
        stored.expires_at.map(|t| t.date_naive()),
        renewed.expires_at.map(|t| t.date_naive())
    );
    assert_eq!(
        (stored.port, stored.notes.as_str()),
        (443, ""),
        "the port stays"
    );

    let rows_before = store.audit_rows(None, 100).await.unwrap().len();
    let mut lapsed = stored.clone();
    lapsed.expires_at = Some(lapsed.approved_at - chrono::TimeDelta::days(1));
    let error = store
        .approve_inventory_entry(ACTOR, &lapsed)
        .await
        .unwrap_err();
    assert!(error.is_bad_input());
    assert!(error.to_string().contains("would never hold"), "{error}");
    assert_eq!(
        store.audit_rows(None, 100).await.unwrap().len(),
        rows_before
    );
    assert_eq!(store.inventory_entry(entry.id).await.unwrap(), stored);
}
