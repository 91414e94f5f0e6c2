//! Step 5, "Fix": for each port to close and each update or setting to
//! change (the findings reported fixed in Review), what to do in the rules'
//! plain words, with a Copy button for each command they name.
//!
//! Platform-specific steps and firewall rules come with the remediation
//! issue; until then the step says so rather than inventing commands.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, ReviewCommand};
use portcullis_model::compliance::FindingRecord;
use portcullis_model::wizard::WizardStep;
use wasm_bindgen::JsCast;

use super::review::{awaits_answer, load_fixed};
use super::systems::sentence;
use super::{WizardState, step_path};
use crate::components::{EmptyState, Toasts};
use crate::ipc;

/// A piece of a remedy: words to read, or a command to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Words(String),
    Command(String),
}

/// Splits a remedy at its backquotes: the rules quote the commands they
/// name (`dpkg -l openssh-server`), and only those get a Copy button.
pub(super) fn pieces(remedy: &str) -> Vec<Piece> {
    remedy
        .split('`')
        .enumerate()
        .filter(|(_, text)| !text.is_empty())
        .map(|(index, text)| {
            if index % 2 == 1 {
                Piece::Command(text.to_owned())
            } else {
                Piece::Words(text.to_owned())
            }
        })
        .collect()
}

/// One place to fix: the findings reported fixed there, and the distinct
/// things to do.
#[derive(Debug, Clone)]
struct FixItem {
    title: String,
    /// "On the machine at 127.0.0.1, port 8888/tcp.", when the findings
    /// name a place.
    place: Option<String>,
    findings: Vec<String>,
    remedies: Vec<String>,
}

/// Groups the findings by place (address and port, or address and
/// product), in the order first seen.
fn fix_items(records: &[FindingRecord]) -> Vec<FixItem> {
    let mut order = Vec::new();
    let mut items: BTreeMap<String, FixItem> = BTreeMap::new();
    for record in records {
        let finding = &record.finding;
        let place = match (finding.address, finding.port, finding.protocol) {
            (Some(address), Some(port), Some(protocol)) => {
                format!("{address}|{}/{port}", protocol.as_str())
            }
            (Some(address), ..) => {
                format!("{address}|{}", finding.product.as_deref().unwrap_or(""))
            }
            _ => finding.key.clone(),
        };
        let where_words = match (finding.address, finding.port, finding.protocol) {
            (Some(address), Some(port), Some(protocol)) => Some(format!(
                "On the machine at {address}, port {port}/{}.",
                protocol.as_str()
            )),
            (Some(address), ..) => Some(format!("On the machine at {address}.")),
            _ => None,
        };
        let item = items.entry(place.clone()).or_insert_with(|| {
            order.push(place);
            FixItem {
                title: finding.title.to_string(),
                place: where_words,
                findings: Vec::new(),
                remedies: Vec::new(),
            }
        });
        item.findings.push(finding.title.to_string());
        let remedy = finding.remedy.to_string();
        if !item.remedies.contains(&remedy) {
            item.remedies.push(remedy);
        }
    }
    order
        .into_iter()
        .filter_map(|place| items.remove(&place))
        .collect()
}

