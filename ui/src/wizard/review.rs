//! Step 4, "Review": each decision as a card (what it is, what the ASV
//! will say, what the scan saw, which requirement), answered "we need
//! this" (why, who approves, until when), "we don't need this", or, for
//! what fails an ASV scan, a dispute with the ASV (on what grounds, with
//! what evidence, who submits it): no business need passes a failure.
//!
//! Answers live on the findings in the backend (accepted or reported
//! fixed), so coming back shows them again: the cards are reloaded from
//! `review`, and findings already reported fixed (which no longer stand)
//! from `findings_list`. A card is updated in place from the records an
//! answer returns, so the page does not rebuild under the keyboard.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_model::commands::{
    Empty, FindingAccept, FindingDispute, FindingFixed, FindingsList, ReviewCommand,
};
use portcullis_model::compliance::{
    DisputeKind, FindingRecord, FindingState, FindingStatus, Verdict,
};
use portcullis_model::judgement::FindingFilter;
use portcullis_model::requests::{FindingAcceptance, FindingDisputal};
use portcullis_model::review::{DecisionSubject, ReviewCard};
use portcullis_model::wizard::WizardStep;
use portcullis_model::{AppError, FindingId};

use super::{WizardState, step_path};
use crate::components::field::{described_by, error_line};
use crate::components::{Badge, BadgeLevel, Field, Toasts};
use crate::dates::{date_in_days, decode_until};
use crate::ipc;
use crate::text::sentence;

/// How long an acceptance holds unless the merchant says otherwise.
const DEFAULT_TERM_DAYS: u32 = 90;

/// A business need as the card says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Need {
    justification: String,
    approver: String,
    until: String,
}

/// Where a decision stands, from its findings' states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Answer {
    /// No answer yet (or answers that disagree).
    Unanswered,
    /// "We need this", for every finding of the card.
    Kept {
        justification: String,
        approver: String,
        until: String,
    },
    /// Every finding that fails an ASV scan disputed with the ASV; the
    /// card's other findings (the port itself, say) kept as a business
    /// need, or still waiting for it.
    Disputed {
        grounds: &'static str,
        evidence: String,
        submitted_by: String,
        until: String,
        /// The business need for the rest of the card, once stated.
        kept: Option<Need>,
        /// Whether the rest of the card still waits for its answer.
        rest_unanswered: bool,
    },
    /// "We don't need this": reported fixed (or already proven fixed).
    Closing,
}

pub(super) fn answer_of(findings: &[FindingRecord]) -> Answer {
    if findings.is_empty() {
        return Answer::Unanswered;
    }
    if findings.iter().all(|record| {
        matches!(
            record.status(),
            FindingStatus::Fixed | FindingStatus::Verified
        )
    }) {
        return Answer::Closing;
    }
    // What fails an ASV scan is settled by a dispute, the rest by a
    // business need: each part is answered when all of it is.
    let (failing, rest): (Vec<_>, Vec<_>) = findings
        .iter()
        .partition(|record| record.finding.severity.fails_asv_scan());
    let need = need_of(&rest);
    if failing.is_empty() {
        return need.map_or(Answer::Unanswered, |need| Answer::Kept {
            justification: need.justification,
            approver: need.approver,
            until: need.until,
        });
    }
    match &failing[0].state {
        FindingState::Disputed(dispute)
            if failing
                .iter()
                .all(|record| record.status() == FindingStatus::Disputed) =>
        {
            Answer::Disputed {
                grounds: dispute.kind.words(),
                evidence: dispute.evidence.clone(),
                submitted_by: dispute.submitted_by.clone(),
                until: dispute.until.format("%-d %B %Y").to_string(),
                rest_unanswered: !rest.is_empty() && need.is_none(),
                kept: need,
            }
        }
        _ => Answer::Unanswered,
    }
}

/// The business need every one of `findings` is kept for, if they all are.
fn need_of(findings: &[&FindingRecord]) -> Option<Need> {
    let FindingState::Accepted(need) = &findings.first()?.state else {
        return None;
    };
    findings
        .iter()
        .all(|record| record.status() == FindingStatus::Accepted)
        .then(|| Need {
            justification: need.justification.clone(),
            approver: need.approver.clone(),
            until: need.until.format("%-d %B %Y").to_string(),
        })
}

/// Whether a card waits for the merchant's answer: a recurring task of
/// the programme is settled by doing it, not by an answer here.
pub(super) fn awaits_answer(card: &ReviewCard) -> bool {
    subject_kind(&card.group.subject) != SubjectKind::Programme
        && answer_of(&card.group.findings) == Answer::Unanswered
}

