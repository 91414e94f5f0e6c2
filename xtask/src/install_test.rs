//! The install test (`cargo xtask bundle --install-test`, and a class of
//! `cargo xtask test` as root): the .deb installed into a clean Debian
//! root, as on a merchant's computer.
//!
//! 1. debootstrap a minimal Debian bookworm (the host's release) into a
//!    folder under target/, with the host's mirror.
//! 2. apt installs the .deb there, resolving its dependencies from the
//!    mirror; the package's post-install runs as it would anywhere.
//! 3. Of the package's files, only the raw-socket helper carries
//!    cap_net_raw (getcap), the app none, and the helper started as
//!    `nobody` can open a raw socket.
//! 4. The installed app is launched under Xvfb (the host's display, whose
//!    socket is bound into the root) by tauri-driver and WebKitWebDriver
//!    running inside the root, and the test sees its first page through
//!    WebDriver: the page element the UI renders (`[data-test=page]`) with
//!    a non-empty heading, which only the started wasm UI puts there. No
//!    screenshot: WebKitWebDriver in the root never answered for one under
//!    Xvfb (20 s tried).
//!
//! The mounts it makes (proc, sys, dev, dev/pts, the X socket folder) are
//! undone whatever happens, and the processes left in the root ended.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{ClientBuilder, Locator};
use portcullis_scanner::rawscan::INSTALLED_HELPER;

use crate::{cmd, display, paths};

const SUITE: &str = "bookworm";
const MIRROR: &str = "http://deb.debian.org/debian";
const APP: &str = "/usr/bin/portcullis-desktop";
/// The package's name, as Tauri's bundler names it (the product's, lower case).
const PACKAGE: &str = "portcullis";
const DRIVER_PORT: u16 = 4644;
const NATIVE_PORT: u16 = 4645;

