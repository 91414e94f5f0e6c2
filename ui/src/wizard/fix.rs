//! Step 5, "Fix": for each thing the merchant said they will close, update
//! or change (the findings reported fixed in Review), the steps on their
//! own platform, with every command filled in and a Copy button, what to
//! check afterwards, what could break, when to ask the hosting provider,
//! and how to undo it; then "Check it now", which rescans exactly what the
//! fix is about. Below them, the firewall rules for the ports they keep.
//!
//! The platform is asked once per system: the backend's best guess from
//! the scan is shown until the merchant confirms or changes it, and what
//! they say is remembered for every later fix.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::commands::{
    Empty, FixStepsCommand, ReviewCommand, SystemPlatformCommand, SystemPlatformSet, SystemsList,
};
use portcullis_model::compliance::{FindingRecord, FixSteps, Platform, PlatformChoice, System};
use portcullis_model::requests::{FixStepsRequest, PlatformStatement};
use portcullis_model::wizard::WizardStep;
use portcullis_model::{AppError, FindingId, SystemId};
use wasm_bindgen::JsCast;

use super::firewall::FirewallSection;
use super::review::{awaits_answer, load_fixed};
use super::{WizardState, step_path};
use crate::components::{EmptyState, Toasts};
use crate::ipc;
use crate::text::sentence;

/// A piece of a text: words to read, or a command to copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Piece {
    Words(String),
    Command(String),
}

/// Splits a text at its backquotes: the rules and the knowledge base quote
/// the commands they name (`dpkg -l openssh-server`), and only those get a
/// Copy button.
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

/// The findings to fix on one system (or on machines registered as none),
/// in the order first seen.
#[derive(Debug, Clone)]
struct SystemGroup {
    system: Option<System>,
    findings: Vec<FindingRecord>,
}

fn group_by_system(records: Vec<FindingRecord>, systems: &[System]) -> Vec<SystemGroup> {
    let mut order = Vec::new();
    let mut groups: BTreeMap<Option<SystemId>, Vec<FindingRecord>> = BTreeMap::new();
    for record in records {
        let key = record.finding.system_id;
        if !groups.contains_key(&key) {
            order.push(key);
        }
        groups.entry(key).or_default().push(record);
    }
    order
        .into_iter()
        .filter_map(|key| {
            let findings = groups.remove(&key)?;
            let system = key.and_then(|id| systems.iter().find(|s| s.id == id).cloned());
            Some(SystemGroup { system, findings })
        })
        .collect()
}

/// Where a finding is, in words: "On the machine at 198.18.0.10, port
/// 3306/tcp."
fn place_words(record: &FindingRecord) -> Option<String> {
    let finding = &record.finding;
    match (finding.address, finding.port, finding.protocol) {
        (Some(address), Some(port), Some(protocol)) => Some(format!(
            "On the machine at {address}, port {port}/{}.",
            protocol.as_str()
        )),
        (Some(address), ..) => Some(format!("On the machine at {address}.")),
        _ => None,
    }
}

/// Whether a rescan of one port can prove the finding fixed.
fn checkable(record: &FindingRecord) -> bool {
    let finding = &record.finding;
    finding.address.is_some() && finding.port.is_some() && finding.protocol.is_some()
}

