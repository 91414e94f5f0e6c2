//! `cargo xtask setup`: install what the project needs, and nothing twice.
//!
//! Every step first checks whether its part is already there, so a second
//! run is quick and silent. Debian packages are installed only as root;
//! otherwise setup prints the exact command to run and stops.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::cmd;
use crate::paths;

/// Debian packages, with the reason each is needed.
const DEBIAN_PACKAGES: &[(&str, &str)] = &[
    ("build-essential", "C toolchain for -sys crates"),
    ("pkg-config", "finding system libraries"),
    ("libssl-dev", "TLS for build tools"),
    ("libxdo-dev", "Tauri (keyboard/menu support)"),
    ("libwebkit2gtk-4.1-dev", "Tauri's webview"),
    ("libgtk-3-dev", "Tauri's windows"),
    ("librsvg2-dev", "Tauri (icons)"),
    ("libayatana-appindicator3-dev", "Tauri (tray icon)"),
    ("xvfb", "a display for the end-to-end tests"),
    ("xauth", "Xvfb access control"),
    (
        "webkit2gtk-driver",
        "WebKitWebDriver for the end-to-end tests",
    ),
    // The netlab: namespaces, traffic shaping, firewall, and real daemons.
    ("iproute2", "netlab: namespaces, veth links, ss"),
    ("nftables", "netlab: the filtered host's firewall"),
    (
        "iptables",
        "netlab: the NFQUEUE rule that feeds the delayer (nft's queue statement is not in this kernel)",
    ),
    (
        "ufw",
        "netlab: firewall rules from the inventory applied by ufw in a host's namespace",
    ),
    (
        "firewalld",
        "the check of firewalld zones from the inventory (firewall-offline-cmd; never started)",
    ),
    ("openssl", "netlab: TLS certificates"),
    ("nginx", "netlab: web servers"),
    ("openssh-server", "netlab: SSH"),
    ("postgresql", "netlab: PostgreSQL"),
    ("mariadb-server", "netlab: MariaDB"),
    ("redis-server", "netlab: Redis"),
    ("vsftpd", "netlab: FTP"),
    ("dnsmasq", "netlab: DNS"),
    ("snmpd", "netlab: SNMP"),
    (
        "nmap",
        "reference scanner the tests and benches compare with",
    ),
    ("masscan", "reference scanner for the benches"),
    (
        "ndiff",
        "nmap's diff tool: reads our nmap-XML output in the tests",
    ),
    ("time", "GNU time: peak memory in the benches"),
    (
        "poppler-utils",
        "pdfinfo, pdftotext, pdffonts, pdftoppm: the tests read back the PDFs crates/documents writes",
    ),
    (
        "unzip",
        "the tests unpack the evidence pack and check its manifest",
    ),
    (
        "systemd",
        "systemd-analyze verify checks the timer `portcullis monitor install` writes",
    ),
    (
        "xdotool",
        "the end-to-end tests answer the app's real file dialogs with the keyboard",
    ),
    (
        "dbus-daemon",
        "bench tray: a session bus of its own, where the app's tray menu is clicked",
    ),
    (
        "libglib2.0-bin",
        "gdbus: bench tray clicks the tray menu's items as a desktop's tray host does",
    ),
    (
        "debootstrap",
        "the install test: a clean Debian root to install the .deb into",
    ),
    (
        "libcap2-bin",
        "getcap and setcap: the install test checks that only the raw-socket helper holds CAP_NET_RAW",
    ),
    (
        "nodejs",
        "node for npm, which installs axe-core (the end-to-end tests) and wasm-opt (release builds)",
    ),
];

/// Debian ships npm apart from nodejs, but NodeSource's nodejs package
/// brings its own npm and conflicts with Debian's: so setup asks for
/// Debian's npm only when no `npm` command exists.
const NPM_PACKAGE: &str = "npm";

/// axe-core, the accessibility checker the end-to-end tests inject into
/// the window. Pinned: a newer axe-core adds rules, and a run that changed
/// nothing must not start failing because of one.
const AXE_CORE_VERSION: &str = "4.14.1";

/// Debian's hook that lets package scripts start services. While setup
/// installs, it answers "no": the netlab starts its own daemons inside its
/// namespaces, and copies running on the machine itself would only get in
/// the way.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// The UI's target, and the desktop platforms the engine must keep
/// compiling for (checked by `cargo xtask test`).
pub const RUST_TARGETS: [&str; 3] = [
    "wasm32-unknown-unknown",
    "x86_64-pc-windows-gnu",
    "x86_64-apple-darwin",
];

