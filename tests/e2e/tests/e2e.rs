//! The real app in a real window. One test binary (`--test e2e`) so that
//! `cargo xtask test` can run exactly this class.
//!
//! The Settings page shows what the backend reports about itself.

use anyhow::ensure;

#[tokio::test]
#[ignore = "needs the built app, a display and tauri-driver: run `cargo xtask test`"]
async fn settings_shows_the_version_data_dir_and_database_the_backend_reported() {
    portcullis_e2e::run("settings", async |app| {
        app.click("[data-test=nav-settings]").await?;

        let version = app.text_of("[data-test=app-version]").await?;
        ensure!(
            version == env!("CARGO_PKG_VERSION"),
            "version shown: {version:?}"
        );

        let data_dir = app.text_of("[data-test=data-dir]").await?;
        let expected = app.data_dir().display().to_string();
        ensure!(
            data_dir == expected,
            "data directory shown: {data_dir:?}, expected {expected:?}"
        );

        app.wait_for_attribute("[data-test=database-state]", "data-state", "ready")
            .await?;
        let database_path = app.text_of("[data-test=database-path]").await?;
        ensure!(
            std::path::Path::new(&database_path).starts_with(app.data_dir()),
            "database {database_path:?} is not inside the data directory"
        );
        ensure!(
            std::path::Path::new(&database_path).is_file(),
            "the database file {database_path:?} does not exist"
        );
        Ok(())
    })
    .await
    .unwrap();
}
