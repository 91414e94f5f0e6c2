//! The scan as it runs: a progress bar with the rate and the time left,
//! the open ports as they are found, and Cancel, which keeps what was
//! found. Updates come over the scan's channel at most about ten times a
//! second, so the window stays responsive however many ports a scan tries;
//! only the ports that answered are listed, each as text.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::commands::{GuidedScanSettings, ScanCancel, ScanStart};
use portcullis_model::numbers::thousands;
use portcullis_model::scan::{PortResult, PortState, Progress};
use portcullis_model::scan_record::{RunState, ScanUpdate};
use portcullis_model::wizard::{ScanDepth, WizardStep};
use portcullis_model::{AppError, RunId};

use super::{WizardState, step_path};
use crate::components::progress_bar::ProgressBar;
use crate::ipc::{self, Stream};
use crate::text::sentence;

/// What the window knows of the running scan, from its updates.
#[derive(Debug, Clone, Default, PartialEq)]
struct LiveScan {
    run: Option<RunId>,
    /// `None` until the first update.
    state: Option<RunState>,
    progress: Option<Progress>,
    /// The ports that answered, in the order they were found.
    found: Vec<PortResult>,
    open_ports: Option<u32>,
    partial: bool,
    error: Option<String>,
}

impl LiveScan {
    fn apply(&mut self, update: ScanUpdate) {
        self.run = Some(update.run);
        self.state = Some(update.state);
        if update.progress.is_some() {
            self.progress = update.progress;
        }
        self.found.extend(
            update
                .ports
                .into_iter()
                .filter(|port| matches!(port.state, PortState::Open | PortState::OpenFiltered)),
        );
        if let Some(summary) = update.summary {
            self.open_ports = Some(summary.open_ports);
            self.partial = summary.partial;
        }
        if update.error.is_some() {
            self.error = update.error;
        }
    }

    /// A finished scan is full whatever its last progress said: a quick
    /// scan can end before it reports any.
    fn percent(&self) -> f64 {
        match &self.progress {
            _ if self.state == Some(RunState::Finished) => 100.0,
            Some(progress) if progress.probes_total > 0 => {
                100.0 * progress.probes_done as f64 / progress.probes_total as f64
            }
            _ if self.is_over() => 100.0,
            _ => 0.0,
        }
    }

    fn is_over(&self) -> bool {
        matches!(
            self.state,
            Some(RunState::Finished | RunState::Cancelled | RunState::Failed)
        )
    }

    /// "About 40 checks a second, about 2 minutes left." while it runs;
    /// once it is over, how many checks were made.
    fn pace(&self) -> String {
        let Some(progress) = &self.progress else {
            return if self.is_over() {
                String::new()
            } else {
                "Starting…".to_owned()
            };
        };
        match self.state {
            Some(RunState::Finished) => {
                return format!(
                    "{} checks made.",
                    thousands(progress.probes_total.max(progress.probes_done))
                );
            }
            Some(RunState::Cancelled | RunState::Failed) => {
                return format!(
                    "{} of {} checks made.",
                    thousands(progress.probes_done),
                    thousands(progress.probes_total)
                );
            }
            _ => {}
        }
        let rate = format!(
            "About {} checks a second",
            thousands(progress.rate.round() as u64)
        );
        match progress.eta_seconds {
            Some(seconds) => format!("{rate}, {} left.", duration_words(seconds)),
            None => format!("{rate}."),
        }
    }
}

/// Starts a guided scan of `depth` and shows it until it ends.
#[component]
pub fn LiveScanView(depth: ScanDepth) -> impl IntoView {
    let live = RwSignal::new(LiveScan::default());
    let failed_to_start = RwSignal::new(None::<AppError>);
    // Kept while this view lives; when it goes, the scan goes on unwatched
    // (the Scans page can follow it again).
    let stream = StoredValue::new_local(None::<Stream>);
    spawn_local(async move {
        match start(depth, live).await {
            Ok((run, kept)) => {
                live.update(|live| live.run = Some(run));
                stream.set_value(Some(kept));
            }
            Err(error) => failed_to_start.set(Some(error)),
        }
    });
    // Start, which led here, is gone once pressed: the focus moves to this
    // card's heading, so a keyboard user goes on from the scan (Tab
    // reaches Cancel) instead of from the top of the window.
    let heading = NodeRef::<html::H2>::new();
    Effect::new(move |_| {
        if let Some(heading) = heading.get() {
            // Focusing an element with a tabindex does not fail.
            let _ = heading.focus();
        }
    });
    let found_lines =
        Memo::new(move |_| live.with(|live| live.found.iter().map(port_line).collect::<Vec<_>>()));
    let cancel = move |_| {
        if let Some(run) = live.with_untracked(|live| live.run) {
            spawn_local(async move {
                if let Err(error) = ipc::invoke::<ScanCancel>(&run).await {
                    live.update(|live| live.error = Some(error.message));
                }
            });
        }
    };
    view! {
        <section class="card live-scan" data-test="live-scan">
            <h2 class="card-title" node_ref=heading tabindex="-1" data-test="live-scan-heading">
                "Scanning"
            </h2>
            {move || {
                failed_to_start
                    .get()
                    .map(|error| {
                        view! {
                            <p class="form-error" role="alert">
                                "The scan could not start. "
                                {sentence(&error.message)}
                            </p>
                        }
                    })
            }}
            // Nothing more to show when the scan never started.
            <Show when=move || failed_to_start.with(Option::is_none)>
            <ProgressBar
                label="Scan progress"
                percent=Signal::derive(move || live.with(LiveScan::percent))
                value_text=Signal::derive(move || live.with(LiveScan::pace))
            >
                <Show when=move || !live.with(LiveScan::is_over)>
                    <button class="button" type="button" on:click=cancel data-test="scan-cancel">
                        "Cancel"
                    </button>
                </Show>
            </ProgressBar>
            // Not a live region: the pace changes ten times a second, which
            // a screen reader would read out without end. The bar's value
            // text carries it for whoever asks, and the outcome below is
            // announced once.
            <p class="muted">{move || live.with(LiveScan::pace)}</p>
            <Outcome live />
            <h3>
                {move || if live.with(LiveScan::is_over) { "Open ports found" } else { "Open ports found so far" }}
            </h3>
            <ul class="found-ports" data-test="found-ports">
                // Only a new port adds a line: the progress updates that
                // change nothing here leave the list's nodes alone.
                <For
                    each=move || found_lines.get().into_iter().enumerate()
                    key=|(index, _)| *index
                    children=|(_, line)| view! { <li>{line}</li> }
                />
            </ul>
            </Show>
        </section>
    }
}

