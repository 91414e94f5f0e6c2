//! `cargo xtask bundle`: the Linux installer, a .deb made by Tauri's
//! bundler (tauri-cli, installed by setup from npm at a pinned version).
//!
//! The package holds the app (`/usr/bin/portcullis-desktop`), its icons, a
//! desktop entry and the metadata of tauri.conf.json's `bundle` section,
//! and the raw-socket helper (`/usr/lib/portcullis/portcullis-rawscan`),
//! which its post-install (`src-tauri/deb/postinst`) alone gives
//! CAP_NET_RAW.
//!
//! No AppImage: Tauri's AppImage step downloads linuxdeploy and its
//! plugins from the web, which the machines here cannot reach, and no
//! registry here ships them. Windows (msi, NSIS) and macOS (dmg) installers
//! are built on those systems (README).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use portcullis_scanner::rawscan::INSTALLED_HELPER;

use crate::compile::{self, APP_FEATURES};
use crate::{cmd, paths, setup};

/// The helper's package, built beside the app.
const HELPER_PACKAGE: &str = "portcullis-rawscan";

/// What the .deb must hold, besides the helper.
const EXPECTED_FILES: &[&str] = &[
    "usr/bin/portcullis-desktop",
    "usr/share/applications/Portcullis.desktop",
    "usr/share/icons/hicolor/128x128/apps/portcullis-desktop.png",
];

/// Builds the .deb (release, unless `debug`: the same package from the
/// debug build `cargo xtask test` has just made, for the install test) and
/// returns its path.
///
/// xtask builds the app and the helper itself, as `cargo xtask run` and
/// `test` do, and then asks tauri-cli only to package them (`tauri
/// bundle`): `tauri build` would build the app again with other
/// features than the workspace's build, for minutes.
pub fn build(debug: bool) -> Result<PathBuf> {
    setup::run()?;
    let started = Instant::now();
    compile::build_ui(!debug)?;
    let (profile, dist) = if debug {
        compile::build_workspace()?;
        ("debug", paths::workspace_root().join("ui/dist"))
    } else {
        // One cargo run for both, so they share one build of the scanner.
        let dist = compile::release_ui_dist();
        let config = serde_json::json!({ "build": { "frontendDist": dist } });
        cmd::run(
            cmd::command("cargo")
                .args(["build", "--release", "--package", "portcullis-desktop"])
                .args(["--package", HELPER_PACKAGE, "--features", APP_FEATURES])
                .env("TAURI_CONFIG", config.to_string()),
        )?;
        ("release", dist)
    };
    let helper = paths::target_dir().join(profile).join(HELPER_PACKAGE);
    let bundle_dir = paths::target_dir().join(profile).join("bundle/deb");
    if bundle_dir.is_dir() {
        std::fs::remove_dir_all(&bundle_dir)?;
    }
    // Merged into tauri.conf.json: the UI the app embeds, and the helper
    // from this target directory.
    let config = serde_json::json!({
        "build": { "frontendDist": dist, "beforeBuildCommand": null },
        "bundle": { "linux": { "deb": { "files": { INSTALLED_HELPER: helper } } } },
    });
    let mut tauri = cmd::command(setup::tauri_cli());
    tauri
        .args(["bundle", "--bundles", "deb", "--ci"])
        .arg("--config")
        .arg(config.to_string())
        .current_dir(paths::workspace_root().join("src-tauri"));
    if debug {
        tauri.arg("--debug");
    }
    cmd::run(&mut tauri)?;
    let deb = find_deb(&bundle_dir)?;
    check_contents(&deb)?;
    let size = std::fs::metadata(&deb)?.len();
    eprintln!(
        "bundle: {} ({:.1} MiB) in {:.0} s",
        deb.display(),
        size as f64 / (1024.0 * 1024.0),
        started.elapsed().as_secs_f64()
    );
    Ok(deb)
}

/// The .deb the last `build(debug)` made, checked again.
pub fn built(debug: bool) -> Result<PathBuf> {
    let profile = if debug { "debug" } else { "release" };
    let deb = find_deb(&paths::target_dir().join(profile).join("bundle/deb"))?;
    check_contents(&deb)?;
    Ok(deb)
}

fn find_deb(dir: &Path) -> Result<PathBuf> {
    let mut debs = std::fs::read_dir(dir)
        .with_context(|| format!("the bundler wrote no {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "deb"));
    match (debs.next(), debs.next()) {
        (Some(deb), None) => Ok(deb),
        _ => bail!("expected one .deb in {}", dir.display()),
    }
}

/// The package holds the app, the helper, the desktop entry and an icon,
/// and its post-install grants the helper, and nothing else, CAP_NET_RAW.
fn check_contents(deb: &Path) -> Result<()> {
    let listing = cmd::output(Command::new("dpkg-deb").arg("--contents").arg(deb))
        .context("dpkg-deb cannot read the package")?;
    let helper = INSTALLED_HELPER.trim_start_matches('/');
    for expected in EXPECTED_FILES.iter().copied().chain([helper]) {
        if !listing
            .lines()
            .any(|line| line.ends_with(&format!(" {expected}")))
        {
            bail!("{} lacks {expected}:\n{listing}", deb.display());
        }
    }
    let postinst = cmd::output(
        Command::new("dpkg-deb")
            .arg("--info")
            .arg(deb)
            .arg("postinst"),
    )
    .context("the package has no postinst")?;
    let setcaps: Vec<&str> = postinst
        .lines()
        .filter(|line| line.trim_start().starts_with("if ! setcap"))
        .collect();
    if setcaps.len() != 1 || !setcaps[0].contains("cap_net_raw+ep \"$helper\"") {
        bail!("the postinst must setcap the helper alone:\n{postinst}");
    }
    Ok(())
}