/// Whether a stated reason says too little for an assessor to check:
/// fewer than four words, or only words that could justify anything.
pub(super) fn is_vague(reason: &str) -> bool {
    const EMPTY_WORDS: &[&str] = &[
        "needed",
        "need",
        "needs",
        "business",
        "n/a",
        "na",
        "none",
        "required",
        "requirement",
        "necessary",
        "yes",
        "ok",
        "important",
        "it",
        "is",
        "we",
        "it's",
        "for",
        "the",
        "a",
        "because",
        "use",
        "used",
        "-",
    ];
    let words: Vec<String> = reason
        .split_whitespace()
        .map(|word| {
            word.trim_matches(|c: char| !c.is_alphanumeric() && c != '/')
                .to_lowercase()
        })
        .filter(|word| !word.is_empty())
        .collect();
    words.len() < 4
        || words
            .iter()
            .all(|word| EMPTY_WORDS.contains(&word.as_str()))
}

/// The backend's message for a field, without the "finding 12: " it
/// leads with.
pub(super) fn field_message(error: &AppError) -> String {
    let message = error.message.as_str();
    let message = match message.split_once(": ") {
        Some((lead, rest)) if lead.starts_with("finding ") => rest,
        _ => message,
    };
    sentence(message)
}

/// Whether "We need this" is the answer still wanted: on a card where
/// nothing fails, until it is answered; where something fails, once that
/// is disputed (no business need passes a failure).
fn needs_reason(answer: &Answer, fails: bool) -> bool {
    match answer {
        Answer::Unanswered => !fails,
        Answer::Disputed {
            rest_unanswered, ..
        } => *rest_unanswered,
        Answer::Kept { .. } | Answer::Closing => false,
    }
}

/// The badge a card shows: what the ASV will say now, or what the answer
/// given makes of it.
fn level_of(verdict: Verdict, answer: &Answer) -> BadgeLevel {
    match answer {
        // An acceptance counts for nothing while it holds; a port to
        // close fails until the rescan shows it closed.
        Answer::Kept { .. } => BadgeLevel::Fine,
        Answer::Disputed {
            rest_unanswered: true,
            ..
        } => BadgeLevel::NeedsReason,
        Answer::Disputed { .. } => BadgeLevel::Disputed,
        Answer::Closing | Answer::Unanswered => BadgeLevel::from(verdict),
    }
}

pub(super) async fn load_fixed() -> Result<Vec<FindingRecord>, AppError> {
    ipc::invoke::<FindingsList>(&FindingFilter {
        status: Some(FindingStatus::Fixed),
        ..FindingFilter::default()
    })
    .await
}

/// A card as the page keeps it: updated in place by the answers.
#[derive(Clone, Copy)]
struct LiveCard {
    key: StoredValue<String>,
    card: RwSignal<ReviewCard>,
}

#[component]
pub fn ReviewStep() -> impl IntoView {
    let state = WizardState::from_context();
    let cards = RwSignal::new(None::<Result<Vec<LiveCard>, AppError>>);
    let fixed_before = RwSignal::new(Vec::<FindingRecord>::new());
    // The approver typed last, offered again on the next card.
    let approver = RwSignal::new(String::new());
    spawn_local(async move {
        let loaded = ipc::invoke::<ReviewCommand>(&Empty::default()).await;
        if let Ok(fixed) = load_fixed().await {
            fixed_before.set(fixed);
        }
        if let Ok(list) = &loaded
            && let Some(name) =
                list.iter()
                    .flat_map(|card| &card.group.findings)
                    .find_map(|record| match &record.state {
                        FindingState::Accepted(need) => Some(need.approver.clone()),
                        FindingState::Disputed(dispute) => Some(dispute.submitted_by.clone()),
                        _ => None,
                    })
        {
            approver.set(name);
        }
        cards.set(Some(loaded.map(|list| {
            list.into_iter()
                .map(|card| LiveCard {
                    key: StoredValue::new(card.key.clone()),
                    card: RwSignal::new(card),
                })
                .collect()
        })));
    });

    let unanswered = move || {
        cards.with(|cards| match cards {
            Some(Ok(list)) => list
                .iter()
                .filter(|live| live.card.with(awaits_answer))
                .count(),
            _ => 0,
        })
    };
    let navigate = use_navigate();
    let go_on = move |_| {
        state.go_to(WizardStep::Fix);
        navigate(&step_path(WizardStep::Fix), Default::default());
    };

    let from_import =
        use_query_map().with_untracked(|query| query.get("from").as_deref() == Some("import"));
    let lead = match from_import {
        true => {
            "Here is what the report you brought in found, with anything your own scans found before. Let us walk through each: every card below is one decision, and findings that one action settles are grouped, so you answer once for all of them."
        }
        false => {
            "Each card below is one decision. Findings that one action settles are grouped together, so you answer once for all of them."
        }
    };
    view! {
        <p class="lead" data-test="review-lead">{lead}</p>
        {move || match cards.get() {
            None => view! { <p class="muted">"Loading what the scan found…"</p> }.into_any(),
            Some(Err(error)) => {
                view! {
                    <p class="form-error" role="alert">
                        "What the scan found could not be loaded. "
                        {sentence(&error.message)}
                    </p>
                }
                    .into_any()
            }
            Some(Ok(list)) if list.is_empty() && fixed_before.with(Vec::is_empty) => {
                view! {
                    <crate::components::EmptyState
                        title="Nothing to decide"
                        message="The scan found nothing that needs an answer from you. Go on to see where you stand."
                    />
                }
                    .into_any()
            }
            Some(Ok(list)) => {
                view! {
                    <p data-test="review-count" aria-live="polite">
                        {move || match unanswered() {
                            0 => "Every decision has an answer.".to_owned(),
                            1 => "1 decision still needs your answer.".to_owned(),
                            left => format!("{left} decisions still need your answer."),
                        }}
                    </p>
                    <ul class="decision-list" data-test="review-cards">
                        <For
                            each=move || list.clone()
                            key=|live| live.key.get_value()
                            children=move |live| view! { <li><DecisionCard card=live.card approver /></li> }
                        />
                    </ul>
                }
                    .into_any()
            }
        }}
        <FixedBefore fixed=fixed_before />
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Scan)>
                "Back"
            </a>
            <button class="button primary" type="button" on:click=go_on data-test="wizard-next">
                "Continue to Fix"
            </button>
        </div>
    }
}

