//! Inventory import and export: all or nothing, problems named by line and
//! field, and an export imports back to the same inventory.

mod common;

use common::{ACTOR, add_entries, add_shop, new_store};
use portcullis_model::compliance::{NewSystem, Scope, SystemRole};
use portcullis_store::{InventoryFormat, StoreError};

const GOOD_AND_BAD: &str = "\
system,port,protocol,service,justification,approver,expires_at
shop,443,tcp,https,card payments,alice,2099-01-01
shop,22,tcp,ssh,administration,alice,
shop,70000,tcp,,nonsense,alice,
";

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file() {
    let (_dir, store) = new_store().await;
    add_shop(&store).await;
    let audit_before = store.audit_rows(None, 100).await.unwrap().len();

    let error = store
        .import_inventory(ACTOR, InventoryFormat::Csv, GOOD_AND_BAD)
        .await
        .unwrap_err();
    let StoreError::Import(import) = &error else {
        panic!("expected an import error, got {error}");
    };
    assert_eq!(import.problems.len(), 1);
    assert_eq!(import.problems[0].line, 4);
    assert_eq!(import.problems[0].field.as_deref(), Some("port"));
    assert!(error.is_bad_input());
    assert!(
        error.to_string().contains("line 4, field `port`"),
        "{error}"
    );

    assert!(store.inventory(None).await.unwrap().is_empty());
    assert_eq!(
        store.audit_rows(None, 100).await.unwrap().len(),
        audit_before
    );
}

#[tokio::test]
async fn a_clean_file_imports_in_one_go_and_again_changes_nothing() {
    let (_dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    let good: String = GOOD_AND_BAD.lines().take(3).collect::<Vec<_>>().join("\n");
    let summary = store
        .import_inventory(ACTOR, InventoryFormat::Csv, &good)
        .await
        .unwrap();
    assert_eq!((summary.added, summary.updated), (2, 0));
    let entries = store.inventory(Some(shop.id)).await.unwrap();
    let ports: Vec<u16> = entries.iter().map(|e| e.port).collect();
    assert_eq!(ports, [22, 443]);
    assert_eq!(entries[0].service.as_deref(), Some("ssh"));
    assert_eq!(entries[0].expires_at, None);
    assert!(entries[1].expires_at.is_some());

    let exported = store.export_inventory(InventoryFormat::Csv).await.unwrap();
    let again = store
        .import_inventory(ACTOR, InventoryFormat::Csv, &exported)
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
    let actions: Vec<String> = store
        .audit_rows(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(
        actions,
        ["inventory.import", "inventory.import", "system.add"]
    );
}

#[tokio::test]
async fn an_export_imports_into_another_database_unchanged() {
    for format in [InventoryFormat::Csv, InventoryFormat::Json] {
        let (_a, source) = new_store().await;
        let shop = add_shop(&source).await;
        let mut entries = add_entries(&source, shop.id, &[22, 80, 443]).await;
        entries[1].notes = "redirects to 443, \"always\"\nsecond line".into();
        entries[1].version = Some("1.24".into());
        source
            .update_inventory_entry(ACTOR, entries[1].clone())
            .await
            .unwrap();
        let exported = source.export_inventory(format).await.unwrap();

        let (_b, target) = new_store().await;
        // Another database: the system gets another id, but the same name.
        target
            .add_system(
                ACTOR,
                NewSystem {
                    name: "other".into(),
                    addresses: vec!["198.51.100.1".into()],
                    role: SystemRole::Office,
                    scope: Scope::OutOfScope,
                    exposure: portcullis_model::compliance::Exposure::Internal,
                    notes: String::new(),
                },
            )
            .await
            .unwrap();
        let target_shop = add_shop(&target).await;
        target
            .import_inventory(ACTOR, format, &exported)
            .await
            .unwrap();

        let strip = |entries: Vec<portcullis_model::compliance::InventoryEntry>| {
            entries
                .into_iter()
                .map(|mut e| {
                    e.id = 0;
                    e.system_id = 0;
                    e
                })
                .collect::<Vec<_>>()
        };
        let original = strip(source.inventory(None).await.unwrap());
        let copied = strip(target.inventory(Some(target_shop.id)).await.unwrap());
        assert_eq!(copied, original, "{format:?}");
    }
}

#[tokio::test]
async fn json_problems_name_entry_line_and_key() {
    let (_dir, store) = new_store().await;
    add_shop(&store).await;
    let json = r#"[
  {"system": "shop", "port": 443, "justification": "shop", "approver": "alice"},
  {"system": "warehouse", "port": 22, "justification": "ssh", "approver": "alice"}
]"#;
    let error = store
        .import_inventory(ACTOR, InventoryFormat::Json, json)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("entry 2 (line 3), field `system`: no system is called `warehouse`"),
        "{error}"
    );
    assert!(store.inventory(None).await.unwrap().is_empty());
}