/// The tauri-cli that builds the installers: the same minor version as
/// the tauri crate in Cargo.lock (checked by [`check_tauri_cli_matches`]).
/// Its npm package carries a prebuilt binary: two seconds to install,
/// where `cargo install tauri-cli` compiles for nine minutes.
pub const TAURI_CLI_VERSION: &str = "2.12.4";

/// A tool installed from crates.io into the project's tool directory.
struct CargoTool {
    krate: &'static str,
    version: String,
    /// `--locked` where the crate's own lock file builds here; the
    /// wasm-bindgen CLI's does not (a locked dependency was yanked).
    locked: bool,
}

pub fn run() -> Result<()> {
    install_debian_packages()?;
    install_rust_parts()?;
    install_cargo_tools()?;
    install_npm_package(&axe_core_prefix(), "axe-core", AXE_CORE_VERSION)?;
    if !axe_core_script().is_file() {
        bail!(
            "npm installed axe-core without {}",
            axe_core_script().display()
        );
    }
    install_npm_package(&tauri_cli_prefix(), "@tauri-apps/cli", TAURI_CLI_VERSION)?;
    check_tauri_cli_matches()?;
    install_libnmap()?;
    Ok(())
}

fn install_debian_packages() -> Result<()> {
    let missing = missing_debian_packages()?;
    if missing.is_empty() {
        return Ok(());
    }
    let line = format!("apt-get install -y {}", missing.join(" "));
    if !cmd::is_root() {
        bail!(
            "these Debian packages are missing: {}\nrun as root:\n    apt-get update && {line}",
            missing.join(", ")
        );
    }
    eprintln!("setup: installing Debian packages: {}", missing.join(" "));
    cmd::run(Command::new("apt-get").args(["update", "-qq"]))?;
    let forbid_services = !std::path::Path::new(POLICY_RC_D).exists();
    if forbid_services {
        std::fs::write(
            POLICY_RC_D,
            "#!/bin/sh\n# written by cargo xtask setup while it installs\nexit 101\n",
        )?;
        cmd::run(Command::new("chmod").args(["755", POLICY_RC_D]))?;
    }
    let installed = cmd::run(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends"])
            .args(&missing)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    );
    if forbid_services {
        std::fs::remove_file(POLICY_RC_D)?;
    }
    installed?;
    let still_missing = missing_debian_packages()?;
    if !still_missing.is_empty() {
        bail!("apt-get did not install: {}", still_missing.join(", "));
    }
    Ok(())
}

