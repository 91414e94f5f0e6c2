//! Words shared by every page.

/// The backend's message as a sentence: capital first letter, full stop,
/// and the backticks its messages quote with (a terminal's habit) turned
/// into plain quotes.
pub fn sentence(message: &str) -> String {
    let message = message.trim().replace('`', "\"");
    let mut chars = message.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut text: String = first.to_uppercase().chain(chars).collect();
    if !text.ends_with(['.', '!', '?']) {
        text.push('.');
    }
    text
}

/// A moment on this computer's clock, as a person reads it: "7 December
/// 2026 at 14:05". The backend's times are UTC; the webview knows the
/// computer's time zone.
pub fn local_time(at: chrono::DateTime<chrono::Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    #[allow(clippy::cast_precision_loss)]
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    let month = MONTHS.get(date.get_month() as usize).copied().unwrap_or("");
    format!(
        "{} {month} {} at {:02}:{:02}",
        date.get_date(),
        date.get_full_year(),
        date.get_hours(),
        date.get_minutes()
    )
}
