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
//! whether it passed or not; a test may save named ones on the way
//! ([`AppSession::screenshot`]), in either theme ([`Theme`]).

mod file_dialog;

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};

pub use file_dialog::FileDialog;

pub mod cli;
pub mod decisions;

/// How long a test waits for something to appear before failing.
const PATIENCE: Duration = Duration::from_secs(20);

/// The most a whole test body may take; a WebDriver call that never answers
/// becomes a failure (with a screenshot) instead of a hung test run. The
/// netlab walk-through, three scans and twenty screenshots, takes the most.
const TEST_LIMIT: Duration = Duration::from_secs(240);

/// The most tauri-driver may take to start the app and open a session.
const LAUNCH_LIMIT: Duration = Duration::from_secs(60);

/// The most two animation frames may take before a screenshot; longer
/// means the page is not painting at all.
const PAINT_LIMIT: Duration = Duration::from_secs(5);

/// How many times [`AppSession::tab_to`] presses Tab before giving up: more
/// than any screen has focusable controls.
const MOST_TABS: usize = 80;

/// A colour theme the window can be forced into, whatever the system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub const BOTH: [Theme; 2] = [Theme::Light, Theme::Dark];

    fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// One app at a time: tests in a binary run on parallel threads, and each
/// app with its WebKit processes takes about 400 MB.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running app with a WebDriver session attached.
pub struct AppSession {
    client: Client,
    driver: Child,
    data_dir: PathBuf,
}

/// Launches the app, runs `body`, saves a screenshot named after `test_name`
/// and shuts everything down, whatever `body` returned.
pub async fn run(test_name: &str, body: impl AsyncFnOnce(&AppSession) -> Result<()>) -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let data_dir = fresh_data_dir()?;
    run_session(test_name, data_dir.path(), body).await
}

/// Launches the app, runs `before`, quits it, launches it again on the same
/// data directory and runs `after`: what a person finds after closing the
/// window and coming back. Each session saves its own screenshot
/// (`<test_name>-before`, `<test_name>-after`).
pub async fn run_relaunched(
    test_name: &str,
    before: impl AsyncFnOnce(&AppSession) -> Result<()>,
    after: impl AsyncFnOnce(&AppSession) -> Result<()>,
) -> Result<()> {
    let _turn = ONE_AT_A_TIME.lock().await;
    let data_dir = fresh_data_dir()?;
    run_session(&format!("{test_name}-before"), data_dir.path(), before).await?;
    run_session(&format!("{test_name}-after"), data_dir.path(), after).await
}

fn fresh_data_dir() -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix("portcullis-e2e-")
        .tempdir()?)
}

