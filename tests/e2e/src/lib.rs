//! The end-to-end harness: launches the built desktop app under
//! tauri-driver (which drives Debian's WebKitWebDriver), connects a WebDriver
//! client, and gives tests a small vocabulary for what a person does: click,
//! read, wait.
//!
//! `cargo xtask test` builds the app and the UI, provides a display, and runs
//! these tests with the paths below in the environment:
//! - `PORTCULLIS_APP`: the desktop binary, built with `custom-protocol`;
//! - `PORTCULLIS_TAURI_DRIVER`: tauri-driver (default: from `PATH`);
//! - `PORTCULLIS_WEBKIT_DRIVER`: WebKitWebDriver (default:
//!   `/usr/bin/WebKitWebDriver`).
//!
//! Every test saves a screenshot of the window to `target/e2e/<test>.png`,
//! whether it passed or not.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, ClientBuilder, Locator};

/// How long a test waits for something to appear before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// The most a whole test body may take; a WebDriver call that never answers
/// becomes a failure (with a screenshot) instead of a hung test run.
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// The most tauri-driver may take to start the app and open a session.
const LAUNCH_LIMIT: Duration = Duration::from_secs(60);

/// One app at a time: tests in a binary run on parallel threads, and each
/// app with its WebKit processes takes about 400 MB.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running app with a WebDriver session attached.
pub struct AppSession {
    client: Client,
    driver: Child,
    data_dir: tempfile::TempDir,
}

/// Launches the app, runs `body`, saves a screenshot named after `test_name`
/// and shuts everything down, whatever `body` returned.
pub async fn run(test_name: &str, body: impl AsyncFnOnce(&AppSession) -> Result<()>) -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let session = AppSession::launch().await?;
    let outcome = match tokio::time::timeout(TEST_LIMIT, body(&session)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(anyhow::anyhow!("the test took longer than {TEST_LIMIT:?}")),
    };
    let screenshot = session.save_screenshot(test_name).await;
    session.shut_down().await;
    match screenshot {
        Ok(path) => eprintln!("screenshot: {}", path.display()),
        // The test's own failure says more than the missing picture.
        Err(error) if outcome.is_err() => eprintln!("no screenshot: {error:#}"),
        Err(error) => return Err(error.context("the test passed, but no screenshot was taken")),
    }
    outcome
}

impl AppSession {
    async fn launch() -> Result<AppSession> {
        let app = required_path("PORTCULLIS_APP")?;
        let tauri_driver = env_or("PORTCULLIS_TAURI_DRIVER", "tauri-driver");
        let webkit_driver = env_or("PORTCULLIS_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver");
        let data_dir = tempfile::Builder::new()
            .prefix("portcullis-e2e-")
            .tempdir()?;

        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = Command::new(&tauri_driver)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(&webkit_driver)
            .stdout(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start tauri-driver ({})", tauri_driver.display()))?;
        if let Err(error) = wait_for_port(port, &mut driver) {
            terminate(&mut driver);
            return Err(error);
        }

        let capabilities = serde_json::json!({
            "tauri:options": {
                "application": app,
                "args": ["--data-dir", data_dir.path()],
            }
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object literal")
        };
        let url = format!("http://127.0.0.1:{port}");
        let mut builder = ClientBuilder::native();
        builder.capabilities(capabilities);
        let connect = builder.connect(&url);
        let client = match tokio::time::timeout(LAUNCH_LIMIT, connect).await {
            Ok(client) => client.context("tauri-driver could not start the app"),
            Err(_) => Err(anyhow::anyhow!(
                "the app did not open a WebDriver session within {LAUNCH_LIMIT:?}"
            )),
        };
        match client {
            Ok(client) => Ok(AppSession {
                client,
                driver,
                data_dir,
            }),
            Err(error) => {
                terminate(&mut driver);
                Err(error)
            }
        }
    }

    /// The data directory the app was started with (a fresh temporary one).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Clicks the element matching `css`, once it exists.
    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// The visible text of the element matching `css`, once it exists.
    pub async fn text_of(&self, css: &str) -> Result<String> {
        Ok(self.wait_for(css).await?.text().await?)
    }

    /// Waits until the element matching `css` has attribute `name` equal to
    /// `expected`; fails with the last value seen.
    pub async fn wait_for_attribute(&self, css: &str, name: &str, expected: &str) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let value = self.wait_for(css).await?.attr(name).await?;
            if value.as_deref() == Some(expected) {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{css} has {name}={value:?}, expected {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for(&self, css: &str) -> Result<fantoccini::elements::Element> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(css))
            .await
            .with_context(|| format!("no element matches {css}"))
    }

    async fn save_screenshot(&self, test_name: &str) -> Result<PathBuf> {
        let png = tokio::time::timeout(PATIENCE, self.client.screenshot())
            .await
            .context("the screenshot did not come")??;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{test_name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    async fn shut_down(mut self) {
        // Closing the session ends the app; tauri-driver must get SIGTERM,
        // not SIGKILL, or WebKitWebDriver outlives it holding its port.
        let _ = tokio::time::timeout(PATIENCE, self.client.clone().close()).await;
        terminate(&mut self.driver);
    }
}

/// `target/e2e` of the workspace, unless `CARGO_TARGET_DIR` moves it.
fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("e2e")
}

fn required_path(variable: &str) -> Result<PathBuf> {
    let Some(value) = std::env::var_os(variable) else {
        bail!("{variable} is not set: run the end-to-end tests with `cargo xtask test`");
    };
    let path = PathBuf::from(value);
    if !path.is_file() {
        bail!("{variable}={} does not exist", path.display());
    }
    Ok(path)
}

fn env_or(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// A loopback port nobody listens on now.
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn wait_for_port(port: u16, driver: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = driver.try_wait()? {
            bail!("tauri-driver exited at start with {status}");
        }
        if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("tauri-driver did not listen on port {port} within 10 s")
}

/// SIGTERM, then wait; SIGKILL only if it will not go.
fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}
