//! Short messages that confirm an action ("Added Web shop") or report a
//! failure that belongs to no field.
//!
//! Two live regions exist from the start (a live region added together with
//! its text is not announced): successes in `role=status`, read when the
//! reader is idle, failures in `role=alert`, read at once. Successes go
//! away by themselves, and a new one replaces the last; failures stay until
//! dismissed, so nobody misses one.

use std::time::Duration;

use leptos::prelude::*;

/// How long a success stays on screen.
const SUCCESS_LIFETIME: Duration = Duration::from_secs(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ToastKind {
    Success,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    kind: ToastKind,
    message: String,
}

/// The app's toasts, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next_id: StoredValue<u64>,
}

impl Toasts {
    /// Creates the list and puts it in context; `ToastRegion` shows it.
    pub fn provide() -> Toasts {
        let toasts = Toasts {
            items: RwSignal::new(Vec::new()),
            next_id: StoredValue::new(0),
        };
        provide_context(toasts);
        toasts
    }

    pub fn from_context() -> Toasts {
        expect_context::<Toasts>()
    }

    /// Shows a success in place of any earlier one: a merchant answering
    /// ten cards in a row needs the latest confirmation, not a stack of ten
    /// that covers the next step's content.
    pub fn success(self, message: impl Into<String>) {
        self.items
            .update(|items| items.retain(|toast| toast.kind != ToastKind::Success));
        let id = self.push(ToastKind::Success, message.into());
        set_timeout(move || self.dismiss(id), SUCCESS_LIFETIME);
    }

    pub fn error(self, message: impl Into<String>) {
        self.push(ToastKind::Error, message.into());
    }

    fn push(self, kind: ToastKind, message: String) -> u64 {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.items
            .update(|items| items.push(Toast { id, kind, message }));
        id
    }

    fn dismiss(self, id: u64) {
        self.items
            .update(|items| items.retain(|toast| toast.id != id));
    }

    fn of_kind(self, kind: ToastKind) -> Vec<Toast> {
        self.items
            .get()
            .into_iter()
            .filter(|toast| toast.kind == kind)
            .collect()
    }
}

#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = Toasts::from_context();
    let list = move |kind: ToastKind| {
        move || {
            toasts
                .of_kind(kind)
                .into_iter()
                .map(|toast| toast_view(toasts, toast))
                .collect_view()
        }
    };
    view! {
        <div class="toasts">
            <div role="status" aria-live="polite">
                {list(ToastKind::Success)}
            </div>
            <div role="alert">
                {list(ToastKind::Error)}
            </div>
        </div>
    }
}

fn toast_view(toasts: Toasts, toast: Toast) -> impl IntoView {
    let kind = match toast.kind {
        ToastKind::Success => "success",
        ToastKind::Error => "error",
    };
    let id = toast.id;
    view! {
        <div class="toast" data-kind=kind data-test="toast">
            <p>{toast.message}</p>
            <button class="button quiet" type="button" on:click=move |_| toasts.dismiss(id)>
                "Dismiss"
            </button>
        </div>
    }
}
