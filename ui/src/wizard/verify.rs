//! Step 6, "Verify": a new scan of exactly the addresses and ports of what
//! was reported fixed (`verification_settings`), followed over the scan's
//! channel with Cancel; the backend judges the scan when it finishes, then
//! each item turns green ("Verified fixed by scan 12") or says in words what
//! is still wrong and what to try next.
//!
//! What to check is read from the findings themselves (reported fixed, or
//! verified already), so a relaunch shows the same list.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_model::commands::{FindingsList, ScanCancel, ScanStart, VerificationSettings};
use portcullis_model::compliance::{FindingRecord, FindingState, FindingStatus};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::scan_record::{RunState, ScanUpdate};
use portcullis_model::wizard::WizardStep;
use portcullis_model::{AppError, FindingId, RunId};

use super::{WizardState, step_path};
use crate::components::EmptyState;
use crate::components::progress_bar::ProgressBar;
use crate::ipc::{self, Stream};
use crate::text::sentence;

/// Whether a rescan can prove a finding fixed: it must be about a port.
fn checkable(record: &FindingRecord) -> bool {
    let finding = &record.finding;
    finding.address.is_some() && finding.port.is_some() && finding.protocol.is_some()
}

/// What one item's row says after a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Proven { by_scan: i64 },
    StillThere,
    NotChecked,
}

pub(super) fn outcome_of(state: &FindingState) -> Outcome {
    match state {
        FindingState::Verified { by_scan } => Outcome::Proven {
            by_scan: by_scan.get(),
        },
        FindingState::Open | FindingState::Accepted(_) | FindingState::Disputed(_) => {
            Outcome::StillThere
        }
        FindingState::Fixed => Outcome::NotChecked,
    }
}

/// The verification scan while it runs.
#[derive(Debug, Clone, Default, PartialEq)]
struct Check {
    run: Option<RunId>,
    state: Option<RunState>,
    percent: f64,
    error: Option<String>,
}

impl Check {
    fn apply(&mut self, update: ScanUpdate) {
        self.run = Some(update.run);
        self.state = Some(update.state);
        if let Some(progress) = update.progress
            && progress.probes_total > 0
        {
            self.percent = 100.0 * progress.probes_done as f64 / progress.probes_total as f64;
        }
        if update.error.is_some() {
            self.error = update.error;
        }
        if self.state == Some(RunState::Finished) {
            self.percent = 100.0;
        }
    }

    fn running(&self) -> bool {
        self.run.is_some() && matches!(self.state, None | Some(RunState::Running))
    }
}

