//! Backup and restore: a round trip gives back the backed-up data; a corrupt
//! file or an unknown schema is refused and the live database is untouched.

mod common;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use common::{ACTOR, add_entries, add_shop, database_file, inventory_dump, new_store, raw};
use portcullis_store::{BackupError, CopyProgress, Store, StoreError};

/// What a progress callback answers to let the copy go on.
const GO_ON: ControlFlow<()> = ControlFlow::Continue(());

#[tokio::test]
async fn backup_then_restore_brings_back_the_data() {
    let (dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    add_entries(&store, shop.id, &[22, 443]).await;
    let backed_up = inventory_dump(&database_file(&dir));

    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("portcullis-backup.sqlite3");
    let seen: Arc<Mutex<Vec<CopyProgress>>> = Arc::default();
    let progress = seen.clone();
    let summary = store
        .backup_to(&file, move |p| {
            progress.lock().unwrap().push(p);
            GO_ON
        })
        .await
        .unwrap();
    assert!(file.is_file());
    assert_eq!(summary.bytes, std::fs::metadata(&file).unwrap().len());
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(last.pages_done, last.pages_total);
    assert_eq!(last.pages_total, summary.pages);

    // Life goes on after the backup...
    add_entries(&store, shop.id, &[8080]).await;
    store
        .remove_inventory_entry(ACTOR, store.inventory(None).await.unwrap()[0].id, None)
        .await
        .unwrap();
    assert_ne!(inventory_dump(&database_file(&dir)), backed_up);

    // ...until the restore puts it back as it was.
    let restored = store.restore_from(&file, |_| GO_ON).await.unwrap();
    assert_eq!(inventory_dump(&database_file(&dir)), backed_up);
    assert!(std::path::Path::new(&restored.previous_saved_to).is_file());
    assert!(store.verify_audit_log().await.unwrap().is_intact());
    let ports: Vec<u16> = store
        .inventory(None)
        .await
        .unwrap()
        .iter()
        .map(|e| e.port)
        .collect();
    assert_eq!(ports, [22, 443], "the store reads the restored data");

    // The database replaced was saved first, whole.
    let saved = Store::open(&tempdir_with(std::path::Path::new(
        &restored.previous_saved_to,
    )))
    .await
    .unwrap();
    assert_eq!(saved.inventory(None).await.unwrap().len(), 2);
}

/// A data directory holding a copy of `database` as its database file.
fn tempdir_with(database: &std::path::Path) -> std::path::PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    std::fs::copy(database, dir.join(portcullis_store::DATABASE_FILE_NAME)).unwrap();
    dir
}

#[tokio::test]
async fn a_backup_never_overwrites_a_file() {
    let (_dir, store) = new_store().await;
    let other = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(other.path(), b"precious").unwrap();
    let error = store.backup_to(other.path(), |_| GO_ON).await.unwrap_err();
    assert!(error.is_bad_input(), "{error}");
    assert_eq!(std::fs::read(other.path()).unwrap(), b"precious");
}

