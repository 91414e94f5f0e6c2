//! Settings: watching in the background (the tray and the start at
//! login, each the person's choice), and what the app knows about itself,
//! including how old its list of known-vulnerable versions is.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::commands::{
    BackupSave, BusinessName as BusinessNameCommand, CopyCancel, Empty, KeepWatching,
    KeepWatchingSet, RestoreOpen, ScanProfileCommand, ScanReadiness, ServiceProvider, StartAtLogin,
    StartAtLoginSet,
};
use portcullis_model::maintenance::CopyProgress;
use portcullis_model::scan_record::ScanProfile;
use portcullis_model::service::AdvisoryData;
use portcullis_model::{AppError, DatabaseState, DatabaseStatus, ErrorKind};

use crate::backend_status::BackendStatus;
use crate::components::progress_bar::ProgressBar;
use crate::components::{Choice, ChoiceGroup, ChoiceKind, Field};
use crate::ipc;
use crate::text::sentence;
use crate::theme::{self, Theme};

#[component]
pub fn SettingsPage() -> impl IntoView {
    let status = BackendStatus::from_context();
    view! {
        <section class="page" data-test="page" data-page="nav-settings">
            <h1>"Settings"</h1>
            <BackgroundChoices />
            <BusinessChoices />
            <ThemeChoice />
            <ScanPermission />
            <ScanPace />
            <BackupAndRestore />
            <h2>"About this installation"</h2>
            {move || match status.info.get() {
                None => view! { <p class="muted">"Asking the backend…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="error" data-test="backend-error">
                            "The backend did not answer: "
                            {error.message}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(info)) => {
                    view! {
                        <dl class="facts">
                            <dt>"Version"</dt>
                            <dd data-test="app-version">{info.version}</dd>
                            <dt>"Data directory"</dt>
                            <dd data-test="data-dir">
                                <code>{info.data_dir}</code>
                            </dd>
                            <dt>"Database"</dt>
                            <dd>
                                {move || status.database.get().map(|database| database_view(&database))}
                            </dd>
                            <dt>"Known vulnerable versions"</dt>
                            <dd data-test="advisories">{advisories_view(&info.advisories)}</dd>
                        </dl>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

fn database_view(database: &DatabaseStatus) -> impl IntoView + use<> {
    let detail = match &database.state {
        DatabaseState::Opening => "opening…".to_owned(),
        DatabaseState::Ready { schema_version } => {
            format!("ready, schema version {schema_version}")
        }
        DatabaseState::Failed { message } => format!("failed: {message}"),
    };
    view! {
        <code data-test="database-path">{database.path.clone()}</code>
        <span class="db-state" data-test="database-state" data-state=database.state.label()>
            {detail}
        </span>
    }
}

/// How old the list of vulnerable and unsupported versions is, in words,
/// with the backend's warning when it is too old to trust.
fn advisories_view(data: &AdvisoryData) -> impl IntoView + use<> {
    let age = match data.age_days {
        0 => "today".to_owned(),
        1 => "yesterday".to_owned(),
        days => format!("{days} days ago"),
    };
    let summary = format!(
        "{} entries, last checked against their sources on {} ({age}).",
        data.advisories, data.reviewed
    );
    view! {
        <span>{summary}</span>
        {data
            .warning
            .clone()
            .map(|warning| {
                view! {
                    <p class="notice" data-kind="warning" data-test="advisories-warning">
                        {warning}
                    </p>
                }
            })}
    }
}

/// The two choices about running without the window, each saved the
/// moment it is ticked. Both are off until the person turns them on.
#[component]
fn BackgroundChoices() -> impl IntoView {
    view! {
        <fieldset class="choices" data-test="background-choices">
            <legend>"When the window is closed"</legend>
            <Preference
                which=Setting::KeepWatching
                title="Keep watching from the tray when the window is closed"
                detail="Portcullis keeps checking your systems on schedule while its window is closed; it uses less memory then."
            />
            <Preference
                which=Setting::StartAtLogin
                title="Start Portcullis when I log in"
                detail="Open Portcullis in the tray when you log in."
            />
        </fieldset>
    }
}

/// Light, dark, or as the computer is set.
#[component]
fn ThemeChoice() -> impl IntoView {
    let current = RwSignal::new(theme::chosen());
    view! {
        <ChoiceGroup id="theme" legend="Appearance">
            {Theme::ALL
                .into_iter()
                .map(|(value, key, title, detail)| {
                    view! {
                        <Choice
                            kind=ChoiceKind::Radio
                            name="theme"
                            title=title
                            detail=detail
                            checked=Signal::derive(move || current.get() == value)
                            on_change=move |_| {
                                current.set(value);
                                theme::choose(value);
                            }
                            test_id=format!("theme-{key}")
                        />
                    }
                })
                .collect_view()}
        </ChoiceGroup>
    }
}

/// Whether this computer lets Portcullis send its own packets (the fast
/// SYN scan) and, when it does not, how to allow it here.
#[component]
fn ScanPermission() -> impl IntoView {
    let readiness =
        LocalResource::new(|| async { ipc::invoke::<ScanReadiness>(&Empty::default()).await });
    view! {
        <section class="card" data-test="scan-permission">
            <h2 class="card-title">"Scanning on this computer"</h2>
            {move || match readiness.get() {
                None => view! { <p class="muted">"Checking…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="form-error">{sentence(&error.message)}</p> }.into_any(),
                Some(Ok(readiness)) => {
                    view! {
                        <p data-test="scan-method">{readiness.method.sentence}</p>
                        {readiness.method.how_to_grant.map(|how| view! { <p class="hint" data-test="scan-grant">{how}</p> })}
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// How hard the scans started from the window push the network; kept in
/// the database, so the CLI's guided scans and a restored copy agree.
#[component]
fn ScanPace() -> impl IntoView {
    let pace = RwSignal::new(None::<ScanProfile>);
    let error = RwSignal::new(None::<String>);
    spawn_local(async move {
        match ipc::invoke::<ScanProfileCommand>(&None).await {
            Ok(profile) => pace.set(Some(profile)),
            Err(problem) => error.set(Some(sentence(&problem.message))),
        }
    });
    let choose = move |profile: ScanProfile| {
        let before = pace.get_untracked();
        pace.set(Some(profile));
        spawn_local(async move {
            match ipc::invoke::<ScanProfileCommand>(&Some(profile)).await {
                Ok(kept) => {
                    pace.set(Some(kept));
                    error.set(None);
                }
                Err(problem) => {
                    pace.set(before);
                    error.set(Some(sentence(&problem.message)));
                }
            }
        });
    };
    let choice = move |profile: ScanProfile, title: &'static str, detail: &'static str| {
        view! {
            <Choice
                kind=ChoiceKind::Radio
                name="scan-pace"
                title=title
                detail=detail
                checked=Signal::derive(move || pace.get() == Some(profile))
                on_change=move |_| choose(profile)
                test_id=format!("scan-pace-{}", profile.name())
            />
        }
    };
    view! {
        <ChoiceGroup id="scan-pace" legend="How hard your scans push your network">
            {choice(
                ScanProfile::Polite,
                "Gently",
                "A slow, steady pace that busy shop servers will not notice. Scans take longer.",
            )}
            {choice(
                ScanProfile::Normal,
                "Normally (recommended)",
                "As fast as your network answers, slowing down when it struggles.",
            )}
            {choice(
                ScanProfile::Fast,
                "Quickly",
                "Shorter waits, for a fast office network. May miss ports on a slow link.",
            )}
            {move || error.get().map(|message| view! { <p class="form-error" role="alert" data-test="scan-pace-error">{message}</p> })}
        </ChoiceGroup>
    }
}

/// What PCI DSS asks of the business depends on what it is.
#[component]
fn BusinessChoices() -> impl IntoView {
    view! {
        <fieldset class="choices" data-test="business-choices">
            <legend>"Your business"</legend>
            <BusinessName />
            <Preference
                which=Setting::ServiceProvider
                title="We handle card data for other businesses"
                detail="A service provider, such as an agency that hosts its clients' shops, has the separation of its card systems tested every six months (PCI DSS 11.4.6) instead of every twelve."
            />
        </fieldset>
    }
}

/// The name the documents carry, saved when the person says so.
#[component]
fn BusinessName() -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    spawn_local(async move {
        if let Ok(kept) = ipc::invoke::<BusinessNameCommand>(&None).await {
            name.set(kept);
        }
    });
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let typed = name.get_untracked();
        spawn_local(async move {
            match ipc::invoke::<BusinessNameCommand>(&Some(typed)).await {
                Ok(kept) => {
                    error.set(None);
                    saved.set(Some(format!("Saved. Your documents will say \"{kept}\".")));
                    name.set(kept);
                }
                Err(refused) => {
                    saved.set(None);
                    error.set(Some(sentence(&refused.message)));
                }
            }
        });
    };
    view! {
        <form class="business-name" on:submit=save novalidate data-test="business-form">
            <Field
                id="business-name"
                label="Business name"
                hint="As it should appear on the documents you give your assessor."
                value=name
                error=Signal::derive(move || error.get())
                autocomplete="organization"
            />
            <button class="button" type="submit" data-test="business-save">"Save the name"</button>
            {move || saved.get().map(|message| view! { <p class="preference-status" role="status" data-test="business-saved">{message}</p> })}
        </form>
    }
}

/// Which choice a [`Preference`] shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Setting {
    KeepWatching,
    StartAtLogin,
    ServiceProvider,
}

impl Setting {
    /// The checkbox's id, and the stem of its error's.
    fn id(self) -> &'static str {
        match self {
            Setting::KeepWatching => "keep-watching",
            Setting::StartAtLogin => "start-at-login",
            Setting::ServiceProvider => "service-provider",
        }
    }

    async fn load(self) -> Result<bool, AppError> {
        let nothing = Empty::default();
        match self {
            Setting::KeepWatching => ipc::invoke::<KeepWatching>(&nothing).await,
            Setting::StartAtLogin => ipc::invoke::<StartAtLogin>(&nothing).await,
            Setting::ServiceProvider => ipc::invoke::<ServiceProvider>(&None).await,
        }
    }

    async fn save(self, on: bool) -> Result<bool, AppError> {
        match self {
            Setting::KeepWatching => ipc::invoke::<KeepWatchingSet>(&on).await,
            Setting::StartAtLogin => ipc::invoke::<StartAtLoginSet>(&on).await,
            Setting::ServiceProvider => ipc::invoke::<ServiceProvider>(&Some(on)).await,
        }
    }
}

/// One choice: a native checkbox (Tab and Space work), its sentence, and
/// under it what went wrong saving it, tied to the box for screen readers.
/// The box waits for the saved state before it can be changed: the
/// tray choice lives in the database, which may still be opening.
#[component]
fn Preference(which: Setting, title: &'static str, detail: &'static str) -> impl IntoView {
    let status = BackendStatus::from_context();
    let checked = RwSignal::new(false);
    let ready = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    // The choices kept in the database are asked for once it is open: an
    // answer before then is "still opening", not the person's choice. The
    // login entry is the system's, and can be asked for at once.
    Effect::new(move |_| {
        let open = status.database.with(|database| {
            database
                .as_ref()
                .is_some_and(|database| matches!(database.state, DatabaseState::Ready { .. }))
        });
        let needs_database = which != Setting::StartAtLogin;
        if (needs_database && !open) || ready.get_untracked() {
            return;
        }
        spawn_local(async move {
            match which.load().await {
                Ok(on) => {
                    checked.set(on);
                    ready.set(true);
                    error.set(None);
                }
                Err(problem) => error.set(Some(sentence(&problem.message))),
            }
        });
    });
    let change = move |on: bool| {
        let before = checked.get_untracked();
        checked.set(on);
        saving.set(true);
        saved.set(false);
        spawn_local(async move {
            match which.save(on).await {
                Ok(now) => {
                    checked.set(now);
                    error.set(None);
                    saved.set(true);
                }
                Err(problem) => {
                    checked.set(before);
                    error.set(Some(sentence(&problem.message)));
                }
            }
            saving.set(false);
        });
    };
    let id = which.id();
    let error_id = format!("{id}-error");
    let detail_id = format!("{id}-detail");
    let described_by = {
        let (error_id, detail_id) = (error_id.clone(), detail_id.clone());
        move || match error.with(Option::is_some) {
            true => format!("{detail_id} {error_id}"),
            false => detail_id.clone(),
        }
    };
    view! {
        <div class="preference">
            <label class="choice" for=id>
                <input
                    type="checkbox"
                    id=id
                    prop:checked=checked
                    disabled=move || !ready.get() || saving.get()
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    aria-describedby=described_by
                    on:change=move |event| change(event_target_checked(&event))
                    data-test=format!("pref-{id}")
                />
                <span class="choice-text">
                    <strong>{title}</strong>
                    <span id=detail_id>{detail}</span>
                </span>
            </label>
            {move || {
                error
                    .get()
                    .map(|message| {
                        view! {
                            <p class="field-error" id=error_id.clone() data-test=format!("error-{id}")>
                                {message}
                            </p>
                        }
                    })
            }}
            <p role="status" class="preference-status muted" data-test=format!("saved-{id}")>
                {move || saved.get().then_some("Saved.")}
            </p>
        </div>
    }
}

/// What the backup or restore under way has done, or came to.
#[derive(Debug, Clone, PartialEq)]
enum CopyStage {
    Idle,
    Copying { what: &'static str, percent: f64 },
    Done(String),
    Failed(String),
}

/// Backup to a file the person chooses, and restore from one: each with
/// its progress, and the restore's checks (integrity, schema) before it
/// replaces anything. The database replaced is saved aside first.
#[component]
fn BackupAndRestore() -> impl IntoView {
    let stage = RwSignal::new(CopyStage::Idle);
    let busy = move || matches!(stage.get(), CopyStage::Copying { .. });
    let on_progress = move |what: &'static str| {
        move |progress: CopyProgress| {
            #[allow(clippy::cast_precision_loss)]
            let percent = if progress.pages_total == 0 {
                0.0
            } else {
                progress.pages_done as f64 * 100.0 / progress.pages_total as f64
            };
            stage.set(CopyStage::Copying { what, percent });
        }
    };
    let back_up = move |_| {
        if busy() {
            return;
        }
        stage.set(CopyStage::Copying {
            what: "Backing up",
            percent: 0.0,
        });
        spawn_local(async move {
            let answer =
                ipc::stream::<BackupSave>(&Empty::default(), on_progress("Backing up")).await;
            stage.set(match answer {
                Ok((None, _)) => CopyStage::Idle,
                Ok((Some(summary), _)) => CopyStage::Done(format!(
                    "Backed up to {} ({} pages). Keep it somewhere safe, away from this computer.",
                    summary.path, summary.pages
                )),
                Err(error) if error.kind == ErrorKind::Cancelled => {
                    CopyStage::Done("Stopped. No backup was made.".to_owned())
                }
                Err(error) => CopyStage::Failed(format!(
                    "The backup was not made. {}",
                    sentence(&error.message)
                )),
            });
        });
    };
    let restore = move |_| {
        if busy() {
            return;
        }
        stage.set(CopyStage::Copying {
            what: "Restoring",
            percent: 0.0,
        });
        spawn_local(async move {
            let answer =
                ipc::stream::<RestoreOpen>(&Empty::default(), on_progress("Restoring")).await;
            stage.set(match answer {
                Ok((None, _)) => CopyStage::Idle,
                Ok((Some(summary), _)) => CopyStage::Done(format!(
                    "Restored. The backup passed its checks. The data it replaced was saved to {}.",
                    summary.previous_saved_to
                )),
                Err(error) if error.kind == ErrorKind::Cancelled => CopyStage::Done(
                    "Stopped. Nothing was restored: your data is as it was.".to_owned(),
                ),
                Err(error) => CopyStage::Failed(format!(
                    "Nothing was restored. {}",
                    sentence(&error.message)
                )),
            });
        });
    };
    view! {
        <section class="card" data-test="backup-restore">
            <h2 class="card-title">"Backup and restore"</h2>
            <p class="muted">
                "Your inventory, findings and audit log live only on this computer. Back them up to a USB stick or a shared drive; restore a backup after a new computer or a mistake. A restore checks the backup first and keeps the data it replaces."
            </p>
            <div class="actions">
                <button class="button" type="button" on:click=back_up aria-disabled=move || busy().then_some("true") data-test="backup-save">
                    "Back up now…"
                </button>
                <button class="button" type="button" on:click=restore aria-disabled=move || busy().then_some("true") data-test="restore-open">
                    "Restore a backup…"
                </button>
            </div>
            {move || match stage.get() {
                CopyStage::Idle => ().into_any(),
                CopyStage::Copying { what, percent } => {
                    view! { <ProgressBar label=what percent=Signal::derive(move || percent) /> }.into_any()
                }
                CopyStage::Done(message) => {
                    view! { <p class="notice" data-kind="ok" role="status" data-test="copy-done">{message}</p> }.into_any()
                }
                CopyStage::Failed(message) => {
                    view! { <p class="form-error" role="alert" data-test="copy-failed">{message}</p> }.into_any()
                }
            }}
            // Outside the part each step redraws, so the button keeps its
            // focus while the copy goes on.
            <Show when=busy>
                <button
                    class="button"
                    type="button"
                    on:click=move |_| spawn_local(async {
                        let _ = ipc::invoke::<CopyCancel>(&Empty::default()).await;
                    })
                    data-test="copy-cancel"
                >
                    "Stop"
                </button>
            </Show>
        </section>
    }
}