/// Findings reported fixed in an earlier session: they no longer stand,
/// so `review` leaves them out, but the merchant should see the answer.
#[component]
fn FixedBefore(fixed: RwSignal<Vec<FindingRecord>>) -> impl IntoView {
    move || {
        let list = fixed.get();
        (!list.is_empty()).then(|| {
            view! {
                <section class="card" data-test="review-closing">
                    <h2 class="card-title">"You said you will close or fix these"</h2>
                    <p class="muted">
                        "The Fix step shows what to do, and the Verify step checks them with a new scan."
                    </p>
                    <ul>
                        {list
                            .into_iter()
                            .map(|record| view! { <li>{record.finding.title.to_string()}</li> })
                            .collect_view()}
                    </ul>
                </section>
            }
        })
    }
}

#[component]
pub(crate) fn DecisionCard(
    card: RwSignal<ReviewCard>,
    approver: RwSignal<String>,
) -> impl IntoView {
    let toasts = Toasts::from_context();
    let (key, title, summary, acceptable, disputable, subject) = card.with_untracked(|card| {
        (
            card.key.clone(),
            card.title.clone(),
            card.summary.clone(),
            card.group.acceptable,
            card.group.disputable,
            card.group.subject.clone(),
        )
    });
    let answer = Memo::new(move |_| card.with(|card| answer_of(&card.group.findings)));
    let verdict = card.with_untracked(|card| card.group.verdict);
    let fails = card.with_untracked(|card| {
        card.group
            .findings
            .iter()
            .any(|record| record.finding.severity.fails_asv_scan())
    });
    let form_open = RwSignal::new(false);
    let dispute_open = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let status_line = NodeRef::<html::P>::new();
    let heading_id = format!("card-{}", slug(&key));

    let focus_status = move || {
        if let Some(line) = status_line.get_untracked() {
            let _ = line.focus();
        }
    };

    // "We don't need this": every finding not yet reported fixed.
    let close_it = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let ids: Vec<_> = card.with_untracked(|card| {
            card.group
                .findings
                .iter()
                .filter(|record| still_stands(record))
                .map(|record| record.id)
                .collect()
        });
        spawn_local(async move {
            for id in ids {
                match ipc::invoke::<FindingFixed>(&id).await {
                    Ok(record) => replace(card, record),
                    Err(error) => {
                        toasts.error(format!(
                            "Your answer could not be saved: {}",
                            field_message(&error)
                        ));
                        break;
                    }
                }
            }
            busy.set(false);
            form_open.set(false);
            focus_status();
        });
    };

    let (close_words, close_detail) = close_words(&subject);
    let programme = subject_kind(&subject) == SubjectKind::Programme;
    let status_words = move || {
        match answer.get() {
        Answer::Unanswered if programme => {
            "Nothing to answer here: doing the task settles it. The Done step says when it is due."
                .to_owned()
        }
        Answer::Unanswered => "Your answer: not given yet.".to_owned(),
        Answer::Kept {
            justification,
            approver,
            until,
        } => format!(
            "Your answer: we need this. Why: \"{justification}\". Approved by {approver} until {until}."
        ),
        Answer::Disputed {
            grounds,
            evidence,
            submitted_by,
            until,
            kept,
            rest_unanswered,
        } => {
            let mut words = format!(
                "Your answer: we dispute what fails with our ASV as a {grounds}. Evidence: \"{evidence}\". Submitted by {submitted_by}, until {until}. Send it to your ASV with the scan report: it passes only if they accept it."
            );
            if let Some(Need { justification, approver, until }) = kept {
                words.push_str(&format!(
                    " We need the port: \"{justification}\". Approved by {approver} until {until}."
                ));
            }
            if rest_unanswered {
                words.push_str(" The port itself still needs a stated business need, or closing.");
            }
            words
        }
        Answer::Closing => {
            "Your answer: we don't need this. The Fix step shows how, and the Verify step checks it."
                .to_owned()
        }
    }
    };

    let labelled_by = heading_id.clone();
    view! {
        <section class="card decision" aria-labelledby=labelled_by data-test="review-card" data-key=key>
            <h2 class="card-title" id=heading_id>{title}</h2>
            {move || view! { <Badge level=level_of(verdict, &answer.get()) /> }}
            <p>{summary}</p>
            <Findings card />
            <p
                class="answer-status"
                node_ref=status_line
                tabindex="-1"
                data-answer=move || match answer.get() {
                    Answer::Unanswered => "none",
                    Answer::Kept { .. } => "kept",
                    Answer::Disputed { rest_unanswered: true, .. } => "disputed-needs-reason",
                    Answer::Disputed { .. } => "disputed",
                    Answer::Closing => "closing",
                }
                data-test="answer-status"
            >
                {status_words}
            </p>
            <Show when=move || !programme && !form_open.get() && !dispute_open.get()>
                // "We need this" until an answer is given; closing stays
                // offered after an approval, so a merchant can change
                // their mind (a port reported closed is settled until a
                // scan finds it open again).
                <div class="actions">
                    <Show when=move || acceptable && needs_reason(&answer.get(), fails)>
                        <button
                            class="button"
                            type="button"
                            on:click=move |_| form_open.set(true)
                            data-test="answer-need"
                        >
                            "We need this"
                        </button>
                    </Show>
                    <Show when=move || disputable && answer.get() == Answer::Unanswered>
                        <button
                            class="button"
                            type="button"
                            on:click=move |_| dispute_open.set(true)
                            data-test="answer-dispute"
                        >
                            "The scan is wrong, or we have another safeguard"
                        </button>
                    </Show>
                    <Show when=move || answer.get() != Answer::Closing>
                        <button
                            class="button"
                            type="button"
                            aria-disabled=move || busy.get().then_some("true")
                            on:click=close_it
                            data-test="answer-close"
                        >
                            {close_words}
                        </button>
                    </Show>
                </div>
                <Show when=move || answer.get() != Answer::Closing>
                    <p class="hint">{close_detail}</p>
                </Show>
            </Show>
            <Show when=move || form_open.get()>
                <NeedForm card approver form_open on_saved=move || focus_status() />
            </Show>
            <Show when=move || dispute_open.get()>
                <DisputeForm card approver form_open=dispute_open on_saved=move || focus_status() />
            </Show>
        </section>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectKind {
    Port,
    Update,
    Settings,
    Host,
    Programme,
}

fn subject_kind(subject: &DecisionSubject) -> SubjectKind {
    match subject {
        DecisionSubject::Port { .. } => SubjectKind::Port,
        DecisionSubject::Update { .. } => SubjectKind::Update,
        DecisionSubject::Settings { .. } => SubjectKind::Settings,
        DecisionSubject::Host { .. } => SubjectKind::Host,
        DecisionSubject::Programme { .. } => SubjectKind::Programme,
    }
}

/// The "we don't need this" button's words for what the card is about,
/// and one line on what pressing it means.
fn close_words(subject: &DecisionSubject) -> (&'static str, &'static str) {
    match subject_kind(subject) {
        SubjectKind::Port => (
            "We don't need this: close it",
            "Closing it means switching off the program behind the port or blocking the port in the firewall. The Fix step shows how.",
        ),
        SubjectKind::Update => (
            "We will update it",
            "Install the maker's update; the Fix step says what to update, and the Verify step checks the version again.",
        ),
        SubjectKind::Settings => (
            "We will change these settings",
            "The Fix step says which settings to change; the Verify step checks them again.",
        ),
        SubjectKind::Host | SubjectKind::Programme => (
            "We will deal with it",
            "Register the machine as one of your systems, or switch it off if nobody knows it.",
        ),
    }
}

/// Each finding of a card: what it is, why it matters, what to do, which
/// requirement, and what the scan saw (as text).
#[component]
fn Findings(card: RwSignal<ReviewCard>) -> impl IntoView {
    let findings = card.with_untracked(|card| card.group.findings.clone());
    let many = findings.len() > 1;
    let items = findings
        .into_iter()
        .map(|record| {
            let finding = record.finding;
            let requirements = finding.requirements.join(", ");
            let requirement_words = if finding.requirements.len() == 1 {
                format!("PCI DSS requirement {requirements}")
            } else {
                format!("PCI DSS requirements {requirements}")
            };
            let evidence = finding.evidence.clone();
            view! {
                <li class="finding" data-test="finding">
                    {many.then(|| view! { <h3>{finding.title.to_string()}</h3> })}
                    <p>{finding.explanation.to_string()}</p>
                    <p>
                        <strong>"What to do: "</strong>
                        // The commands a remedy quotes read as code; the Fix
                        // step gives them Copy buttons.
                        {super::fix::pieces(&finding.remedy)
                            .into_iter()
                            .map(|piece| match piece {
                                super::fix::Piece::Words(words) => words.into_any(),
                                super::fix::Piece::Command(command) => {
                                    view! { <code>{command}</code> }.into_any()
                                }
                            })
                            .collect_view()}
                    </p>
                    <p class="muted">{requirement_words}</p>
                    {(!evidence.trim().is_empty())
                        .then(|| {
                            view! {
                                <details class="evidence">
                                    <summary>"What the scan saw"</summary>
                                    <pre data-test="evidence">{evidence}</pre>
                                </details>
                            }
                        })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="finding-list">{items}</ul> }
}

/// "We need this": why, who approves, until when.
#[component]
fn NeedForm(
    card: RwSignal<ReviewCard>,
    approver: RwSignal<String>,
    form_open: RwSignal<bool>,
    /// Called when the form closes (saved or cancelled): the focus goes
    /// back to the card's answer.
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let toasts = Toasts::from_context();
    let key = card.with_untracked(|card| slug(&card.key));
    let why = RwSignal::new(String::new());
    let who = RwSignal::new(approver.get_untracked());
    let until = RwSignal::new(date_in_days(DEFAULT_TERM_DAYS));
    let error = RwSignal::new(None::<AppError>);
    let date_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let why_error = error_of(error, "justification");
    let who_error = error_of(error, "approver");
    let until_error =
        Signal::derive(move || date_error.get().or_else(|| error_of(error, "until").get()));
    let other_error = error_beside(error, &["justification", "approver", "until"]);
    let vague = move || why.with(|why| !why.trim().is_empty() && is_vague(why));
    let why_input = NodeRef::<html::Textarea>::new();
    Effect::new(move |_| {
        if let Some(input) = why_input.get() {
            let _ = input.focus();
        }
    });

    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        date_error.set(None);
        let until = match decode_until(&until.get_untracked()) {
            Ok(until) => until,
            Err(message) => {
                date_error.set(Some(message));
                return;
            }
        };
        let justification = why.get_untracked().trim().to_owned();
        let approved_by = who.get_untracked().trim().to_owned();
        let ids = standing_ids(card, |record| !record.finding.severity.fails_asv_scan());
        busy.set(true);
        spawn_local(async move {
            let mut failed = false;
            for id in ids {
                let request = FindingAcceptance {
                    id,
                    justification: justification.clone(),
                    approver: approved_by.clone(),
                    until: Some(until),
                };
                match ipc::invoke::<FindingAccept>(&request).await {
                    Ok((record, _)) => replace(card, record),
                    Err(problem) => {
                        error.set(Some(problem));
                        failed = true;
                        break;
                    }
                }
            }
            busy.set(false);
            if !failed {
                approver.set(approved_by);
                toasts.success("Saved: this port is in your approved inventory.");
                form_open.set(false);
                on_saved();
            }
        });
    };

    let why_id = format!("why-{key}");
    let nudge_id = format!("{why_id}-nudge");

    view! {
        <form class="need-form" on:submit=save data-test="need-form" novalidate>
            <h3>"Why your business needs this"</h3>
            <div class="field">
                <label for=why_id.clone()>"Why is it needed?"</label>
                <p class="hint" id=format!("{why_id}-hint")>
                    "Say who uses it, for what, and from where, so your assessor can check it. For example: \"Our web developer logs in here to update the shop, only from the office address.\""
                </p>
                <textarea
                    id=why_id.clone()
                    node_ref=why_input
                    rows="3"
                    prop:value=move || why.get()
                    on:input=move |event| why.set(event_target_value(&event))
                    aria-invalid=move || why_error.with(Option::is_some).then_some("true")
                    aria-describedby=described_by(&why_id, true, why_error, Some(Signal::derive(vague)))
                    data-test="field-justification"
                ></textarea>
                <Show when=vague>
                    <p class="nudge" id=nudge_id.clone() data-test="vague-nudge">
                        "That may be too short for your assessor: a reason like \"needed\" or \"business\" could justify anything. Add who uses it and for what."
                    </p>
                </Show>
                {error_line(why_id.clone(), why_error)}
            </div>
            <Field
                id=format!("who-{key}")
                label="Who approves it?"
                hint="The person who takes responsibility: usually the owner or manager."
                value=who
                error=who_error
                test="approver"
                autocomplete="name"
            />
            <Field
                id=format!("until-{key}")
                label="Until when?"
                hint=format!(
                    "{DEFAULT_TERM_DAYS} days from today unless you choose otherwise; Portcullis asks again then."
                )
                value=until
                error=until_error
                test="until"
                kind="date"
            />
            {move || other_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <FormActions
                save="Save: we need this"
                test="need"
                busy=busy
                form_open=form_open
                on_closed=on_saved
            />
        </form>
    }
}

/// The grounds a card's failures may be disputed on: the terminal
/// exception only where every one is about SSL or early TLS.
fn grounds_for(card: &ReviewCard) -> Vec<DisputeKind> {
    DisputeKind::ALL
        .into_iter()
        .filter(|kind| {
            card.group
                .findings
                .iter()
                .filter(|record| record.finding.severity.fails_asv_scan())
                .all(|record| kind.applies_to(record.finding.kind))
        })
        .collect()
}

/// One line on each ground, for the person choosing.
fn grounds_detail(kind: DisputeKind) -> &'static str {
    match kind {
        DisputeKind::FalsePositive => {
            "The scan is wrong: the problem is not there. Your ASV will ask for proof, such as the installed package version with the fix, or the setting that turns it off."
        }
        DisputeKind::CompensatingControl => {
            "The problem is there, but another safeguard protects it just as well, for example a firewall rule that lets only your payment provider reach it."
        }
        DisputeKind::PoiTerminalEarlyTls => {
            "Only card terminals (the machines customers pay at) use this old encryption, and their maker confirms no known attack reaches them (PCI DSS Appendix A2)."
        }
    }
}

/// A dispute with the ASV: on what grounds, with what evidence, who
/// submits it, until when.
#[component]
fn DisputeForm(
    card: RwSignal<ReviewCard>,
    approver: RwSignal<String>,
    form_open: RwSignal<bool>,
    /// Called when the form closes (saved or cancelled): the focus goes
    /// back to the card's answer.
    on_saved: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let toasts = Toasts::from_context();
    let key = card.with_untracked(|card| slug(&card.key));
    let grounds = card.with_untracked(grounds_for);
    let kind = RwSignal::new(None::<DisputeKind>);
    let evidence = RwSignal::new(String::new());
    let who = RwSignal::new(approver.get_untracked());
    let until = RwSignal::new(date_in_days(DEFAULT_TERM_DAYS));
    let error = RwSignal::new(None::<AppError>);
    let kind_error = RwSignal::new(None::<String>);
    let date_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let evidence_error = error_of(error, "evidence");
    let who_error = error_of(error, "submitted_by");
    let grounds_error =
        Signal::derive(move || kind_error.get().or_else(|| error_of(error, "kind").get()));
    let until_error =
        Signal::derive(move || date_error.get().or_else(|| error_of(error, "until").get()));
    let other_error = error_beside(error, &["evidence", "submitted_by", "kind", "until"]);
    // The form opens on its first question.
    let grounds_set = NodeRef::<html::Fieldset>::new();
    Effect::new(move |_| {
        if let Some(set) = grounds_set.get()
            && let Ok(Some(first)) = set.query_selector("input")
            && let Ok(first) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(first)
        {
            let _ = first.focus();
        }
    });

    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        kind_error.set(None);
        date_error.set(None);
        let Some(chosen) = kind.get_untracked() else {
            kind_error.set(Some("Choose why you dispute it.".to_owned()));
            return;
        };
        let until = match decode_until(&until.get_untracked()) {
            Ok(until) => until,
            Err(message) => {
                date_error.set(Some(message));
                return;
            }
        };
        let evidence_text = evidence.get_untracked().trim().to_owned();
        let submitted_by = who.get_untracked().trim().to_owned();
        let ids = standing_ids(card, |record| record.finding.severity.fails_asv_scan());
        busy.set(true);
        spawn_local(async move {
            let mut failed = false;
            for id in ids {
                let request = FindingDisputal {
                    id,
                    kind: chosen,
                    evidence: evidence_text.clone(),
                    submitted_by: submitted_by.clone(),
                    until: Some(until),
                };
                match ipc::invoke::<FindingDispute>(&request).await {
                    Ok(record) => replace(card, record),
                    Err(problem) => {
                        error.set(Some(problem));
                        failed = true;
                        break;
                    }
                }
            }
            busy.set(false);
            if !failed {
                approver.set(submitted_by);
                toasts.success("Saved: send this dispute to your ASV with your scan report.");
                form_open.set(false);
                on_saved();
            }
        });
    };

    let grounds_id = format!("grounds-{key}");
    let evidence_id = format!("evidence-{key}");
    let grounds_described = {
        let grounds_id = grounds_id.clone();
        move || {
            grounds_error
                .with(Option::is_some)
                .then(|| format!("{grounds_id}-error"))
        }
    };
    let choices = grounds
        .into_iter()
        .map(|ground| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name=grounds_id.clone()
                        prop:checked=move || kind.get() == Some(ground)
                        on:change=move |_| kind.set(Some(ground))
                        data-test=format!("grounds-{}", ground.id())
                    />
                    <span class="choice-text">
                        <strong>{sentence(ground.words())}</strong>
                        <span>{grounds_detail(ground)}</span>
                    </span>
                </label>
            }
        })
        .collect_view();

    view! {
        <form class="need-form" on:submit=save data-test="dispute-form" novalidate>
            <h3>"Dispute this with your ASV"</h3>
            <p class="hint">
                "No business reason makes your ASV pass this. If the scan is wrong, or another safeguard covers it, you can dispute it: your ASV (Approved Scanning Vendor) decides, and until they agree it still counts against you."
            </p>
            <fieldset
                class="choices"
                node_ref=grounds_set
                aria-describedby=grounds_described
                data-test="field-grounds"
            >
                <legend>"Why do you dispute it?"</legend>
                {choices}
                {error_line(grounds_id.clone(), grounds_error)}
            </fieldset>
            <div class="field">
                <label for=evidence_id.clone()>"What shows it?"</label>
                <p class="hint" id=format!("{evidence_id}-hint")>
                    "Say what your ASV can check: a version, a setting, a firewall rule, a letter from a maker. For example: \"The server runs openssl 3.0.15-1~deb12u1, which Debian fixed in DSA-5764.\""
                </p>
                <textarea
                    id=evidence_id.clone()
                    rows="3"
                    prop:value=move || evidence.get()
                    on:input=move |event| evidence.set(event_target_value(&event))
                    aria-invalid=move || evidence_error.with(Option::is_some).then_some("true")
                    aria-describedby=described_by(&evidence_id, true, evidence_error, None)
                    data-test="field-evidence"
                ></textarea>
                {error_line(evidence_id.clone(), evidence_error)}
            </div>
            <Field
                id=format!("by-{key}")
                label="Who sends it to the ASV?"
                hint="The person who answers for it: usually the owner or manager."
                value=who
                error=who_error
                test="submitted-by"
                autocomplete="name"
            />
            <Field
                id=format!("dispute-until-{key}")
                label="Until when?"
                hint=format!(
                    "{DEFAULT_TERM_DAYS} days from today, the next quarterly scan, unless you choose otherwise: a dispute is made again with each scan."
                )
                value=until
                error=until_error
                test="dispute-until"
                kind="date"
            />
            {move || other_error().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <FormActions
                save="Save the dispute"
                test="dispute"
                busy=busy
                form_open=form_open
                on_closed=on_saved
            />
        </form>
    }
}

/// A form's Save and Cancel (`<test>-save`, `<test>-cancel`); Cancel
/// closes the form as saving does.
#[component]
fn FormActions(
    save: &'static str,
    test: &'static str,
    busy: RwSignal<bool>,
    form_open: RwSignal<bool>,
    on_closed: impl Fn() + Copy + 'static,
) -> impl IntoView {
    view! {
        <div class="actions">
            <button
                class="button primary"
                type="submit"
                aria-disabled=move || busy.get().then_some("true")
                data-test=format!("{test}-save")
            >
                {save}
            </button>
            <button
                class="button quiet"
                type="button"
                on:click=move |_| {
                    form_open.set(false);
                    on_closed();
                }
                data-test=format!("{test}-cancel")
            >
                "Cancel"
            </button>
        </div>
    }
}

/// The backend's error about `field`, in the form's words.
fn error_of(error: RwSignal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|error| {
            error
                .as_ref()
                .filter(|error| error.field.as_deref() == Some(field))
                .map(field_message)
        })
    })
}

