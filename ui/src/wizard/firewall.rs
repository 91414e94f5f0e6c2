//! The Fix step's firewall rules: for each system, a default-deny inbound
//! ruleset that lets in exactly the ports its inventory approves (PCI DSS
//! 1.2.5, 1.3.1), in the firewall its platform uses, with the files to copy
//! and the commands that apply it (undoing itself unless confirmed within a
//! minute) and roll it back.

use leptos::prelude::*;
use leptos::task::spawn_local;
use portcullis_model::AppError;
use portcullis_model::commands::{FirewallRulesetCommand, SystemPlatformCommand};
use portcullis_model::compliance::{FirewallFormat, Ruleset, System};
use portcullis_model::requests::FirewallRequest;

use super::fix::CopyBlock;
use crate::ipc;
use crate::text::sentence;

#[component]
pub fn FirewallSection(systems: RwSignal<Vec<System>>) -> impl IntoView {
    view! {
        <section class="card" data-test="firewall">
            <h2 class="card-title">"Firewall rules for the ports you keep"</h2>
            <p>
                "A firewall lets in only the ports on your approved list and blocks the rest. Portcullis writes the rules from that list. They undo themselves unless you confirm within a minute, so a mistake cannot lock you out."
            </p>
            {move || {
                let systems = systems.get();
                if systems.is_empty() {
                    view! { <p class="muted">"Add a system first: its approved ports make its rules."</p> }
                        .into_any()
                } else {
                    systems
                        .into_iter()
                        .map(|system| view! { <SystemFirewall system /> })
                        .collect_view()
                        .into_any()
                }
            }}
        </section>
    }
}

/// One system's ruleset, shown on request in the chosen firewall's
/// language.
#[component]
fn SystemFirewall(system: System) -> impl IntoView {
    let system_id = system.id;
    let format = RwSignal::new(FirewallFormat::Nftables);
    let ruleset = RwSignal::new(None::<Result<Ruleset, AppError>>);
    // The firewall of the platform the system runs on, once known.
    spawn_local(async move {
        if let Ok(known) = ipc::invoke::<SystemPlatformCommand>(&system_id).await
            && let Some(suited) = known.platform.firewall()
        {
            format.set(suited);
        }
    });
    let show = move |_| {
        let request = FirewallRequest {
            system_id,
            format: format.get_untracked(),
        };
        spawn_local(async move {
            ruleset.set(Some(ipc::invoke::<FirewallRulesetCommand>(&request).await));
        });
    };
    let picker_id = format!("firewall-format-{system_id}");
    view! {
        <div class="firewall-system" data-test="firewall-system">
            <h3>{system.name.clone()}</h3>
            <div class="field">
                <label for=picker_id.clone()>"Firewall"</label>
                <div class="platform-row">
                    <select
                        id=picker_id
                        data-test="firewall-format"
                        on:change=move |event| {
                            if let Some(chosen) = FirewallFormat::from_id(&event_target_value(&event)) {
                                format.set(chosen);
                                ruleset.set(None);
                            }
                        }
                    >
                        {FirewallFormat::ALL
                            .into_iter()
                            .map(|choice| {
                                view! {
                                    <option value=choice.id() selected=move || format.get() == choice>
                                        {choice.name()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                    <button class="button" type="button" on:click=show data-test="firewall-show">
                        "Show the rules"
                    </button>
                </div>
            </div>
            {move || ruleset.get().map(|loaded| match loaded {
                Err(error) => {
                    view! {
                        <p class="form-error" role="alert">
                            "The rules could not be made. "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Ok(ruleset) => ruleset_view(ruleset).into_any(),
            })}
        </div>
    }
}

fn ruleset_view(ruleset: Ruleset) -> impl IntoView {
    let Ruleset {
        format,
        files,
        apply,
        rollback,
        warnings,
        allowed,
        ..
    } = ruleset;
    let allowed_words = if allowed.is_empty() {
        "No port is approved yet, so these rules let nothing in.".to_owned()
    } else {
        let ports: Vec<String> = allowed
            .iter()
            .map(|port| format!("{}/{}", port.port, port.protocol.as_str()))
            .collect();
        format!("These rules let in {} and nothing else.", ports.join(", "))
    };
    let script = format!("apply.{}", format.script_extension());
    let undo = format!("rollback.{}", format.script_extension());
    view! {
        <div data-test="firewall-ruleset">
            {warnings
                .into_iter()
                .map(|warning| {
                    view! {
                        <p class="notice" data-kind="warning" data-test="firewall-warning">
                            {sentence(&warning)}
                        </p>
                    }
                })
                .collect_view()}
            <p data-test="firewall-allowed">{allowed_words}</p>
            {files
                .into_iter()
                .map(|file| {
                    let label = format!("Copy the file {}", file.name);
                    view! {
                        <h4>{format!("The file {}", file.name)}</h4>
                        <CopyBlock text=file.text label long=true />
                    }
                })
                .collect_view()}
            <h4>{format!("To apply it, save this as {script} beside the files and run it as administrator")}</h4>
            <CopyBlock text=apply label="Copy the commands that apply the rules".to_owned() long=true />
            <h4>{format!("To remove it again, save this as {undo} and run it")}</h4>
            <CopyBlock text=rollback label="Copy the commands that remove the rules".to_owned() long=true />
        </div>
    }
}