/// A live database with data, a good backup of it, and then more data, so
/// that a restore that went ahead would be visible.
async fn live_and_backup() -> (tempfile::TempDir, Store, std::path::PathBuf, Vec<String>) {
    let (dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    add_entries(&store, shop.id, &[443]).await;
    let file = dir.path().join("good-backup.sqlite3");
    store.backup_to(&file, |_| GO_ON).await.unwrap();
    add_entries(&store, shop.id, &[22, 25]).await;
    let live = inventory_dump(&database_file(&dir));
    (dir, store, file, live)
}

fn assert_refused(error: StoreError, needle: &str) {
    match &error {
        StoreError::Backup(BackupError::Refused { reason, .. }) => {
            assert!(reason.contains(needle), "{reason}")
        }
        other => panic!("expected a refusal, got {other}"),
    }
    assert!(error.is_bad_input());
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_refused() {
    let (dir, store, _, live) = live_and_backup().await;
    let junk = dir.path().join("junk.sqlite3");
    std::fs::write(&junk, vec![0x5a; 64 * 1024]).unwrap();
    let error = store.restore_from(&junk, |_| GO_ON).await.unwrap_err();
    assert_refused(error, "not a readable SQLite database");
    assert_eq!(inventory_dump(&database_file(&dir)), live);
}

#[tokio::test]
async fn a_corrupt_backup_is_refused() {
    let (dir, store, file, live) = live_and_backup().await;
    // Damage the pages after the schema: the file still opens, but its
    // tables no longer hold together.
    let mut bytes = std::fs::read(&file).unwrap();
    let page_size = 4096;
    for page in 2..bytes.len() / page_size {
        let start = page * page_size;
        bytes[start..start + 16].fill(0xff);
    }
    std::fs::write(&file, &bytes).unwrap();
    let error = store.restore_from(&file, |_| GO_ON).await.unwrap_err();
    assert_refused(error, "");
    assert_eq!(inventory_dump(&database_file(&dir)), live);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}

#[tokio::test]
async fn a_backup_from_a_newer_portcullis_is_refused() {
    let (dir, store, file, live) = live_and_backup().await;
    raw(&file)
        .execute(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (9999, 'from the future', 1, x'00', 0)",
            [],
        )
        .unwrap();
    let error = store.restore_from(&file, |_| GO_ON).await.unwrap_err();
    assert_refused(error, "schema version 9999 is newer");
    assert_eq!(inventory_dump(&database_file(&dir)), live);
}

#[tokio::test]
async fn a_database_of_another_application_is_refused() {
    let (dir, store, _, live) = live_and_backup().await;
    let other = dir.path().join("other.sqlite3");
    raw(&other)
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
        .unwrap();
    let error = store.restore_from(&other, |_| GO_ON).await.unwrap_err();
    assert_refused(error, "not a Portcullis database");
    assert_eq!(inventory_dump(&database_file(&dir)), live);
}

#[tokio::test]
async fn no_restore_while_a_scan_is_being_recorded() {
    let (dir, store, file, live) = live_and_backup().await;
    let writer = store
        .begin_scan(&portcullis_store::NewScan {
            actor: "tester".into(),
            targets: "127.0.0.1".into(),
            ports: "T:22".into(),
            requested_method: "connect".into(),
            profile: "normal".into(),
            origin: portcullis_model::compliance::Exposure::Internal,
            coverage: portcullis_model::compliance::ScanCoverage::default(),
        })
        .await
        .unwrap();
    let error = store.restore_from(&file, |_| GO_ON).await.unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::Backup(BackupError::ScanRunning { scan_id }) if scan_id == writer.id()
        ),
        "{error}"
    );
    assert_eq!(inventory_dump(&database_file(&dir)), live);
    writer.finish(None).await.unwrap();
    store.restore_from(&file, |_| GO_ON).await.unwrap();
}

/// Makes the live database span several copy steps (a step copies 1,024
/// pages), so a copy can be stopped part-way.
fn pad(store_file: &std::path::Path) {
    raw(store_file)
        .execute(
            "INSERT INTO settings (key, value) VALUES ('test.padding', hex(randomblob(6000000)))",
            [],
        )
        .unwrap();
}

#[tokio::test]
async fn a_cancelled_backup_leaves_nothing_behind() {
    let (dir, store) = new_store().await;
    pad(&database_file(&dir));
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("portcullis-backup.sqlite3");
    let steps = Arc::new(Mutex::new(0));
    let counted = steps.clone();
    let error = store
        .backup_to(&file, move |_| {
            *counted.lock().unwrap() += 1;
            ControlFlow::Break(())
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Backup(BackupError::Cancelled)),
        "{error}"
    );
    assert_eq!(*steps.lock().unwrap(), 1, "it stops at the first step");
    let left: Vec<_> = std::fs::read_dir(backups.path()).unwrap().collect();
    assert!(left.is_empty(), "no file, whole or partial: {left:?}");
}

#[tokio::test]
async fn a_cancelled_restore_leaves_the_live_database_as_it_was() {
    let (dir, store) = new_store().await;
    let shop = add_shop(&store).await;
    pad(&database_file(&dir));
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("portcullis-backup.sqlite3");
    store.backup_to(&file, |_| GO_ON).await.unwrap();
    add_entries(&store, shop.id, &[22, 443]).await;
    let before = inventory_dump(&database_file(&dir));

    let error = store
        .restore_from(&file, |_| ControlFlow::Break(()))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::Backup(BackupError::Cancelled)),
        "{error}"
    );
    assert_eq!(inventory_dump(&database_file(&dir)), before);
    assert_eq!(store.inventory(None).await.unwrap().len(), 2);
    assert!(store.verify_audit_log().await.unwrap().is_intact());
}