async fn run_session(
    screenshot_name: &str,
    data_dir: &Path,
    body: impl AsyncFnOnce(&AppSession) -> Result<()>,
) -> Result<()> {
    let session = AppSession::launch(data_dir).await?;
    let outcome = match tokio::time::timeout(TEST_LIMIT, body(&session)).await {
        Ok(outcome) => outcome,
        Err(_) => Err(anyhow::anyhow!("the test took longer than {TEST_LIMIT:?}")),
    };
    let screenshot = session.save_screenshot(screenshot_name).await;
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
    async fn launch(data_dir: &Path) -> Result<AppSession> {
        let app = required_path("PORTCULLIS_APP")?;
        let tauri_driver = env_or("PORTCULLIS_TAURI_DRIVER", "tauri-driver");
        let webkit_driver = env_or("PORTCULLIS_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver");

        let port = free_port()?;
        let native_port = free_port()?;
        let mut driver = Command::new(&tauri_driver)
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(&webkit_driver)
            // GTK's file dialogs remember their settings; in memory, not
            // in the desktop's configuration.
            .env("GSETTINGS_BACKEND", "memory")
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
                "args": ["--data-dir", data_dir],
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
                data_dir: data_dir.to_path_buf(),
            }),
            Err(error) => {
                terminate(&mut driver);
                Err(error)
            }
        }
    }

    /// The data directory the app was started with (a fresh temporary one,
    /// kept across a relaunch).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Clicks the element matching `css`, once it exists. It is scrolled
    /// to the middle of the window first: WebKitWebDriver clicks an element
    /// at the window's very edge without scrolling, and misses.
    pub async fn click(&self, css: &str) -> Result<()> {
        let element = self.wait_for(css).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        element.click().await?;
        Ok(())
    }

    /// Waits until an element matches `css`.
    pub async fn wait_for_element(&self, css: &str) -> Result<()> {
        self.wait_for(css).await.map(drop)
    }

    /// Reloads the page, as the window does after a crash of its web
    /// process: the app must come back on the same screen.
    pub async fn reload(&self) -> Result<()> {
        self.client.refresh().await?;
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

    /// Types `text` into the field matching `css`, replacing what it held.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let field = self.wait_for(css).await?;
        field.clear().await?;
        field.send_keys(text).await?;
        Ok(())
    }

    /// Waits until the element matching `css` shows text containing
    /// `expected`; fails with the last text seen.
    pub async fn wait_for_text(&self, css: &str, expected: &str) -> Result<String> {
        self.wait_for_text_within(css, expected, PATIENCE).await
    }

    /// [`AppSession::wait_for_text`] for what takes longer than a moment,
    /// like a scan of several hosts.
    pub async fn wait_for_text_within(
        &self,
        css: &str,
        expected: &str,
        patience: Duration,
    ) -> Result<String> {
        let deadline = Instant::now() + patience;
        loop {
            let text = self.text_of(css).await?;
            if text.contains(expected) {
                return Ok(text);
            }
            if Instant::now() > deadline {
                bail!("{css} shows {text:?}, expected it to contain {expected:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The guided check's first step as a merchant who sends customers to
    /// the payment provider's page and runs a rented server, then on to
    /// Your systems.
    pub async fn answer_business_with_a_hosted_page(&self) -> Result<()> {
        self.click("[data-test=start-wizard]").await?;
        self.click("[data-test=channel-hosted-page]").await?;
        self.click("[data-test=hosting-rented-server]").await?;
        self.click("[data-test=wizard-next]").await
    }

    /// Adds a system in Your systems and waits until the list shows
    /// `rows_after` systems.
    pub async fn add_system(&self, name: &str, address: &str, rows_after: usize) -> Result<()> {
        self.type_into("[data-test=field-name]", name).await?;
        self.type_into("[data-test=field-addresses]", address)
            .await?;
        self.click("[data-test=system-add]").await?;
        self.wait_for_count("[data-test=system-row]", rows_after)
            .await
    }

    /// Goes on to the next step and waits until it shows `step` (its slug).
    pub async fn next_step(&self, step: &str) -> Result<()> {
        self.click("[data-test=wizard-next]").await?;
        self.wait_for_attribute("[data-test=page]", "data-step", step)
            .await
    }

    /// In the Scan step: a quick scan, permission given, run to its end,
    /// then on to Review.
    pub async fn run_quick_scan_then_review(&self) -> Result<()> {
        self.click("[data-test=scan-quick]").await?;
        self.click("[data-test=permission-box]").await?;
        self.click("[data-test=scan-start]").await?;
        self.wait_for_text("[data-test=scan-outcome]", "finished")
            .await?;
        self.next_step("review").await
    }

    /// Waits until exactly `expected` elements match `css`.
    pub async fn wait_for_count(&self, css: &str, expected: usize) -> Result<()> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let count = self.client.find_all(Locator::Css(css)).await?.len();
            if count == expected {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("{count} elements match {css}, expected {expected}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether the checkbox or radio button matching `css` is ticked.
    pub async fn is_ticked(&self, css: &str) -> Result<bool> {
        Ok(self.wait_for(css).await?.is_selected().await?)
    }

    /// The attribute `name` of the element matching `css`, once it exists.
    pub async fn attribute(&self, css: &str, name: &str) -> Result<Option<String>> {
        Ok(self.wait_for(css).await?.attr(name).await?)
    }

    /// Presses and releases `key` on whatever has the focus, as a person at
    /// the keyboard does.
    pub async fn press(&self, key: Key) -> Result<()> {
        let value: char = key.into();
        let keys = KeyActions::new("keyboard".to_owned())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Types `text` into whatever has the focus, key by key.
    pub async fn type_keys(&self, text: &str) -> Result<()> {
        let mut keys = KeyActions::new("keyboard".to_owned());
        for value in text.chars() {
            keys = keys
                .then(KeyAction::Down { value })
                .then(KeyAction::Up { value });
        }
        self.client.perform_actions(keys).await?;
        Ok(())
    }

    /// Presses Tab until the focus is on the element matching `css`, as a
    /// keyboard user moves through a screen; fails if it never gets there.
    /// Reading where the focus is changes nothing on the page.
    pub async fn tab_to(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?;
        for _ in 0..MOST_TABS {
            if self.focus_is_on(css).await? {
                return Ok(());
            }
            self.press(Key::Tab).await?;
        }
        bail!("{MOST_TABS} presses of Tab never reached {css}")
    }

    /// Whether the focused element matches `css`.
    pub async fn focus_is_on(&self, css: &str) -> Result<bool> {
        let matches = self
            .client
            .execute(
                "const focused = document.activeElement; return !!focused && focused.matches(arguments[0]);",
                vec![serde_json::Value::from(css)],
            )
            .await?;
        Ok(matches.as_bool() == Some(true))
    }

    /// Whether a JavaScript alert, confirm or prompt is open: what a
    /// script that should never have run would leave behind.
    pub async fn alert_is_open(&self) -> Result<bool> {
        match self.client.get_alert_text().await {
            Ok(_) => Ok(true),
            Err(fantoccini::error::CmdError::Standard(error))
                if error.error == fantoccini::error::ErrorStatus::NoSuchAlert =>
            {
                Ok(false)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Runs `script` in the page and returns what it returns, as JSON: for
    /// reading many elements at once.
    pub async fn execute_json(&self, script: &str) -> Result<serde_json::Value> {
        Ok(self.client.execute(script, Vec::new()).await?)
    }

    /// Forces the window's theme (the stylesheet honours `data-theme` on
    /// `<html>` before the system's preference), or gives it back to the
    /// system with `None`.
    pub async fn set_theme(&self, theme: Option<Theme>) -> Result<()> {
        let name = theme.map(Theme::name);
        self.client
            .execute(
                "const root = document.documentElement; \
                 if (arguments[0]) { root.setAttribute('data-theme', arguments[0]); } \
                 else { root.removeAttribute('data-theme'); }",
                vec![serde_json::Value::from(name)],
            )
            .await?;
        Ok(())
    }

    /// Scrolls the element matching `css` to the top of the window, so a
    /// screenshot shows it.
    pub async fn scroll_to(&self, css: &str) -> Result<()> {
        let element = self.wait_for(css).await?;
        let element = serde_json::to_value(&element)?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'start'});",
                vec![element],
            )
            .await?;
        Ok(())
    }

    /// The serious and critical accessibility problems axe-core finds on
    /// the screen as it is now, one line each (rule, help, where).
    /// `axe_source` is axe-core's `axe.min.js`, injected into the page.
    pub async fn accessibility_problems(&self, axe_source: &str) -> Result<Vec<String>> {
        self.client.execute(axe_source, Vec::new()).await?;
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1]; \
                 axe.run(document, { resultTypes: ['violations'] }) \
                   .then((result) => done(result.violations \
                     .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
                     .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`))) \
                   .catch((error) => done([`axe-core failed: ${error}`]));",
                Vec::new(),
            )
            .await?;
        Ok(serde_json::from_value(found)?)
    }

    /// The serious and critical problems axe-core finds on the screen in
    /// the light and the dark theme, each line naming `screen` and the
    /// theme. axe-core is the script `PORTCULLIS_AXE_CORE` names (`cargo
    /// xtask test` sets it); without it this fails rather than skip.
    pub async fn accessibility_problems_in_both_themes(&self, screen: &str) -> Result<Vec<String>> {
        let path = std::env::var("PORTCULLIS_AXE_CORE")
            .context("PORTCULLIS_AXE_CORE must name axe-core's axe.min.js")?;
        let axe = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read axe-core from {path}"))?;
        let mut problems = Vec::new();
        for theme in Theme::BOTH {
            self.set_theme(Some(theme)).await?;
            problems.extend(
                self.accessibility_problems(&axe)
                    .await?
                    .into_iter()
                    .map(|problem| format!("{screen} ({theme:?}): {problem}")),
            );
        }
        self.set_theme(None).await?;
        Ok(problems)
    }

    /// Answers the file dialog titled `title`, which the app has opened
    /// or is about to, with `path` ([`file_dialog`]).
    pub async fn answer_file_dialog(
        &self,
        title: &str,
        dialog: FileDialog,
        path: &Path,
    ) -> Result<()> {
        let (title, path) = (title.to_owned(), path.to_owned());
        tokio::task::spawn_blocking(move || file_dialog::answer(&title, dialog, &path, PATIENCE))
            .await?
    }

    /// Closes the file dialog titled `title` without a choice.
    pub async fn dismiss_file_dialog(&self, title: &str) -> Result<()> {
        let title = title.to_owned();
        tokio::task::spawn_blocking(move || file_dialog::dismiss(&title, PATIENCE)).await?
    }

    /// Saves a picture of the window as it is now to
    /// `target/e2e/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let path = self.save_screenshot(name).await?;
        eprintln!("screenshot: {}", path.display());
        Ok(path)
    }

    /// Saves `target/e2e/<name>-light.png` and `<name>-dark.png`, then gives
    /// the theme back to the system.
    pub async fn screenshot_both_themes(&self, name: &str) -> Result<()> {
        for theme in Theme::BOTH {
            self.set_theme(Some(theme)).await?;
            self.screenshot(&format!("{name}-{}", theme.name())).await?;
        }
        self.set_theme(None).await
    }

    /// Waits for two animation frames first: WebDriver answers as soon as
    /// the DOM has changed, which may be before WebKit painted it, and a
    /// picture taken then shows the screen before (a Settings screenshot
    /// once showed the Start page of a test that had passed). After the
    /// second frame begins, the first one, which held the change, has been
    /// painted.
    async fn save_screenshot(&self, name: &str) -> Result<PathBuf> {
        self.wait_for_paint().await?;
        let png = tokio::time::timeout(PATIENCE, self.client.screenshot())
            .await
            .context("the screenshot did not come")??;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png)?;
        Ok(path)
    }

    async fn wait_for_paint(&self) -> Result<()> {
        let frames = self.client.execute_async(
            "const done = arguments[arguments.length - 1]; \
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            Vec::new(),
        );
        tokio::time::timeout(PAINT_LIMIT, frames)
            .await
            .context("the window painted no frame: it may be hidden")?
            .context("cannot wait for the window to paint")?;
        Ok(())
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
