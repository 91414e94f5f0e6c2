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