#[component]
pub fn FixStep() -> impl IntoView {
    let state = WizardState::from_context();
    let groups = RwSignal::new(None::<Result<Vec<SystemGroup>, AppError>>);
    let systems = RwSignal::new(Vec::<System>::new());
    let unanswered = RwSignal::new(0usize);
    spawn_local(async move {
        let known = ipc::invoke::<SystemsList>(&Empty::default())
            .await
            .unwrap_or_default();
        let loaded = load_fixed()
            .await
            .map(|records| group_by_system(records, &known));
        systems.set(known);
        groups.set(Some(loaded));
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
            "Here is how to do each thing you said you will close, update or change, on your own system. Copy each command, run it, then press \"Check it now\"."
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
        {move || match groups.get() {
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
            Some(Ok(groups)) if groups.is_empty() => {
                view! {
                    <EmptyState
                        title="Nothing to fix"
                        message="You have not said you will close or change anything. If that is right, go on; otherwise answer \"we don't need this\" in Review."
                    />
                }
                    .into_any()
            }
            Some(Ok(groups)) => {
                view! {
                    <div data-test="fix-items">
                        {groups.into_iter().map(|group| view! { <SystemFixes group /> }).collect_view()}
                    </div>
                }
                    .into_any()
            }
        }}
        <FirewallSection systems=systems />
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

/// The platform as the page holds it: what it is and how it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownPlatform {
    pub(crate) platform: Platform,
    pub(crate) choice: PlatformChoice,
}

/// One system's fixes, under the question of what it runs on.
#[component]
fn SystemFixes(group: SystemGroup) -> impl IntoView {
    let SystemGroup { system, findings } = group;
    let system_id = system.as_ref().map(|s| s.id);
    // None until the backend says; then each card asks for its steps on
    // this platform. A change of platform reloads every card.
    let known = RwSignal::new(None::<KnownPlatform>);
    let first = findings[0].id;
    spawn_local(async move {
        let loaded = match system_id {
            Some(id) => ipc::invoke::<SystemPlatformCommand>(&id)
                .await
                .map(|stated| KnownPlatform {
                    platform: stated.platform,
                    choice: stated.choice,
                }),
            // A machine on no system: the first finding's fix says what
            // the backend guessed for it.
            None => ipc::invoke::<FixStepsCommand>(&FixStepsRequest {
                finding_id: first,
                platform: None,
            })
            .await
            .map(|steps| KnownPlatform {
                platform: steps.platform,
                choice: steps.choice,
            }),
        };
        known.set(Some(loaded.unwrap_or(KnownPlatform {
            platform: Platform::Debian,
            choice: PlatformChoice::Assumed,
        })));
    });
    let heading = system.as_ref().map_or_else(
        || "Machines not on your list of systems".to_owned(),
        |system| system.name.clone(),
    );
    let picker_id = format!(
        "platform-{}",
        system_id.map_or_else(|| "none".to_owned(), |id| id.to_string())
    );
    view! {
        <section class="fix-system" data-test="fix-system">
            <h2>{heading.clone()}</h2>
            <PlatformQuestion known system_id picker_id system_name=heading />
            <ul class="decision-list">
                {findings
                    .into_iter()
                    .map(|record| view! { <FixCard record known /> })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// "What does the web shop run on?", answered once: the guess is shown
/// with its reason until the merchant confirms or changes it.
#[component]
pub(crate) fn PlatformQuestion(
    known: RwSignal<Option<KnownPlatform>>,
    system_id: Option<SystemId>,
    picker_id: String,
    system_name: String,
) -> impl IntoView {
    let toasts = Toasts::from_context();
    let state_platform = move |platform: Platform| {
        let Some(system_id) = system_id else {
            // Not a registered system: nothing to remember it by.
            known.set(Some(KnownPlatform {
                platform,
                choice: PlatformChoice::Stated,
            }));
            return;
        };
        spawn_local(async move {
            match ipc::invoke::<SystemPlatformSet>(&PlatformStatement {
                system_id,
                platform,
            })
            .await
            {
                Ok(stated) => known.set(Some(KnownPlatform {
                    platform: stated.platform,
                    choice: stated.choice,
                })),
                Err(error) => toasts.error(format!(
                    "What the system runs on could not be saved. {}",
                    sentence(&error.message)
                )),
            }
        });
    };
    let caption = move || {
        known.with(|known| match known {
            None => String::new(),
            Some(KnownPlatform {
                choice: PlatformChoice::Stated,
                ..
            }) => "You told us this. The steps below are for it.".to_owned(),
            Some(KnownPlatform {
                choice: PlatformChoice::Guessed(clue),
                ..
            }) => format!("Our best guess, because {clue}. Change it if it is wrong."),
            Some(KnownPlatform {
                choice: PlatformChoice::Assumed,
                ..
            }) => "The scan gave no clue, so this is a guess. Please pick what it really runs on."
                .to_owned(),
        })
    };
    let caption_id = format!("{picker_id}-caption");
    let unconfirmed = move || {
        known.with(|known| {
            known
                .as_ref()
                .is_some_and(|k| k.choice != PlatformChoice::Stated)
        })
    };
    let confirm = move |_| {
        if let Some(platform) = known.with_untracked(|k| k.as_ref().map(|k| k.platform)) {
            state_platform(platform);
        }
    };
    view! {
        <div class="field platform-question" data-test="platform-question">
            <label for=picker_id.clone()>{format!("What does {system_name} run on?")}</label>
            <div class="platform-row">
                <select
                    id=picker_id
                    aria-describedby=caption_id.clone()
                    data-test="platform-picker"
                    on:change=move |event| {
                        if let Some(platform) = Platform::from_id(&event_target_value(&event)) {
                            state_platform(platform);
                        }
                    }
                >
                    {Platform::ALL
                        .into_iter()
                        .map(|platform| {
                            view! {
                                <option
                                    value=platform.id()
                                    selected=move || {
                                        known.with(|k| k.as_ref().is_some_and(|k| k.platform == platform))
                                    }
                                >
                                    {capitalised(platform.name())}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <Show when=unconfirmed>
                    <button class="button" type="button" on:click=confirm data-test="platform-confirm">
                        "Yes, that is right"
                    </button>
                </Show>
            </div>
            <p class="muted" id=caption_id data-test="platform-caption">{caption}</p>
        </div>
    }
}

/// "a Mac (macOS)" as an option: "A Mac (macOS)".
fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// One finding's fix on the system's platform.
#[component]
fn FixCard(record: FindingRecord, known: RwSignal<Option<KnownPlatform>>) -> impl IntoView {
    let finding_id = record.id;
    let steps = RwSignal::new(None::<Result<FixSteps, AppError>>);
    Effect::new(move |_| {
        let Some(known) = known.get() else {
            return;
        };
        // A platform sent along is remembered for the system, so only one
        // the merchant stated is; for a guess, the backend guesses the same.
        let platform = (known.choice == PlatformChoice::Stated).then_some(known.platform);
        spawn_local(async move {
            let loaded = ipc::invoke::<FixStepsCommand>(&FixStepsRequest {
                finding_id,
                platform,
            })
            .await;
            steps.set(Some(loaded));
        });
    });
    let place = place_words(&record);
    let can_check = checkable(&record);
    let finding_title = record.finding.title.to_string();
    view! {
        <li>
            <section class="card fix-card" data-test="fix-item" data-finding=finding_id.to_string()>
                <p class="muted fix-finding">{finding_title}</p>
                {place.map(|place| view! { <p data-test="fix-place">{place}</p> })}
                {move || match steps.get() {
                    None => view! { <p class="muted">"Loading the steps…"</p> }.into_any(),
                    Some(Err(error)) => {
                        view! {
                            <p class="form-error" role="alert">
                                "The steps could not be loaded. "
                                {sentence(&error.message)}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Ok(steps)) => steps_view(steps).into_any(),
                }}
                <CheckItNow finding_id can_check />
            </section>
        </li>
    }
}

fn steps_view(steps: FixSteps) -> impl IntoView {
    let FixSteps {
        title,
        what,
        why,
        requirements,
        steps,
        check,
        breaks,
        provider,
        undo,
        ..
    } = steps;
    let requirements = (!requirements.is_empty()).then(|| {
        view! {
            <p class="muted" data-test="fix-requirements">
                {format!("PCI DSS requirement {}.", requirements.join(", "))}
            </p>
        }
    });
    view! {
        <h3 class="card-title" data-test="fix-title">{title}</h3>
        {(!what.is_empty()).then(|| view! { <p data-test="fix-what">{what}</p> })}
        <p data-test="fix-why">{why}</p>
        {requirements}
        <h4>"Steps"</h4>
        <ol class="fix-steps" data-test="fix-steps">
            {steps.into_iter().map(|step| view! { <li>{text_with_commands(step)}</li> }).collect_view()}
        </ol>
        <h4>"Check it worked"</h4>
        <p>{text_with_commands(check)}</p>
        <h4>"What could stop working"</h4>
        <p data-test="fix-breaks">{text_with_commands(breaks)}</p>
        <details class="fix-more">
            <summary>"When to ask your hosting provider, and how to undo it"</summary>
            <p>{text_with_commands(provider)}</p>
            <p>{text_with_commands(undo)}</p>
        </details>
    }
}

/// A text with its quoted commands drawn as code, each command then on
/// its own line with a Copy button.
fn text_with_commands(text: String) -> impl IntoView {
    let pieces = pieces(&text);
    let commands: Vec<String> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Command(command) => Some(command.clone()),
            Piece::Words(_) => None,
        })
        .collect();
    view! {
        <span class="remedy">
            {pieces
                .into_iter()
                .map(|piece| match piece {
                    Piece::Words(words) => words.into_any(),
                    Piece::Command(command) => view! { <code>{command}</code> }.into_any(),
                })
                .collect_view()}
        </span>
        {commands
            .into_iter()
            .map(|command| view! { <CommandLine command /> })
            .collect_view()}
    }
}

/// "Check it now": the Verify step rescans exactly this finding's address
/// and port.
#[component]
fn CheckItNow(finding_id: FindingId, can_check: bool) -> impl IntoView {
    let navigate = use_navigate();
    let state = WizardState::from_context();
    let go = move |_| {
        state.go_to(WizardStep::Verify);
        navigate(
            &format!("{}?finding={finding_id}", step_path(WizardStep::Verify)),
            Default::default(),
        );
    };
    if can_check {
        view! {
            <div class="actions">
                <button class="button primary" type="button" on:click=go data-test="fix-check-now">
                    "Check it now"
                </button>
            </div>
        }
        .into_any()
    } else {
        view! {
            <p class="muted">"A scan of one port cannot prove this one; the Verify step and your next full scan will."</p>
        }
        .into_any()
    }
}

/// A command on its own line with its Copy button.
#[component]
pub(super) fn CommandLine(command: String) -> impl IntoView {
    let label = format!("Copy the command {command}");
    view! { <CopyBlock text=command label /> }
}

/// A block of text to copy whole (a command, a rules file), with its Copy
/// button named by `label` for a screen reader. A `long` one (a file)
/// scrolls within its box, so it takes the focus too, for the arrow keys.
#[component]
pub(super) fn CopyBlock(
    text: String,
    label: String,
    #[prop(optional)] long: bool,
) -> impl IntoView {
    let toasts = Toasts::from_context();
    let copied = RwSignal::new(false);
    let to_copy = text.clone();
    let copy = move |_| {
        let text = to_copy.clone();
        spawn_local(async move {
            match copy_text(&text).await {
                Ok(()) => copied.set(true),
                Err(()) => toasts
                    .error("The text could not be copied: select it and press Ctrl+C instead."),
            }
        });
    };
    view! {
        <div class="command-line" data-test="command">
            {if long {
                view! {
                    <pre tabindex="0" role="region" aria-label=text_name(&label)>
                        <code>{text}</code>
                    </pre>
                }
                    .into_any()
            } else {
                view! { <pre><code>{text}</code></pre> }.into_any()
            }}
            <button class="button" type="button" on:click=copy aria-label=label data-test="copy-command">
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </div>
    }
}

/// "Copy the file portcullis.nft" names its text "The file portcullis.nft".
fn text_name(label: &str) -> String {
    capitalised(label.strip_prefix("Copy ").unwrap_or(label))
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

    #[test]
    fn option_names_start_with_a_capital() {
        assert_eq!(capitalised("a Mac (macOS)"), "A Mac (macOS)");
        assert_eq!(capitalised(""), "");
    }
}
