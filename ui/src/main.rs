//! The Portcullis front end.
//!
//! A Leptos app rendered in the Tauri window. It talks to the backend only
//! through [`ipc`], whose every call is typed by `portcullis-model`.

mod app;
mod audit_history;
mod backend_status;
mod components;
mod dates;
mod ipc;
mod monitoring_news;
mod pages;
mod routes;
mod system_form;
mod text;
mod theme;
mod wizard;

fn main() {
    console_error_panic_hook::set_once();
    remove_boot_message();
    leptos::mount::mount_to_body(app::App);
}

/// The static "Starting…" text in index.html shows until the module runs;
/// once it does, the app takes the whole page.
fn remove_boot_message() {
    if let Some(boot) = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("boot"))
    {
        boot.remove();
    }
}