fn missing_debian_packages() -> Result<Vec<&'static str>> {
    if !cmd::exists("dpkg-query") {
        bail!(
            "this is not a Debian-like system (no dpkg-query); install the equivalents of: {}",
            DEBIAN_PACKAGES
                .iter()
                .map(|(name, why)| format!("{name} ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    // dpkg-query exits non-zero when any name is unknown, but still prints
    // the known ones; read its output either way.
    let output = Command::new("dpkg-query")
        .args(["-W", "-f=${Package} ${db:Status-Status}\n"])
        .args(DEBIAN_PACKAGES.iter().map(|(name, _)| name))
        .output()
        .context("cannot run dpkg-query")?;
    let listing = String::from_utf8_lossy(&output.stdout);
    let installed: Vec<&str> = listing
        .lines()
        .filter_map(|line| line.strip_suffix(" installed"))
        .map(|name| name.split(':').next().unwrap_or(name))
        .collect();
    let mut missing: Vec<&'static str> = DEBIAN_PACKAGES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !installed.contains(name))
        .collect();
    if !cmd::exists("npm") {
        missing.push(NPM_PACKAGE);
    }
    Ok(missing)
}

fn install_rust_parts() -> Result<()> {
    let targets = cmd::output(Command::new("rustup").args(["target", "list", "--installed"]))
        .context("rustup is needed to add the wasm32 target")?;
    for target in RUST_TARGETS {
        if !targets.lines().any(|t| t.trim() == target) {
            cmd::run(Command::new("rustup").args(["target", "add", target]))?;
        }
    }
    let components = cmd::output(Command::new("rustup").args(["component", "list", "--installed"]))
        .unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !components.lines().any(|c| c.starts_with(component)) {
            cmd::run(Command::new("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

fn cargo_tools() -> Result<Vec<CargoTool>> {
    Ok(vec![
        CargoTool {
            krate: "trunk",
            version: "0.21.14".into(),
            locked: true,
        },
        CargoTool {
            krate: "wasm-bindgen-cli",
            version: locked_wasm_bindgen_version()?,
            locked: false,
        },
        CargoTool {
            krate: "tauri-driver",
            version: "2.1.0".into(),
            locked: true,
        },
        CargoTool {
            krate: "cargo-fuzz",
            version: "0.13.2".into(),
            locked: true,
        },
    ])
}

fn install_cargo_tools() -> Result<()> {
    let root = paths::tools_root();
    let installed = installed_cargo_tools();
    for tool in cargo_tools()? {
        if installed.get(tool.krate) == Some(&tool.version) {
            continue;
        }
        eprintln!(
            "setup: installing {} {} into {} (a few minutes, once)",
            tool.krate,
            tool.version,
            root.display()
        );
        let mut install = Command::new("cargo");
        install
            .args(["install", "--quiet", tool.krate, "--version", &tool.version])
            .arg("--root")
            .arg(&root);
        if tool.locked {
            install.arg("--locked");
        }
        cmd::run(&mut install)?;
    }
    check_trunk_config()
}

/// tauri-cli bundles what the tauri crate built; their major and minor
/// versions must agree.
fn check_tauri_cli_matches() -> Result<()> {
    let tauri = locked_version("tauri")?;
    let minor = |version: &str| version.split('.').take(2).collect::<Vec<_>>().join(".");
    if minor(&tauri) != minor(TAURI_CLI_VERSION) {
        bail!(
            "Cargo.lock has tauri {tauri} but setup installs tauri-cli {TAURI_CLI_VERSION}: \
             move TAURI_CLI_VERSION in xtask/src/setup.rs to {}.x",
            minor(&tauri)
        );
    }
    Ok(())
}

/// RustScan, for the scan bench only (not for tests, so CI does not build
/// it): installed into the tool root on first use. Returns its path.
pub fn rustscan() -> Result<std::path::PathBuf> {
    const VERSION: &str = "2.4.1";
    let root = paths::tools_root();
    if installed_cargo_tools().get("rustscan").map(String::as_str) != Some(VERSION) {
        eprintln!("setup: installing rustscan {VERSION} for the bench (a few minutes, once)");
        cmd::run(
            Command::new("cargo")
                .args([
                    "install",
                    "--quiet",
                    "--locked",
                    "rustscan",
                    "--version",
                    VERSION,
                ])
                .arg("--root")
                .arg(&root),
        )?;
    }
    Ok(root.join("bin/rustscan"))
}

/// Crate name to version, from `cargo install --list` of the tool root.
fn installed_cargo_tools() -> BTreeMap<String, String> {
    let listing = cmd::output(
        Command::new("cargo")
            .args(["install", "--list", "--root"])
            .arg(paths::tools_root()),
    )
    .unwrap_or_default();
    listing
        .lines()
        .filter(|line| !line.starts_with(char::is_whitespace))
        .filter_map(|line| {
            let (name, version) = line.trim_end_matches(':').split_once(" v")?;
            Some((name.to_owned(), version.to_owned()))
        })
        .collect()
}

/// The wasm-bindgen version Cargo.lock pins; the CLI must be exactly it.
pub fn locked_wasm_bindgen_version() -> Result<String> {
    locked_version("wasm-bindgen")
}

/// The version of `krate` in Cargo.lock (the first entry of that name).
fn locked_version(krate: &str) -> Result<String> {
    let lock_path = paths::workspace_root().join("Cargo.lock");
    let lock = std::fs::read_to_string(&lock_path)
        .with_context(|| format!("cannot read {}", lock_path.display()))?;
    let wanted = format!("name = \"{krate}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == wanted {
            let version = lines
                .next()
                .and_then(|l| l.strip_prefix("version = \""))
                .and_then(|l| l.strip_suffix('"'));
            if let Some(version) = version {
                return Ok(version.to_owned());
            }
        }
    }
    bail!("Cargo.lock has no {krate} entry")
}

/// Trunk downloads a wasm-bindgen it likes better unless ui/Trunk.toml names
/// exactly the installed one.
fn check_trunk_config() -> Result<()> {
    let version = locked_wasm_bindgen_version()?;
    let path = paths::workspace_root().join("ui/Trunk.toml");
    let config = std::fs::read_to_string(&path)?;
    let expected = format!("wasm_bindgen = \"{version}\"");
    if !config.lines().any(|line| line.trim() == expected) {
        bail!(
            "{} must say `{expected}` under [tools] (Cargo.lock pins wasm-bindgen {version})",
            path.display()
        );
    }
    Ok(())
}

/// axe-core's script, `axe.min.js`, as setup installs it: the end-to-end
/// tests read its path from `PORTCULLIS_AXE_CORE`.
pub fn axe_core_script() -> PathBuf {
    axe_core_prefix().join("node_modules/axe-core/axe.min.js")
}

/// python-libnmap, a reader of nmap XML that other tools use: the netlab
/// checks that it reads the products Portcullis's nmap XML export writes.
/// Pinned, like axe-core.
const LIBNMAP_VERSION: &str = "0.7.3";

/// Where python-libnmap is installed (a folder for `PYTHONPATH`).
pub fn libnmap_dir() -> PathBuf {
    paths::tools_root().join("python")
}

/// Installs python-libnmap from PyPI into [`libnmap_dir`] with the
/// machine's python3, unless it is there.
fn install_libnmap() -> Result<()> {
    let marker = libnmap_dir().join(format!("python_libnmap-{LIBNMAP_VERSION}.dist-info"));
    if marker.is_dir() {
        return Ok(());
    }
    eprintln!(
        "setup: installing python-libnmap {LIBNMAP_VERSION} from PyPI into {}",
        libnmap_dir().display()
    );
    cmd::run(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--upgrade",
                "--target",
            ])
            .arg(libnmap_dir())
            .arg(format!("python-libnmap=={LIBNMAP_VERSION}")),
    )?;
    if !marker.is_dir() {
        bail!(
            "pip did not install python-libnmap {LIBNMAP_VERSION} into {}",
            libnmap_dir().display()
        );
    }
    Ok(())
}

/// axe-core's own npm prefix in the tool root, apart from binaryen's, so
/// installing one never touches the other.
fn axe_core_prefix() -> PathBuf {
    paths::tools_root().join("axe-core")
}

/// tauri-cli's own npm prefix in the tool root.
fn tauri_cli_prefix() -> PathBuf {
    paths::tools_root().join("tauri-cli")
}

/// The `tauri` command setup installs (`cargo xtask bundle` runs it).
pub fn tauri_cli() -> PathBuf {
    tauri_cli_prefix().join("node_modules/.bin/tauri")
}

/// Installs `package` at its pinned `version` from the npm registry into
/// its own `prefix`, unless that version is already there.
fn install_npm_package(prefix: &Path, package: &str, version: &str) -> Result<()> {
    let manifest = prefix
        .join("node_modules")
        .join(package)
        .join("package.json");
    if installed_npm_version(&manifest).as_deref() == Some(version) {
        return Ok(());
    }
    if !cmd::exists("npm") {
        bail!(
            "setup needs {package} {version} from npm, and npm is missing: apt-get install nodejs npm"
        );
    }
    eprintln!(
        "setup: installing {package} {version} from npm into {}",
        prefix.display()
    );
    cmd::run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--silent",
                "--save-exact",
                "--prefix",
            ])
            .arg(prefix)
            .arg(format!("{package}@{version}")),
    )?;
    let installed = installed_npm_version(&manifest);
    if installed.as_deref() != Some(version) {
        bail!(
            "npm did not install {package} {version} (found {installed:?} in {})",
            manifest.display()
        );
    }
    Ok(())
}

/// The `version` an npm package's `package.json` declares, if it can be read.
fn installed_npm_version(manifest: &Path) -> Option<String> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let package: serde_json::Value = serde_json::from_str(&text).ok()?;
    package.get("version")?.as_str().map(str::to_owned)
}

/// The wasm-opt release builds use: binaryen 132 from npm. Debian's
/// binaryen (version 108) silently breaks current rustc output.
pub fn ensure_wasm_opt() -> Result<()> {
    const VERSION: &str = "132";
    let wasm_opt = paths::tools_root().join("npm/node_modules/.bin/wasm-opt");
    let reported = cmd::output(Command::new(&wasm_opt).arg("--version")).unwrap_or_default();
    if reported.contains(&format!("version {VERSION}")) {
        return Ok(());
    }
    if !cmd::exists("npm") {
        bail!(
            "release builds need wasm-opt from npm's binaryen@{VERSION}, and npm is missing: apt-get install nodejs npm"
        );
    }
    eprintln!("setup: installing binaryen@{VERSION} (wasm-opt) from npm");
    cmd::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(paths::tools_root().join("npm"))
            .arg(format!("binaryen@{VERSION}")),
    )
}
