//! "Keep watching": the schedules monitoring runs by, a form to add one,
//! and a check run now.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::AppError;
use portcullis_model::commands::{
    Empty, MonitorNow, ScheduleAdd, ScheduleRemove, SchedulesList, SystemNames,
};
use portcullis_model::compliance::Scope;
use portcullis_model::ids::{ScheduleId, SystemId};
use portcullis_model::listing::SystemName;
use portcullis_model::monitor::{
    Cadence, MonitorTarget, POLITE_RATE, RunOutcome, Schedule, ScheduleInput, TimeWindow,
};

use crate::components::{Card, EmptyState, LazyOptions};
use crate::ipc;
use crate::text::{local_time, sentence};

#[component]
pub fn WatchCard(refresh: Signal<(u32, u32)>, changed: RwSignal<u32>) -> impl IntoView {
    let schedules = LocalResource::new(move || {
        refresh.track();
        async { ipc::invoke::<SchedulesList>(&Empty::default()).await }
    });
    let remove = move |id: ScheduleId| {
        spawn_local(async move {
            if ipc::invoke::<ScheduleRemove>(&id).await.is_ok() {
                changed.update(|count| *count += 1);
            }
        });
    };
    view! {
        <Card title="Keep watching">
            <p>
                "Between your quarterly scans, Portcullis can check your systems on a schedule while it is open, and tell you the day a port opens. Pick quiet hours, and a gentle pace, so your shop's servers are not disturbed."
            </p>
            {move || match schedules.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(failure)) => {
                    view! { <p class="field-error">{sentence(&failure.message)}</p> }.into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No schedule yet"
                            message="Add one below: a daily check at night suits most shops."
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="schedule-list" data-test="schedules">
                            {list.into_iter().map(|schedule| schedule_item(schedule, remove)).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
            <ScheduleForm changed />
            <CheckNow changed />
        </Card>
    }
}

fn schedule_item(
    schedule: Schedule,
    remove: impl Fn(ScheduleId) + Copy + 'static,
) -> impl IntoView {
    let id = schedule.id;
    let last = schedule.last_run.as_ref().map_or_else(
        || "It has not run yet.".to_owned(),
        |run| {
            format!(
                "Last check {}: {}.",
                local_time(run.started_at),
                outcome_words(&run.outcome)
            )
        },
    );
    view! {
        <li class="schedule-item" data-test="schedule">
            <div>
                <p class="schedule-what">
                    {format!(
                        "{}: {}, {}, at most {} probes a second.",
                        capitalised(&schedule.target_name),
                        cadence_words(schedule.cadence),
                        window_words(schedule.window),
                        schedule.rate,
                    )}
                </p>
                <p class="muted">{last} " " {format!("Next check {}.", local_time(schedule.next_run))}</p>
            </div>
            <button class="button" data-test="schedule-remove" on:click=move |_| remove(id)>
                "Stop"
            </button>
        </li>
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn cadence_words(cadence: Cadence) -> &'static str {
    match cadence {
        Cadence::Hourly => "every hour",
        Cadence::Daily => "every day",
        Cadence::Weekly => "every Monday",
    }
}

fn window_words(window: TimeWindow) -> String {
    match (window.is_all_day(), window.from) {
        (true, _) => "at any hour".to_owned(),
        (false, from) => format!("between {from:02}:00 and {:02}:00", window.to),
    }
}

fn outcome_words(outcome: &RunOutcome) -> String {
    match outcome {
        RunOutcome::Running => "running".to_owned(),
        RunOutcome::Clear => "nothing changed".to_owned(),
        RunOutcome::Drift { alerts: 1 } => "1 change found".to_owned(),
        RunOutcome::Drift { alerts } => format!("{alerts} changes found"),
        RunOutcome::Failed { reason } => format!("it could not scan ({})", reason),
    }
}

/// What the form's "what" select holds: every system in scope, or one.
const IN_SCOPE: &str = "in-scope";

#[component]
fn ScheduleForm(changed: RwSignal<u32>) -> impl IntoView {
    let lazy = LazyOptions::new();
    // The names wait for the person to reach for the select: loading
    // thousands of them with the page would slow the dashboard's first paint.
    let systems = LocalResource::new(move || {
        let reached = lazy.reached();
        async move {
            if reached {
                ipc::invoke::<SystemNames>(&Empty::default()).await
            } else {
                Ok(Vec::new())
            }
        }
    });
    let target = RwSignal::new(IN_SCOPE.to_owned());
    let options = Signal::derive(move || {
        systems
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .iter()
            .map(system_option)
            .collect::<Vec<_>>()
    });
    let cadence = RwSignal::new(Cadence::Daily);
    let from = RwSignal::new(2_u8);
    let to = RwSignal::new(5_u8);
    let rate = RwSignal::new(POLITE_RATE.to_string());
    let errors = RwSignal::new(Vec::<(String, String)>::new());
    let saving = RwSignal::new(false);
    let error_for = move |field: &'static str| {
        move || {
            errors
                .get()
                .into_iter()
                .find(|(name, _)| name == field)
                .map(|(_, message)| {
                    view! { <p class="field-error" id=format!("schedule-{field}-error") data-test=format!("error-schedule-{field}")>{message}</p> }
                })
        }
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let Ok(rate) = rate.get_untracked().trim().parse::<u32>() else {
            errors.set(vec![(
                "rate".to_owned(),
                "Give the pace as a whole number of probes a second, such as 100.".to_owned(),
            )]);
            return;
        };
        let target = match target.get_untracked().parse::<i64>() {
            Ok(id) => MonitorTarget::System(SystemId(id)),
            Err(_) => MonitorTarget::InScope,
        };
        let input = ScheduleInput {
            target,
            cadence: cadence.get_untracked(),
            window: TimeWindow {
                from: from.get_untracked(),
                to: to.get_untracked(),
            },
            rate,
        };
        saving.set(true);
        spawn_local(async move {
            let answer = ipc::invoke::<ScheduleAdd>(&input).await;
            saving.set(false);
            match answer {
                Ok(_) => {
                    errors.set(Vec::new());
                    changed.update(|count| *count += 1);
                }
                Err(failure) => errors.set(vec![field_error(failure)]),
            }
        });
    };
    view! {
        <form class="schedule-form" data-test="schedule-form" novalidate=true on:submit=submit>
            <h3 class="subheading">"Add a schedule"</h3>
            <div class="form-row">
                <div class="field">
                    <label for="schedule-target">"What to check"</label>
                    <select
                        id="schedule-target"
                        data-test="schedule-target"
                        on:focus=move |_| lazy.reach()
                        on:pointerenter=move |_| lazy.reach()
                        on:change=move |event| target.set(event_target_value(&event))
                    >
                        <option value=IN_SCOPE>"Every system in scope"</option>
                        {lazy.view(options, target.into())}
                    </select>
                    {error_for("target")}
                </div>
                <div class="field">
                    <label for="schedule-cadence">"How often"</label>
                    <select
                        id="schedule-cadence"
                        data-test="schedule-cadence"
                        on:change=move |event| {
                            if let Some(chosen) = Cadence::from_id(&event_target_value(&event)) {
                                cadence.set(chosen);
                            }
                        }
                    >
                        <option value="hourly">"Every hour"</option>
                        <option value="daily" selected=true>"Every day"</option>
                        <option value="weekly">"Every Monday"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="schedule-from">"From"</label>
                    <select id="schedule-from" data-test="schedule-from" aria-describedby="schedule-window-hint" on:change=move |event| {
                        if let Ok(hour) = event_target_value(&event).parse() { from.set(hour) }
                    }>
                        {hour_options(2)}
                    </select>
                </div>
                <div class="field">
                    <label for="schedule-to">"Until"</label>
                    <select id="schedule-to" data-test="schedule-to" aria-describedby="schedule-window-hint" on:change=move |event| {
                        if let Ok(hour) = event_target_value(&event).parse() { to.set(hour) }
                    }>
                        {hour_options(5)}
                    </select>
                    {error_for("window")}
                </div>
                <div class="field">
                    <label for="schedule-rate">"Probes a second, at most"</label>
                    <input
                        id="schedule-rate"
                        data-test="schedule-rate"
                        type="number"
                        min="1"
                        inputmode="numeric"
                        prop:value=move || rate.get()
                        on:input=move |event| rate.set(event_target_value(&event))
                        aria-describedby="schedule-rate-error"
                    />
                    {error_for("rate")}
                </div>
            </div>
            <p class="hint muted" id="schedule-window-hint">
                "Checks start between these hours on this computer's clock; the same hour twice means any time. If the computer was asleep or Portcullis closed, one check runs when it is back, not one for each missed."
            </p>
            <div class="actions">
                <button class="button primary" type="submit" data-test="schedule-add" disabled=move || saving.get()>
                    {move || if saving.get() { "Saving…" } else { "Start watching" }}
                </button>
            </div>
        </form>
    }
}

fn field_error(failure: AppError) -> (String, String) {
    let field = failure.field.clone().unwrap_or_else(|| "target".to_owned());
    (field, sentence(&failure.message))
}

/// A system as the form's option: its id, and its name with "(out of
/// scope)" when it is.
fn system_option(system: &SystemName) -> (String, String) {
    let scope = match system.scope {
        Scope::OutOfScope => " (out of scope)",
        _ => "",
    };
    (
        system.id.get().to_string(),
        format!("{}{scope}", system.name),
    )
}

fn hour_options(selected: u8) -> impl IntoView {
    (0_u8..24)
        .map(|hour| {
            view! {
                <option value=hour.to_string() selected=hour == selected>
                    {format!("{hour:02}:00")}
                </option>
            }
        })
        .collect_view()
}

/// Where a check run now stands.
#[derive(Debug, Clone, PartialEq)]
enum Checking {
    Idle,
    Running,
    /// How many changes it raised.
    Done(usize),
    Failed(String),
}

#[component]
fn CheckNow(changed: RwSignal<u32>) -> impl IntoView {
    let state = RwSignal::new(Checking::Idle);
    let run = move |_| {
        state.set(Checking::Running);
        spawn_local(async move {
            let answer = ipc::invoke::<MonitorNow>(&Empty::default()).await;
            state.set(match answer {
                Ok(outcome) => Checking::Done(outcome.drift.len()),
                Err(failure) => Checking::Failed(sentence(&failure.message)),
            });
            changed.update(|count| *count += 1);
        });
    };
    view! {
        <div class="check-now">
            <h3 class="subheading">"Check now"</h3>
            <p class="muted">"A quick check of every system in scope, the same a schedule runs."</p>
            <button
                class="button"
                data-test="monitor-now"
                disabled=move || state.get() == Checking::Running
                on:click=run
            >
                {move || if state.get() == Checking::Running { "Checking your systems…" } else { "Check now" }}
            </button>
            <p role="status" data-test="monitor-result">
                {move || match state.get() {
                    Checking::Idle | Checking::Running => String::new(),
                    Checking::Done(changes) => match changes {
                        0 => "Nothing changed that needs your attention.".to_owned(),
                        1 => "1 change needs your attention: see What changed above.".to_owned(),
                        count => format!("{count} changes need your attention: see What changed above."),
                    },
                    Checking::Failed(message) => message,
                }}
            </p>
        </div>
    }
}