#[component]
pub fn FixStep() -> impl IntoView {
    let state = WizardState::from_context();
    let fixed = RwSignal::new(None::<Result<Vec<FindingRecord>, AppError>>);
    let unanswered = RwSignal::new(0usize);
    spawn_local(async move {
        fixed.set(Some(load_fixed().await));
        if let Ok(cards) = ipc::invoke::<ReviewCommand>(&Empty::default()).await {
            unanswered.set(cards.iter().filter(|card| awaits_answer(card)).count());
        }
    });
    let navigate = use_navigate();
    let go_on = move |_| {
        state.go_to(WizardStep::Verify);
        navigate(&step_path(WizardStep::Verify), Default::default());
    };

    view! {
        <p class="lead">
            "Here is what to do for each thing you said you will close, update or change. When it is done, the Verify step checks it with a new scan."
        </p>
        <p class="notice" data-test="fix-later-note">
            "Step-by-step commands for your system and firewall rules for the ports you keep come with a later version of Portcullis; for now, each item says what to do in plain words."
        </p>
        {move || {
            (unanswered.get() > 0)
                .then(|| {
                    let left = unanswered.get();
                    view! {
                        <p class="notice" data-kind="warning" data-test="fix-unanswered">
                            {if left == 1 {
                                "1 decision in Review has no answer yet. ".to_owned()
                            } else {
                                format!("{left} decisions in Review have no answer yet. ")
                            }}
                            <a href=step_path(WizardStep::Review)>"Answer them in Review"</a>
                        </p>
                    }
                })
        }}
        {move || match fixed.get() {
            None => view! { <p class="muted">"Loading what to fix…"</p> }.into_any(),
            Some(Err(error)) => {
                view! {
                    <p class="form-error" role="alert">
                        "What to fix could not be loaded. "
                        {sentence(&error.message)}
                    </p>
                }
                    .into_any()
            }
            Some(Ok(records)) if records.is_empty() => {
                view! {
                    <EmptyState
                        title="Nothing to fix"
                        message="You have not said you will close or change anything. If that is right, go on; otherwise answer \"we don't need this\" in Review."
                    />
                }
                    .into_any()
            }
            Some(Ok(records)) => {
                view! {
                    <ul class="decision-list" data-test="fix-items">
                        {fix_items(&records).into_iter().map(fix_card).collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Review)>
                "Back"
            </a>
            <button class="button primary" type="button" on:click=go_on data-test="wizard-next">
                "Continue to Verify"
            </button>
        </div>
    }
}

fn fix_card(item: FixItem) -> impl IntoView {
    let FixItem {
        title,
        place,
        findings,
        remedies,
    } = item;
    let settles = (findings.len() > 1).then(|| {
        view! {
            <p class="muted">{format!("Doing this settles {} findings:", findings.len())}</p>
            <ul>{findings.into_iter().map(|title| view! { <li>{title}</li> }).collect_view()}</ul>
        }
    });
    view! {
        <li>
            <section class="card" data-test="fix-item">
                <h2 class="card-title">{title}</h2>
                {place.map(|place| view! { <p data-test="fix-place">{place}</p> })}
                {settles}
                <h3>"What to do"</h3>
                {remedies.into_iter().map(remedy_view).collect_view()}
            </section>
        </li>
    }
}

fn remedy_view(remedy: String) -> impl IntoView {
    let pieces = pieces(&remedy);
    let commands: Vec<String> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Command(command) => Some(command.clone()),
            Piece::Words(_) => None,
        })
        .collect();
    view! {
        <p class="remedy">
            {pieces
                .into_iter()
                .map(|piece| match piece {
                    Piece::Words(words) => words.into_any(),
                    Piece::Command(command) => view! { <code>{command}</code> }.into_any(),
                })
                .collect_view()}
        </p>
        {commands
            .into_iter()
            .map(|command| view! { <CommandLine command /> })
            .collect_view()}
    }
}

/// A command on its own line with its Copy button.
#[component]
pub(super) fn CommandLine(command: String) -> impl IntoView {
    let toasts = Toasts::from_context();
    let copied = RwSignal::new(false);
    let text = command.clone();
    let copy = move |_| {
        let text = text.clone();
        spawn_local(async move {
            match copy_text(&text).await {
                Ok(()) => copied.set(true),
                Err(()) => toasts
                    .error("The command could not be copied: select it and press Ctrl+C instead."),
            }
        });
    };
    view! {
        <div class="command-line" data-test="command">
            <pre><code>{command.clone()}</code></pre>
            <button
                class="button"
                type="button"
                on:click=copy
                aria-label=format!("Copy the command {command}")
                data-test="copy-command"
            >
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}

/// Puts `text` on the clipboard through the page's own clipboard API.
async fn copy_text(text: &str) -> Result<(), ()> {
    let window = web_sys::window().ok_or(())?;
    let get = |target: &wasm_bindgen::JsValue, name: &str| {
        js_sys::Reflect::get(target, &wasm_bindgen::JsValue::from_str(name)).map_err(drop)
    };
    let navigator = get(&window, "navigator")?;
    let clipboard = get(&navigator, "clipboard")?;
    let write = get(&clipboard, "writeText")?
        .dyn_into::<js_sys::Function>()
        .map_err(drop)?;
    let promise = write
        .call1(&clipboard, &wasm_bindgen::JsValue::from_str(text))
        .map_err(drop)?
        .dyn_into::<js_sys::Promise>()
        .map_err(drop)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_quoted_text_is_a_command() {
        assert_eq!(
            pieces("Run `dpkg -l openssh-server` on the server."),
            vec![
                Piece::Words("Run ".into()),
                Piece::Command("dpkg -l openssh-server".into()),
                Piece::Words(" on the server.".into()),
            ]
        );
        assert_eq!(pieces("Close it."), vec![Piece::Words("Close it.".into())]);
    }
}
