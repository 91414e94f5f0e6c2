//! A modal dialog for the few questions that must be answered before going
//! on ("Remove this system?").
//!
//! Built on the native `<dialog>` opened with `showModal()`: the page behind
//! becomes inert, Escape closes it, and focus returns to the control that
//! opened it. WebKit still lets Tab leave the last control for the window
//! itself, so Tab and Shift+Tab wrap around inside the dialog here. The
//! role and `aria-modal` are spelled out as well for assistive technology
//! that does not infer them.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// What Tab can stop on inside a dialog.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

#[component]
pub fn Dialog(
    /// The id of the dialog, unique on the page; its title's id is derived
    /// from it.
    #[prop(into)]
    id: String,
    #[prop(into)] title: String,
    /// Whether the dialog is open; closing it by Escape sets it false.
    open: RwSignal<bool>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    Effect::new(move |_| {
        let Some(element) = dialog.get() else {
            return;
        };
        let wanted = open.get();
        if wanted && !element.open() {
            // Fails only if the element is not connected; it is.
            let _ = element.show_modal();
        } else if !wanted && element.open() {
            element.close();
        }
    });
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <dialog
            node_ref=dialog
            id=id.clone()
            class="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby=labelled_by
            on:close=move |_| open.set(false)
            on:keydown=move |event| {
                if let Some(element) = dialog.get_untracked() {
                    keep_focus_inside(&element, &event);
                }
            }
            data-test="dialog"
        >
            <h2 id=title_id>{title}</h2>
            {children()}
        </dialog>
    }
}

/// On Tab from the last control (or Shift+Tab from the first), moves the
/// focus to the other end instead of out of the dialog.
fn keep_focus_inside(dialog: &web_sys::HtmlDialogElement, event: &leptos::ev::KeyboardEvent) {
    if event.key() != "Tab" {
        return;
    }
    let Ok(found) = dialog.query_selector_all(FOCUSABLE) else {
        return;
    };
    let controls: Vec<web_sys::HtmlElement> = (0..found.length())
        .filter_map(|index| found.item(index))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlElement>().ok())
        .collect();
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let focused = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.active_element());
    let is = |control: &web_sys::HtmlElement| {
        focused
            .as_ref()
            .is_some_and(|focused| focused == control.unchecked_ref::<web_sys::Element>())
    };
    let target = match (event.shift_key(), is(first), is(last)) {
        (false, _, true) => first,
        (true, true, _) => last,
        _ => return,
    };
    event.prevent_default();
    // Focusing a connected, focusable element does not fail.
    let _ = target.focus();
}