#[component]
pub fn VerifyStep() -> impl IntoView {
    let state = WizardState::from_context();
    // Every finding that was reported fixed or proven fixed, and those
    // this window sent to the check (which may have come back open).
    let items = RwSignal::new(None::<Result<Vec<FindingRecord>, AppError>>);
    let checked = RwSignal::new(Vec::<FindingId>::new());
    let check = RwSignal::new(Check::default());
    let start_error = RwSignal::new(None::<String>);
    let stream = StoredValue::new_local(None::<Stream>);

    let reload = move || {
        spawn_local(async move {
            items.set(Some(load_items(checked.get_untracked()).await));
        });
    };
    reload();

    // "Check it now" on a fix in the Fix step asks for that one finding.
    let only = use_query_map().with_untracked(|query| {
        query
            .get("finding")
            .and_then(|id| id.parse::<FindingId>().ok())
    });
    let start_check = move |only: Option<FindingId>| {
        if check.with_untracked(Check::running) {
            return;
        }
        let ids: Vec<FindingId> = items.with_untracked(|items| match items {
            Some(Ok(list)) => list
                .iter()
                .filter(|record| record.status() == FindingStatus::Fixed && checkable(record))
                .filter(|record| only.is_none_or(|only| record.id == only))
                .map(|record| record.id)
                .collect(),
            _ => Vec::new(),
        });
        if ids.is_empty() {
            start_error.set(Some(
                "Nothing is waiting to be checked: every item here is proven fixed already."
                    .to_owned(),
            ));
            return;
        }
        start_error.set(None);
        checked.set(ids.clone());
        check.set(Check {
            state: Some(RunState::Running),
            ..Check::default()
        });
        spawn_local(async move {
            let started = async {
                let settings = ipc::invoke::<VerificationSettings>(&ids).await?;
                ipc::stream::<ScanStart>(&settings, move |update| {
                    let over = !matches!(update.state, RunState::Running);
                    check.update(|check| check.apply(update));
                    if over {
                        reload();
                    }
                })
                .await
            };
            match started.await {
                Ok((run, kept)) => {
                    check.update(|check| check.run = Some(run));
                    stream.set_value(Some(kept));
                }
                Err(error) => {
                    check.set(Check::default());
                    start_error.set(Some(format!(
                        "The check could not start. {}",
                        sentence(&error.message)
                    )));
                }
            }
        });
    };
    let start = move |_| start_check(None);
    // Asked from the Fix step: start at once, when the list is in.
    let asked = StoredValue::new(only);
    Effect::new(move |_| {
        let loaded = items.with(|items| matches!(items, Some(Ok(_))));
        if loaded && let Some(finding) = asked.get_value() {
            asked.set_value(None);
            start_check(Some(finding));
        }
    });
    let cancel = move |_| {
        if let Some(run) = check.with_untracked(|check| check.run) {
            spawn_local(async move {
                if let Err(error) = ipc::invoke::<ScanCancel>(&run).await {
                    check.update(|check| check.error = Some(error.message));
                }
            });
        }
    };
    // The button that starts the check hides while it runs: the focus moves
    // to the check's heading, so a keyboard user goes on from there (Tab
    // reaches Cancel) instead of from the top of the window. Once per
    // check, not at each update, or it would leave Cancel.
    let check_heading = NodeRef::<html::H2>::new();
    let check_started =
        Memo::new(move |_| check.with(|check| check.state == Some(RunState::Running)));
    Effect::new(move |_| {
        if let (true, Some(heading)) = (check_started.get(), check_heading.get()) {
            // Focusing an element with a tabindex does not fail.
            let _ = heading.focus();
        }
    });
    let navigate = use_navigate();
    let go_on = move |_| {
        state.go_to(WizardStep::Done);
        navigate(&step_path(WizardStep::Done), Default::default());
    };
    let waiting = move || {
        items.with(|items| match items {
            Some(Ok(list)) => list
                .iter()
                .filter(|record| record.status() == FindingStatus::Fixed && checkable(record))
                .count(),
            _ => 0,
        })
    };

    view! {
        <p class="lead">
            "Portcullis scans again exactly the addresses and ports of what you fixed. Each item turns green when the scan no longer finds the problem."
        </p>
        {move || match items.get() {
            None => view! { <p class="muted">"Loading what to check…"</p> }.into_any(),
            Some(Err(error)) => {
                view! {
                    <p class="form-error" role="alert">
                        "What to check could not be loaded. "
                        {sentence(&error.message)}
                    </p>
                }
                    .into_any()
            }
            Some(Ok(list)) if list.is_empty() => {
                view! {
                    <EmptyState
                        title="Nothing to check"
                        message="You have not reported anything fixed. Answer \"we don't need this\" in Review for what you close, or go on to see where you stand."
                    />
                }
                    .into_any()
            }
            Some(Ok(list)) => {
                view! {
                    <ul class="verify-list" data-test="verify-items">
                        {list.into_iter().map(item_view).collect_view()}
                    </ul>
                }
                    .into_any()
            }
        }}
        {move || {
            start_error
                .get()
                .map(|message| view! { <p class="form-error" role="alert" data-test="verify-error">{message}</p> })
        }}
        <Show when=move || check.with(|check| check.state.is_some())>
            <section class="card" data-test="verify-scan">
                <h2
                    class="card-title"
                    node_ref=check_heading
                    tabindex="-1"
                    data-test="verify-scan-heading"
                >
                    "Checking"
                </h2>
                <ProgressBar
                    label="Check progress"
                    percent=Signal::derive(move || check.with(|check| check.percent))
                >
                    <Show when=move || check.with(Check::running)>
                        <button class="button" type="button" on:click=cancel data-test="verify-cancel">
                            "Cancel"
                        </button>
                    </Show>
                </ProgressBar>
                <p role="status" data-test="verify-outcome">
                    {move || {
                        check
                            .with(|check| match check.state {
                                None | Some(RunState::Running) => {
                                    "The scan is running. You can cancel it; what it found so far is kept."
                                        .to_owned()
                                }
                                Some(RunState::Finished) => {
                                    "The check is finished: the list above shows each result."
                                        .to_owned()
                                }
                                Some(RunState::Cancelled) => {
                                    "The check was cancelled, so it proves nothing yet: check again when you are ready."
                                        .to_owned()
                                }
                                Some(RunState::Failed) => format!(
                                    "The check stopped: {}",
                                    sentence(check.error.as_deref().unwrap_or("no reason given"))
                                ),
                            })
                    }}
                </p>
            </section>
        </Show>
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Fix)>
                "Back"
            </a>
            <Show when=move || { waiting() > 0 && !check.with(Check::running) }>
                <button class="button primary" type="button" on:click=start data-test="verify-start">
                    {move || match waiting() {
                        1 => "Check 1 item now".to_owned(),
                        count => format!("Check {count} items now"),
                    }}
                </button>
            </Show>
            <button class="button" class:primary=move || waiting() == 0 type="button" on:click=go_on data-test="wizard-next">
                "Continue to Done"
            </button>
        </div>
    }
}

/// The findings reported or proven fixed, and those sent to the check.
async fn load_items(checked: Vec<FindingId>) -> Result<Vec<FindingRecord>, AppError> {
    let every = ipc::invoke::<FindingsList>(&FindingFilter::default()).await?;
    Ok(every
        .into_iter()
        .filter(|record| {
            matches!(
                record.status(),
                FindingStatus::Fixed | FindingStatus::Verified
            ) || checked.contains(&record.id)
        })
        .collect())
}

fn item_view(record: FindingRecord) -> impl IntoView {
    let outcome = outcome_of(&record.state);
    let can_check = checkable(&record);
    let finding = record.finding;
    let (key, icon, words) = match &outcome {
        Outcome::Proven { by_scan } => {
            ("proven", "✓", format!("Verified fixed by scan {by_scan}."))
        }
        Outcome::StillThere => (
            "still-there",
            "✕",
            "Still found: the scan saw the same problem again.".to_owned(),
        ),
        Outcome::NotChecked if !can_check => (
            "waiting",
            "…",
            "A scan of one port cannot prove this one; your next full scan will.".to_owned(),
        ),
        Outcome::NotChecked => (
            "waiting",
            "…",
            "Reported fixed, not checked yet.".to_owned(),
        ),
    };
    let next = (outcome == Outcome::StillThere).then(|| {
        view! {
            <p>
                <strong>"What to try next: "</strong>
                "make sure the change was saved and the program or firewall was restarted, on the machine at this address; if the port must stay, answer \"we need this\" in Review instead. "
                {finding.remedy.to_string()}
            </p>
        }
    });
    view! {
        <li class="verify-item" data-outcome=key data-test="verify-item">
            <span class="verify-icon" aria-hidden="true">{icon}</span>
            <div>
                <strong>{finding.title.to_string()}</strong>
                <p class="verify-words">{words}</p>
                {next}
            </div>
        </li>
    }
}
