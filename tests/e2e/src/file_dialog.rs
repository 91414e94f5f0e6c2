//! Answering the app's file dialogs as a person does. The dialogs are the
//! system's own (GTK's, through tauri-plugin-dialog), outside the webview
//! and out of WebDriver's reach, so the harness finds them on the X
//! display by their title and types into them with xdotool (Debian's
//! package; `cargo xtask setup` installs it). Nothing is stood in for.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// What the dialog asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileDialog {
    /// A file to open: the path goes into the location bar (Ctrl+L).
    Open,
    /// Where to save: the path replaces the proposed name.
    Save,
}

/// The dialog titled `title` gets `path`, then Enter; returns once it has
/// closed.
pub fn answer(title: &str, dialog: FileDialog, path: &Path, patience: Duration) -> Result<()> {
    let window = wait_for_window(title, patience)?;
    xdotool(&["windowfocus", "--sync", &window])?;
    let select = match dialog {
        FileDialog::Open => "ctrl+l",
        FileDialog::Save => "ctrl+a",
    };
    xdotool(&["key", "--clearmodifiers", select])?;
    // GTK completes what is typed; a pause before Enter lets it settle.
    std::thread::sleep(Duration::from_millis(300));
    let path = path
        .to_str()
        .context("the dialog's answer must be a UTF-8 path")?;
    xdotool(&["type", "--delay", "10", path])?;
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["key", "Return"])?;
    wait_until_closed(title, patience)
}

/// Closes the dialog titled `title` without a choice, as Escape does.
pub fn dismiss(title: &str, patience: Duration) -> Result<()> {
    let window = wait_for_window(title, patience)?;
    xdotool(&["windowfocus", "--sync", &window])?;
    xdotool(&["key", "Escape"])?;
    wait_until_closed(title, patience)
}

fn wait_for_window(title: &str, patience: Duration) -> Result<String> {
    let deadline = Instant::now() + patience;
    loop {
        if let Some(window) = windows_titled(title)?.into_iter().next() {
            return Ok(window);
        }
        if Instant::now() > deadline {
            bail!("no window titled {title:?} opened within {patience:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn wait_until_closed(title: &str, patience: Duration) -> Result<()> {
    let deadline = Instant::now() + patience;
    while !windows_titled(title)?.is_empty() {
        if Instant::now() > deadline {
            bail!("the window titled {title:?} did not close within {patience:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// The visible windows whose whole title is `title`.
fn windows_titled(title: &str) -> Result<Vec<String>> {
    let pattern = format!("^{}$", regex_escaped(title));
    let output = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", &pattern])
        .output()
        .context("cannot run xdotool (Debian package xdotool; `cargo xtask setup`)")?;
    // xdotool exits 1 when nothing matches.
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}

fn regex_escaped(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = "\\.^$|?*+()[]{}".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

fn xdotool(args: &[&str]) -> Result<()> {
    let status = Command::new("xdotool")
        .args(args)
        .status()
        .context("cannot run xdotool (Debian package xdotool; `cargo xtask setup`)")?;
    if !status.success() {
        bail!("xdotool {} failed: {status}", args.join(" "));
    }
    Ok(())
}
