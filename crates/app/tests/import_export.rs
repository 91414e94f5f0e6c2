//! Inventory import and export through the workspace: all or nothing,
//! problems named by line and field, and an export imports back to the
//! same inventory, in another database too.

use portcullis_app::{Workspace, WorkspaceOptions};
use portcullis_model::ErrorKind;
use portcullis_model::compliance::{
    Exposure, InventoryEntry, NewSystem, Scope, System, SystemRole,
};
use portcullis_model::judgement::InventoryFormat;
use portcullis_model::requests::InventoryAddition;
use portcullis_model::scan::Protocol;
use tempfile::TempDir;

const GOOD_AND_BAD: &str = "\
system,port,protocol,service,justification,approver,expires_at
shop,443,tcp,https,card payments,alice,2099-01-01
shop,22,tcp,ssh,administration,alice,
shop,70000,tcp,,nonsense,alice,
";

async fn workspace() -> (TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let options = WorkspaceOptions::new(dir.path().to_path_buf(), "tester".into());
    let workspace = Workspace::open(options).await.unwrap();
    (dir, workspace)
}

async fn add_system(workspace: &Workspace, name: &str, address: &str) -> System {
    workspace
        .add_system(NewSystem {
            name: name.into(),
            addresses: vec![address.into()],
            role: SystemRole::WebServer,
            scope: Scope::Cde,
            exposure: Exposure::External,
            notes: String::new(),
        })
        .await
        .unwrap()
}

async fn audit_actions(workspace: &Workspace) -> Vec<String> {
    let rows = workspace.audit_rows(100).await.unwrap();
    rows.into_iter().map(|row| row.action.to_string()).collect()
}

#[tokio::test]
async fn one_bad_row_refuses_the_whole_file() {
    let (_dir, workspace) = workspace().await;
    add_system(&workspace, "shop", "203.0.113.10").await;
    let audit_before = audit_actions(&workspace).await.len();

    let error = workspace
        .import_inventory(InventoryFormat::Csv, GOOD_AND_BAD)
        .await
        .unwrap_err();
    assert_eq!(error.kind, ErrorKind::BadInput);
    assert_eq!(error.problems.len(), 1);
    assert_eq!(error.problems[0].line, Some(4));
    assert_eq!(error.problems[0].field.as_deref(), Some("port"));
    assert!(
        error.to_string().contains("line 4, field `port`"),
        "{error}"
    );

    assert!(workspace.inventory(None).await.unwrap().is_empty());
    assert_eq!(audit_actions(&workspace).await.len(), audit_before);
}

#[tokio::test]
async fn a_clean_file_imports_in_one_go_and_again_changes_nothing() {
    let (_dir, workspace) = workspace().await;
    let shop = add_system(&workspace, "shop", "203.0.113.10").await;
    let good: String = GOOD_AND_BAD.lines().take(3).collect::<Vec<_>>().join("\n");
    let summary = workspace
        .import_inventory(InventoryFormat::Csv, &good)
        .await
        .unwrap();
    assert_eq!((summary.added, summary.updated), (2, 0));
    let entries = workspace.inventory(Some(shop.id)).await.unwrap();
    let ports: Vec<u16> = entries.iter().map(|e| e.port).collect();
    assert_eq!(ports, [22, 443]);
    assert_eq!(entries[0].service.as_deref(), Some("ssh"));
    assert_eq!(entries[0].expires_at, None);
    assert!(entries[1].expires_at.is_some());

    let exported = workspace
        .export_inventory(InventoryFormat::Csv)
        .await
        .unwrap();
    let again = workspace
        .import_inventory(InventoryFormat::Csv, &exported)
        .await
        .unwrap();
    assert_eq!((again.added, again.updated, again.unchanged), (0, 0, 2));
    assert_eq!(
        audit_actions(&workspace).await,
        ["inventory.import", "inventory.import", "system.add"]
    );
}

#[tokio::test]
async fn an_export_imports_into_another_database_unchanged() {
    for format in [InventoryFormat::Csv, InventoryFormat::Json] {
        let (_a, source) = workspace().await;
        let shop = add_system(&source, "shop", "203.0.113.10").await;
        for (port, notes, version) in [
            (22, "", None),
            (
                80,
                "redirects to 443, \"always\"\nsecond line",
                Some("1.24"),
            ),
            (443, "", None),
        ] {
            source
                .add_inventory_entry(InventoryAddition {
                    system_id: shop.id,
                    port,
                    protocol: Protocol::Tcp,
                    service: Some("https".into()),
                    version: version.map(str::to_owned),
                    justification: "the shop".into(),
                    approver: "alice".into(),
                    expires_at: None,
                    // Limited sources survive the trip, both families.
                    sources: if port == 22 {
                        vec![
                            "198.51.100.7/32".parse().unwrap(),
                            "2001:db8:1::/48".parse().unwrap(),
                        ]
                    } else {
                        Vec::new()
                    },
                    notes: notes.into(),
                })
                .await
                .unwrap();
        }
        let exported = source.export_inventory(format).await.unwrap();

        let (_b, target) = workspace().await;
        // Another database: the system gets another id, but the same name.
        add_system(&target, "other", "198.51.100.1").await;
        let target_shop = add_system(&target, "shop", "203.0.113.10").await;
        target.import_inventory(format, &exported).await.unwrap();

        let strip = |entries: Vec<InventoryEntry>| {
            entries
                .into_iter()
                .map(|mut e| {
                    e.id = portcullis_model::InventoryEntryId(0);
                    e.system_id = portcullis_model::SystemId(0);
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
    let (_dir, workspace) = workspace().await;
    add_system(&workspace, "shop", "203.0.113.10").await;
    let json = r#"[
  {"system": "shop", "port": 443, "justification": "shop", "approver": "alice"},
  {"system": "warehouse", "port": 22, "justification": "ssh", "approver": "alice"}
]"#;
    let error = workspace
        .import_inventory(InventoryFormat::Json, json)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("entry 2 (line 3), field `system`: no system is called `warehouse`"),
        "{error}"
    );
    assert!(workspace.inventory(None).await.unwrap().is_empty());
}