/// Runs the whole test on `deb`; prints each phase's time.
pub fn run(deb: &Path) -> Result<()> {
    if !cmd::is_root() {
        bail!("the install test needs root (debootstrap, chroot, mounts)");
    }
    let started = Instant::now();
    let work = paths::target_dir().join("install-test");
    let root = work.join("root");
    unmount_below(&root);
    if root.exists() {
        std::fs::remove_dir_all(&root)
            .with_context(|| format!("cannot remove the old {}", root.display()))?;
    }
    std::fs::create_dir_all(&work)?;

    let phase = Instant::now();
    cmd::run(
        Command::new("debootstrap")
            .args(["--variant=minbase", SUITE])
            .arg(&root)
            .arg(MIRROR)
            .stdout(Stdio::null()),
    )?;
    eprintln!(
        "install test: debootstrap {SUITE}: {:.0} s",
        phase.elapsed().as_secs_f64()
    );

    let outcome = {
        let mounts = Mounts::new(&root)?;
        let outcome = install_and_launch(&root, deb);
        end_processes_in(&root);
        drop(mounts);
        outcome
    };
    // Everything is unmounted: the root can go (it is 1 GB).
    unmount_below(&root);
    if outcome.is_ok() {
        std::fs::remove_dir_all(&root)?;
    }
    outcome?;
    eprintln!(
        "install test: passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn install_and_launch(root: &Path, deb: &Path) -> Result<()> {
    let phase = Instant::now();
    // A clean computer's sources: the release, its updates and security.
    std::fs::write(
        root.join("etc/apt/sources.list"),
        format!(
            "deb {MIRROR} {SUITE} main\ndeb {MIRROR} {SUITE}-updates main\n\
             deb http://deb.debian.org/debian-security {SUITE}-security main\n"
        ),
    )?;
    // No service starts inside the root.
    let policy = root.join("usr/sbin/policy-rc.d");
    std::fs::write(&policy, "#!/bin/sh\nexit 101\n")?;
    cmd::run(Command::new("chmod").arg("755").arg(&policy))?;
    std::fs::copy(deb, root.join("tmp/portcullis.deb"))?;
    in_root(root, &["apt-get", "update", "-qq"])?;
    // webkit2gtk-driver and tauri-driver are the test's, not the package's.
    in_root(
        root,
        &[
            "apt-get",
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "/tmp/portcullis.deb",
            "webkit2gtk-driver",
        ],
    )?;
    eprintln!(
        "install test: apt installed the package and its dependencies: {:.0} s",
        phase.elapsed().as_secs_f64()
    );

    check_capabilities(root)?;

    let phase = Instant::now();
    let tauri_driver = paths::tools_root().join("bin/tauri-driver");
    std::fs::copy(&tauri_driver, root.join("usr/local/bin/tauri-driver"))
        .with_context(|| format!("cannot copy {}", tauri_driver.display()))?;
    let display = display::ensure()?;
    let mut driver = Command::new("/usr/sbin/chroot");
    driver
        .arg(root)
        .args(["/usr/local/bin/tauri-driver", "--port"])
        .arg(DRIVER_PORT.to_string())
        .arg("--native-port")
        .arg(NATIVE_PORT.to_string())
        .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("HOME", "/root")
        .env("LANG", "C.UTF-8")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    display.apply_to(&mut driver);
    let driver = driver
        .spawn()
        .context("cannot start tauri-driver in the root")?;
    let seen = see_first_page();
    stop_driver(driver);
    let heading = seen?;
    eprintln!(
        "install test: the installed app showed its first page ({heading}) in {:.1} s",
        phase.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Of the package's files, exactly the helper carries a capability, and
/// it is cap_net_raw; the helper, run as `nobody`, can open a raw socket.
fn check_capabilities(root: &Path) -> Result<()> {
    let files = in_root_output(root, &["dpkg", "-L", PACKAGE])?;
    let mut with_capabilities = Vec::new();
    for file in files
        .lines()
        .filter(|f| root.join(f.trim_start_matches('/')).is_file())
    {
        let caps = in_root_output(root, &["getcap", file])?;
        if !caps.trim().is_empty() {
            with_capabilities.push(caps.trim().to_owned());
        }
    }
    let expected = format!("{INSTALLED_HELPER} cap_net_raw=ep");
    if with_capabilities != [expected.clone()] {
        bail!("expected only `{expected}` among the package's files, found {with_capabilities:?}");
    }
    if !in_root_output(root, &["getcap", APP])?.trim().is_empty() {
        bail!("{APP} carries a capability");
    }
    eprintln!("install test: getcap: {expected}; {APP} and every other file of the package: none");
    let status = chroot_as(root, Some("65534:65534"), &[INSTALLED_HELPER, "--check"]).status()?;
    if !status.success() {
        bail!("the installed helper, run as nobody, cannot open a raw socket ({status})");
    }
    eprintln!("install test: the helper, run as nobody, can open a raw socket");
    Ok(())
}

/// Connects to tauri-driver, which starts the installed app; waits for the
/// UI's page element and returns which page it is and its heading.
fn see_first_page() -> Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", DRIVER_PORT)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {DRIVER_PORT}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = serde_json::json!({
            "tauri:options": {
                "application": APP,
                "args": ["--data-dir", "/tmp/portcullis-data"],
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let mut builder = ClientBuilder::native();
        builder.capabilities(capabilities);
        let client = tokio::time::timeout(
            Duration::from_secs(60),
            builder.connect(&format!("http://127.0.0.1:{DRIVER_PORT}")),
        )
        .await
        .context("tauri-driver did not start the installed app within 60 s")?
        .context("tauri-driver could not start the installed app")?;
        let seen = async {
            eprintln!("install test: WebDriver session open; waiting for the first page");
            let page = client
                .wait()
                .at_most(Duration::from_secs(60))
                .for_element(Locator::Css("[data-test=page]"))
                .await
                .context("the installed app's window never showed a page")?;
            let which = page.attr("data-page").await?.unwrap_or_default();
            let heading = page.find(Locator::Css("h1")).await?.text().await?;
            if heading.trim().is_empty() {
                bail!("the first page ({which}) has an empty heading");
            }
            let heading = format!("{which}: {}", heading.trim());
            Ok(heading)
        };
        let seen = tokio::time::timeout(Duration::from_secs(120), seen)
            .await
            .unwrap_or_else(|_| bail!("WebDriver did not answer within 2 minutes"));
        let _ = tokio::time::timeout(Duration::from_secs(20), client.close()).await;
        seen
    })
}

/// SIGTERM, not SIGKILL: tauri-driver then stops WebKitWebDriver.
fn stop_driver(mut driver: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

/// Runs `args` inside the root, noninteractively, echoing it.
fn in_root(root: &Path, args: &[&str]) -> Result<()> {
    cmd::run(&mut chroot(root, args))
}

fn in_root_output(root: &Path, args: &[&str]) -> Result<String> {
    let output = chroot(root, args).output()?;
    if !output.status.success() {
        bail!(
            "`chroot {} {}` failed: {}",
            root.display(),
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn chroot(root: &Path, args: &[&str]) -> Command {
    chroot_as(root, None, args)
}

/// `chroot [--userspec=USER:GROUP] ROOT ARGS...` with a clean environment.
fn chroot_as(root: &Path, user: Option<&str>, args: &[&str]) -> Command {
    // Found on the host's PATH before the environment is cleared.
    let mut command = Command::new("/usr/sbin/chroot");
    if let Some(user) = user {
        command.arg(format!("--userspec={user}"));
    }
    command
        .arg(root)
        .args(args)
        .env_clear()
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("DEBIAN_FRONTEND", "noninteractive")
        .env("LANG", "C.UTF-8")
        .env("HOME", "/root");
    command
}

/// The file systems a Debian root needs to run a desktop app, mounted
/// for as long as this lives.
struct Mounts {
    root: PathBuf,
}

impl Mounts {
    fn new(root: &Path) -> Result<Mounts> {
        let mounts = Mounts {
            root: root.to_path_buf(),
        };
        let x11 = root.join("tmp/.X11-unix");
        std::fs::create_dir_all(&x11)?;
        std::fs::create_dir_all("/tmp/.X11-unix")?;
        mount(&["-t", "proc", "proc"], &root.join("proc"))?;
        mount(&["-t", "sysfs", "sysfs"], &root.join("sys"))?;
        mount(&["--rbind", "/dev"], &root.join("dev"))?;
        mount(&["--make-rslave"], &root.join("dev"))?;
        mount(&["--bind", "/tmp/.X11-unix"], &x11)?;
        Ok(mounts)
    }
}

impl Drop for Mounts {
    fn drop(&mut self) {
        unmount_below(&self.root);
    }
}

fn mount(args: &[&str], at: &Path) -> Result<()> {
    cmd::run(Command::new("mount").args(args).arg(at))
}

/// Unmounts everything mounted at or below `root`, deepest first (lazily
/// when busy), leftovers of a crashed run included.
fn unmount_below(root: &Path) {
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return;
    };
    let prefix = root.to_string_lossy().into_owned();
    let mut points: Vec<String> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(|point| point.replace("\\040", " "))
        .filter(|point| point == &prefix || point.starts_with(&format!("{prefix}/")))
        .collect();
    points.sort_by_key(|point| std::cmp::Reverse(point.len()));
    points.dedup();
    for point in points {
        let unmounted = Command::new("umount")
            .arg(&point)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !unmounted {
            let _ = Command::new("umount").args(["-l", &point]).status();
        }
    }
}

/// Ends every process whose root is `root` (the app's WebKit processes
/// may outlive the driver).
fn end_processes_in(root: &Path) {
    let Ok(canonical) = root.canonicalize() else {
        return;
    };
    for signal in ["-TERM", "-KILL"] {
        let pids: Vec<String> = std::fs::read_dir("/proc")
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.ok())
            .filter(|entry| {
                std::fs::read_link(entry.path().join("root")).is_ok_and(|link| link == canonical)
            })
            .filter_map(|entry| entry.file_name().into_string().ok())
            .filter(|name| name.chars().all(|c| c.is_ascii_digit()))
            .collect();
        if pids.is_empty() {
            return;
        }
        let _ = Command::new("kill").arg(signal).args(&pids).status();
        std::thread::sleep(Duration::from_secs(1));
    }
}