/// How the scan ended, and the way on.
#[component]
fn Outcome(live: RwSignal<LiveScan>) -> impl IntoView {
    let state = WizardState::from_context();
    let navigate = use_navigate();
    let go_on = move |_| {
        state.go_to(WizardStep::Review);
        navigate(&step_path(WizardStep::Review), Default::default());
    };
    let outcome = move || {
        live.with(|live| match live.state {
            Some(RunState::Finished) => Some(format!(
                "The scan is finished: {} open {}.",
                live.open_ports.unwrap_or(0),
                if live.open_ports == Some(1) {
                    "port"
                } else {
                    "ports"
                }
            )),
            Some(RunState::Cancelled) => {
                Some("The scan was cancelled. What it found until then is kept.".to_owned())
            }
            Some(RunState::Failed) => Some(format!(
                "The scan stopped: {}. What it found until then is kept.",
                live.error
                    .clone()
                    .unwrap_or_else(|| "no reason given".to_owned())
            )),
            _ => None,
        })
    };
    view! {
        {move || {
            outcome()
                .map(|words| {
                    view! {
                        <p class="notice" role="status" data-test="scan-outcome">{words}</p>
                        <div class="actions">
                            <button
                                class="button primary"
                                type="button"
                                on:click=go_on.clone()
                                data-test="wizard-next"
                            >
                                "Continue to Review"
                            </button>
                        </div>
                    }
                })
        }}
    }
}

/// Plans the guided scan of `depth` and starts it, its updates going to
/// `live`.
async fn start(depth: ScanDepth, live: RwSignal<LiveScan>) -> Result<(RunId, Stream), AppError> {
    let settings = ipc::invoke::<GuidedScanSettings>(&depth).await?;
    ipc::stream::<ScanStart>(&settings, move |update| {
        live.update(|live| live.apply(update))
    })
    .await
}

/// "443/tcp on 203.0.113.10 (https)".
fn port_line(port: &PortResult) -> String {
    let service = port
        .service
        .as_deref()
        .map(|name| format!(" ({name})"))
        .unwrap_or_default();
    format!(
        "{}/{} on {}{service}",
        port.port,
        port.protocol.as_str(),
        port.address
    )
}

/// "about 2 minutes", "about 40 seconds".
fn duration_words(seconds: f64) -> String {
    let seconds = seconds.max(0.0).round() as u64;
    match seconds {
        0..=59 => format!("about {seconds} seconds"),
        60..=119 => "about a minute".to_owned(),
        _ => format!("about {} minutes", seconds / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ended_scan_says_how_many_checks_it_made() {
        let progress = Some(Progress {
            probes_done: 1_200,
            probes_total: 65_535,
            rate: 194_851.6,
            eta_seconds: Some(0.3),
        });
        let running = LiveScan {
            state: Some(RunState::Running),
            progress: progress.clone(),
            ..LiveScan::default()
        };
        assert_eq!(
            running.pace(),
            "About 194,852 checks a second, about 0 seconds left."
        );
        let cancelled = LiveScan {
            state: Some(RunState::Cancelled),
            progress: progress.clone(),
            ..LiveScan::default()
        };
        assert_eq!(cancelled.pace(), "1,200 of 65,535 checks made.");
        let finished = LiveScan {
            state: Some(RunState::Finished),
            progress,
            ..LiveScan::default()
        };
        assert_eq!(finished.pace(), "65,535 checks made.");
    }

    #[test]
    fn a_finished_scan_is_full_whatever_its_last_progress_said() {
        let started = LiveScan {
            state: Some(RunState::Running),
            progress: Some(Progress {
                probes_done: 0,
                probes_total: 1000,
                rate: 0.0,
                eta_seconds: None,
            }),
            ..LiveScan::default()
        };
        assert_eq!(started.percent(), 0.0);
        let finished = LiveScan {
            state: Some(RunState::Finished),
            ..started.clone()
        };
        assert_eq!(finished.percent(), 100.0);
        let cancelled = LiveScan {
            state: Some(RunState::Cancelled),
            ..started
        };
        assert_eq!(
            cancelled.percent(),
            0.0,
            "a cancelled scan shows how far it got"
        );
    }
}