/// The backend's error when it is about none of the form's `fields`: it
/// shows under the whole form.
fn error_beside(
    error: RwSignal<Option<AppError>>,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<String> + Copy {
    move || {
        error.with(|error| {
            error
                .as_ref()
                .filter(|error| {
                    !error
                        .field
                        .as_deref()
                        .is_some_and(|field| fields.contains(&field))
                })
                .map(field_message)
        })
    }
}

/// The card's findings an answer still changes and `answers` is about.
fn standing_ids(
    card: RwSignal<ReviewCard>,
    answers: impl Fn(&FindingRecord) -> bool,
) -> Vec<FindingId> {
    card.with_untracked(|card| {
        card.group
            .findings
            .iter()
            .filter(|record| still_stands(record) && answers(record))
            .map(|record| record.id)
            .collect()
    })
}

/// Whether an answer can still change the finding: one reported or proven
/// fixed is settled until a scan finds it again.
fn still_stands(record: &FindingRecord) -> bool {
    matches!(
        record.status(),
        FindingStatus::Open | FindingStatus::Accepted | FindingStatus::Disputed
    )
}

/// Puts `record` in place of the card's finding with the same id.
fn replace(card: RwSignal<ReviewCard>, record: FindingRecord) {
    card.update(|card| {
        if let Some(old) = card
            .group
            .findings
            .iter_mut()
            .find(|old| old.id == record.id)
        {
            *old = record;
        }
    });
}

/// A card's key made safe for an element id.
fn slug(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_model::ScanId;
    use portcullis_model::compliance::{BusinessNeed, Dispute, Finding, FindingKind, Severity};

    fn record(id: i64, state: FindingState) -> FindingRecord {
        FindingRecord {
            id: FindingId(id),
            finding: Finding {
                kind: FindingKind::UnlistedOpenPort,
                severity: Severity::Medium,
                title: "Port 8080/tcp is open".into(),
                explanation: "Nobody approved it.".into(),
                remedy: "Close it or approve it.".into(),
                requirements: vec!["1.2.5".to_owned()].into(),
                system_id: None,
                address: Some("127.0.0.1".parse().unwrap()),
                port: Some(8080),
                protocol: Some(portcullis_model::scan::Protocol::Tcp),
                service: None,
                product: None,
                version: None,
                evidence: "8080/tcp open".into(),
                key: format!("unlisted-open-port|127.0.0.1|tcp/{id}"),
            },
            state,
            first_seen_scan: ScanId(1),
            last_seen_scan: ScanId(1),
        }
    }

    fn accepted() -> FindingState {
        FindingState::Accepted(BusinessNeed {
            justification: "The till sends its sales here".into(),
            approver: "Sam".into(),
            until: serde_json::from_value(serde_json::json!("2027-03-04T23:59:59Z")).unwrap(),
        })
    }

    /// A finding that fails an ASV scan: a self-signed certificate.
    fn failing(id: i64, state: FindingState) -> FindingRecord {
        let mut record = record(id, state);
        record.finding.kind = FindingKind::CertificateSelfSigned;
        record.finding.severity = Severity::High;
        record
    }

    fn disputed() -> FindingState {
        FindingState::Disputed(Dispute {
            kind: DisputeKind::FalsePositive,
            evidence: "Customers see the CDN's certificate".into(),
            submitted_by: "Sam".into(),
            until: serde_json::from_value(serde_json::json!("2027-03-04T23:59:59Z")).unwrap(),
        })
    }

    #[test]
    fn a_failure_is_answered_by_a_dispute_and_the_port_by_a_business_need() {
        let open = [
            failing(1, FindingState::Open),
            record(2, FindingState::Open),
        ];
        assert_eq!(answer_of(&open), Answer::Unanswered);
        assert!(!needs_reason(&answer_of(&open), true), "dispute first");
        let accepted_only = [failing(1, FindingState::Open), record(2, accepted())];
        assert_eq!(answer_of(&accepted_only), Answer::Unanswered);

        let disputed_only = [failing(1, disputed()), record(2, FindingState::Open)];
        let answer = answer_of(&disputed_only);
        assert!(
            matches!(
                answer,
                Answer::Disputed {
                    rest_unanswered: true,
                    kept: None,
                    ..
                }
            ),
            "{answer:?}"
        );
        assert!(needs_reason(&answer, true), "then the port's business need");
        assert_eq!(level_of(Verdict::Fail, &answer), BadgeLevel::NeedsReason);

        let answered = [failing(1, disputed()), record(2, accepted())];
        let answer = answer_of(&answered);
        assert_eq!(
            answer,
            Answer::Disputed {
                grounds: "false positive",
                evidence: "Customers see the CDN's certificate".into(),
                submitted_by: "Sam".into(),
                until: "4 March 2027".into(),
                kept: Some(Need {
                    justification: "The till sends its sales here".into(),
                    approver: "Sam".into(),
                    until: "4 March 2027".into(),
                }),
                rest_unanswered: false,
            }
        );
        assert!(!needs_reason(&answer, true));
        assert_eq!(level_of(Verdict::Fail, &answer), BadgeLevel::Disputed);
    }

    #[test]
    fn a_card_is_answered_only_when_every_finding_has_the_same_answer() {
        assert_eq!(
            answer_of(&[record(1, FindingState::Open)]),
            Answer::Unanswered
        );
        assert_eq!(
            answer_of(&[
                record(1, FindingState::Fixed),
                record(2, FindingState::Open)
            ]),
            Answer::Unanswered
        );
        assert_eq!(
            answer_of(&[
                record(1, FindingState::Fixed),
                record(2, FindingState::Verified { by_scan: ScanId(2) })
            ]),
            Answer::Closing
        );
        assert_eq!(
            answer_of(&[record(1, accepted()), record(2, accepted())]),
            Answer::Kept {
                justification: "The till sends its sales here".into(),
                approver: "Sam".into(),
                until: "4 March 2027".into(),
            }
        );
        assert_eq!(
            answer_of(&[record(1, accepted()), record(2, FindingState::Open)]),
            Answer::Unanswered
        );
    }

    #[test]
    fn empty_words_are_vague_and_a_real_reason_is_not() {
        for reason in [
            "needed",
            "business",
            "n/a",
            "Business need",
            "it is needed for business",
        ] {
            assert!(is_vague(reason), "{reason}");
        }
        assert!(!is_vague("Our web developer logs in to update the shop"));
    }
}
