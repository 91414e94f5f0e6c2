//! Light, dark, or as this computer is set: a choice of the window alone,
//! kept in the webview's local storage (it is not the business's data, so
//! it stays out of the database) and applied as `data-theme` on `<html>`,
//! which the stylesheet honours before the system's preference.

/// The key the choice is kept under.
const STORAGE_KEY: &str = "portcullis-theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    System,
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [(Theme, &'static str, &'static str, &'static str); 3] = [
        (
            Theme::System,
            "system",
            "Match this computer",
            "Light or dark as your computer is set, changing when it does.",
        ),
        (
            Theme::Light,
            "light",
            "Light",
            "Dark text on a light background.",
        ),
        (
            Theme::Dark,
            "dark",
            "Dark",
            "Light text on a dark background.",
        ),
    ];

    fn key(self) -> &'static str {
        Theme::ALL
            .iter()
            .find(|(theme, ..)| *theme == self)
            .map_or("system", |(_, key, ..)| key)
    }

    fn from_key(key: &str) -> Theme {
        Theme::ALL
            .iter()
            .find(|(_, known, ..)| *known == key)
            .map_or(Theme::System, |(theme, ..)| *theme)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The theme chosen last; `System` when none was.
pub fn chosen() -> Theme {
    storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .map_or(Theme::System, |key| Theme::from_key(&key))
}

/// Shows the window in `theme` and remembers it.
pub fn choose(theme: Theme) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(STORAGE_KEY, theme.key());
    }
    apply(theme);
}

/// Shows the window in `theme`.
pub fn apply(theme: Theme) {
    let Some(root) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
    else {
        return;
    };
    let _ = match theme {
        Theme::System => root.remove_attribute("data-theme"),
        Theme::Light | Theme::Dark => root.set_attribute("data-theme", theme.key()),
    };
}
