//! A display for the window: the user's own, or an Xvfb we start and stop.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The display the app and the tests use. Dropping it stops the Xvfb it
/// started, if any.
#[derive(Debug)]
pub struct Display {
    /// `Some(":N")` when we started Xvfb; `None` to keep the environment's.
    started: Option<(String, Child)>,
}

/// Can a window be shown: a display is set, or Xvfb can provide one?
pub fn available() -> bool {
    has_display() || crate::cmd::exists("Xvfb")
}

fn has_display() -> bool {
    let set = |variable: &str| std::env::var_os(variable).is_some_and(|v| !v.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}

/// Uses `$DISPLAY` or `$WAYLAND_DISPLAY` when set; otherwise starts Xvfb on
/// the first free display number from 99.
pub fn ensure() -> Result<Display> {
    if has_display() {
        return Ok(Display { started: None });
    }
    if !crate::cmd::exists("Xvfb") {
        bail!("no display and no Xvfb: run `cargo xtask setup` (as root) to install xvfb");
    }
    let number = (99..200)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .context("no free X display number between 99 and 199")?;
    let name = format!(":{number}");
    eprintln!("no display: starting Xvfb on {name}");
    let mut xvfb = Command::new("Xvfb")
        .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start Xvfb")?;
    let socket = format!("/tmp/.X11-unix/X{number}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&socket).exists() {
        if let Some(status) = xvfb.try_wait()? {
            bail!("Xvfb exited at start with {status}");
        }
        if Instant::now() > deadline {
            let _ = xvfb.kill();
            bail!("Xvfb did not create {socket} within 10 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(Display {
        started: Some((name, xvfb)),
    })
}

impl Display {
    /// The X display's name (`:99`), ours or the environment's.
    pub fn name(&self) -> Option<String> {
        match &self.started {
            Some((name, _)) => Some(name.clone()),
            None => std::env::var("DISPLAY")
                .ok()
                .filter(|name| !name.is_empty()),
        }
    }

    /// Points `command` at this display.
    ///
    /// WebKit renders in software under Xvfb without being told. Do not set
    /// `WEBKIT_DISABLE_COMPOSITING_MODE`: with it, WebDriver screenshots
    /// never return (measured here).
    pub fn apply_to(&self, command: &mut Command) {
        if let Some((name, _)) = &self.started {
            command.env("DISPLAY", name);
        }
    }
}

impl Drop for Display {
    /// SIGTERM, so Xvfb removes its lock file and socket; SIGKILL would leave
    /// them and use up a display number per run.
    fn drop(&mut self) {
        if let Some((_, xvfb)) = &mut self.started {
            let _ = Command::new("kill")
                .args(["-TERM", &xvfb.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = xvfb.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
    }
}
