//! Watching in the background: whether the desktop app keeps running in
//! the system tray once its window closes, so that scheduled checks go on.
//!
//! The choice is the person's and off until made: a program that stays
//! after its window closes surprises anyone who did not ask for it. It is
//! kept with the app's other settings, so the CLI and a second window read
//! the same answer. Starting at login is not kept here: the operating
//! system's own autostart entry is the one record of it, so it cannot
//! disagree with what really happens at login.

use crate::error::{Result, from_store};
use crate::workspace::Workspace;

/// The setting the choice is saved under.
const KEEP_WATCHING_KEY: &str = "desktop.keep_watching";

impl Workspace {
    /// Whether closing the window leaves Portcullis watching from the tray;
    /// `false` until the person says otherwise (or when the saved value is
    /// unreadable: staying behind unasked is the worse mistake).
    pub async fn keep_watching(&self) -> Result<bool> {
        let saved = self
            .store
            .setting(KEEP_WATCHING_KEY)
            .await
            .map_err(from_store)?;
        Ok(saved.as_deref() == Some("true"))
    }

    /// Saves the choice; returns it as saved.
    pub async fn set_keep_watching(&self, on: bool) -> Result<bool> {
        let text = if on { "true" } else { "false" };
        self.store
            .put_setting(KEEP_WATCHING_KEY, text)
            .await
            .map_err(from_store)?;
        self.keep_watching().await
    }
}
