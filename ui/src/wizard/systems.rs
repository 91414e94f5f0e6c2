//! Step 2, "Your systems": the machines the scans will cover, listed,
//! added and removed through the backend's systems commands. A refusal is
//! shown beside the field it concerns (`AppError::field`), or above the
//! button when it concerns no field.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, LocalNetworks, SystemAdd, SystemRemove, SystemsList};
use portcullis_model::compliance::{Exposure, Scope, System};
use portcullis_model::guided::LocalNetwork;
use portcullis_model::wizard::{Saq, WizardStep, saq_advice};

use super::{WizardState, step_path};
use crate::components::{Card, Dialog, EmptyState, Toasts};
use crate::ipc;
use crate::system_form::{SystemFields, SystemForm, role_words};
use crate::text::sentence;

/// The systems as last loaded: `None` while loading.
type Systems = RwSignal<Option<Result<Vec<System>, AppError>>>;

/// Asks the backend for the systems again.
fn reload(systems: Systems) {
    spawn_local(async move {
        systems.set(Some(ipc::invoke::<SystemsList>(&Empty::default()).await));
    });
}

#[component]
pub fn SystemsStep() -> impl IntoView {
    let state = WizardState::from_context();
    let toasts = Toasts::from_context();
    let systems: Systems = RwSignal::new(None);
    reload(systems);

    let form = SystemForm::new(default_scope(state));
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() {
            return;
        }
        if !form.check_name() {
            return;
        }
        let request = form.new_system();
        form.busy.set(true);
        spawn_local(async move {
            match ipc::invoke::<SystemAdd>(&request).await {
                Ok(added) => {
                    form.clear();
                    toasts.success(format!("Added {}.", added.name));
                    reload(systems);
                }
                Err(error) => form.error.set(Some(error)),
            }
            form.busy.set(false);
        });
    };

    let navigate = use_navigate();
    let nothing_added = RwSignal::new(false);
    let go_on = move |_| {
        let has_systems =
            systems.with(|systems| matches!(systems, Some(Ok(list)) if !list.is_empty()));
        if has_systems {
            state.go_to(WizardStep::Scan);
            navigate(&step_path(WizardStep::Scan), Default::default());
        } else {
            nothing_added.set(true);
        }
    };

    view! {
        <p class="lead">
            "List each computer or device that is part of how you take cards: the server that runs your website, a till, the shop's router. Portcullis scans only the systems you list here."
        </p>
        <Card title="Your systems">
            {move || match systems.get() {
                None => view! { <p class="muted">"Loading your systems…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "Your systems could not be loaded: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <EmptyState
                            title="No systems yet"
                            message="Add the first one below: usually the server that runs your website."
                        />
                    }
                        .into_any()
                }
                Some(Ok(list)) => system_list(list, systems).into_any(),
            }}
        </Card>
        <NetworksHere form=form />
        <Card title="Add a system">
            <form on:submit=add data-test="system-form" novalidate>
                <SystemFields form ask_scope=false />
                <button class="button" type="submit" data-test="system-add" aria-disabled=move || form.busy.get().then_some("true")>
                    "Add system"
                </button>
            </form>
        </Card>
        {move || {
            nothing_added
                .get()
                .then(|| {
                    view! {
                        <p class="form-error" role="alert">
                            "Add at least one system, so there is something to scan."
                        </p>
                    }
                })
        }}
        <div class="actions">
            <a class="button" href=step_path(WizardStep::Business)>
                "Back"
            </a>
            <button class="button primary" type="button" on:click=go_on data-test="wizard-next">
                "Continue to Scan"
            </button>
        </div>
    }
}

/// The systems already added, each with its Remove button and the dialog
/// that confirms it.
fn system_list(list: Vec<System>, systems: Systems) -> impl IntoView {
    view! {
        <ul class="system-list" data-test="system-list">
            {list.into_iter().map(|system| view! { <SystemRow system systems /> }).collect_view()}
        </ul>
    }
}

#[component]
fn SystemRow(system: System, systems: Systems) -> impl IntoView {
    let toasts = Toasts::from_context();
    let confirming = RwSignal::new(false);
    let id = system.id;
    let name = system.name.clone();
    let remove = {
        let name = name.clone();
        move |_| {
            let name = name.clone();
            confirming.set(false);
            spawn_local(async move {
                match ipc::invoke::<SystemRemove>(&id).await {
                    Ok(_) => {
                        toasts.success(format!("Removed {name}."));
                        reload(systems);
                    }
                    Err(error) => toasts.error(format!(
                        "{name} could not be removed: {}",
                        sentence(&error.message)
                    )),
                }
            });
        }
    };
    let detail = format!(
        "{} · {} · {}",
        system.addresses.join(", "),
        role_words(system.role),
        match system.exposure {
            Exposure::External => "reachable from the internet",
            Exposure::Internal => "inside your network only",
        }
    );
    view! {
        <li class="system-row" data-test="system-row">
            <span class="system-text">
                <span class="system-name">{system.name.clone()}</span>
                <span class="system-detail">{detail}</span>
            </span>
            <button
                class="button danger"
                type="button"
                on:click=move |_| confirming.set(true)
                aria-label=format!("Remove {name}")
                data-test="system-remove"
            >
                "Remove"
            </button>
            <Dialog id=format!("remove-system-{id}") title=format!("Remove {}?", system.name) open=confirming>
                <p>
                    "Portcullis will stop scanning it. The audit log keeps a record that it was removed."
                </p>
                // The safe answer comes first and takes the focus when the
                // dialog opens, so Enter alone never removes anything.
                <div class="actions">
                    <button
                        class="button"
                        type="button"
                        autofocus
                        on:click=move |_| confirming.set(false)
                        data-test="dialog-keep"
                    >
                        "Keep it"
                    </button>
                    <button class="button danger" type="button" on:click=remove data-test="dialog-remove">
                        "Remove"
                    </button>
                </div>
            </Dialog>
        </li>
    }
}

/// Where a new system stands: it handles card numbers when step 1 said the
/// merchant's own systems do (SAQ D); otherwise it is connected to what
/// does. The wizard adds only systems in scope.
fn default_scope(state: WizardState) -> Scope {
    let own_card_data = state
        .progress
        .get_untracked()
        .and_then(|progress| progress.business)
        .and_then(|business| saq_advice(&business))
        .is_some_and(|advice| advice.saqs.contains(&Saq::D));
    if own_card_data {
        Scope::Cde
    } else {
        Scope::ConnectedToCde
    }
}

/// What this computer can see: the networks its interfaces are on, read
/// from the computer itself (nothing is sent), each with a button that puts
/// it in the form. A merchant who does not know the till's address can add
/// the shop's network instead; the warning says that nothing is probed
/// until the Scan step, and only with their permission.
#[component]
fn NetworksHere(form: SystemForm) -> impl IntoView {
    let networks = RwSignal::new(None::<Result<Vec<LocalNetwork>, AppError>>);
    let load = move |_| {
        if networks.get_untracked().is_none() {
            spawn_local(async move {
                networks.set(Some(ipc::invoke::<LocalNetworks>(&Empty::default()).await));
            });
        }
    };
    view! {
        <details class="card disclosure" data-test="networks-here" on:toggle=load>
            <summary data-test="networks-here-open">
                "Not sure of an address? See the networks this computer is on"
            </summary>
            <p class="notice" data-kind="warning" data-test="networks-warning">
                "Nothing is scanned yet. Adding a network only lists it; Portcullis scans it in the next step, after you confirm that you own it or may scan it. Scanning a network that is not yours can break the law."
            </p>
            {move || match networks.get() {
                None => view! { <p class="muted">"Looking at this computer's connections…"</p> }.into_any(),
                Some(Err(error)) => {
                    view! {
                        <p class="form-error" role="alert">
                            "This computer's networks could not be read: "
                            {sentence(&error.message)}
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! {
                        <p data-test="networks-none">
                            "This computer is on no network Portcullis can offer. Type the address of each system below."
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(list)) => {
                    view! {
                        <ul class="network-list">
                            {list.into_iter().map(|network| network_row(network, form)).collect_view()}
                        </ul>
                    }
                        .into_any()
                }
            }}
        </details>
    }
}

fn network_row(network: LocalNetwork, form: SystemForm) -> impl IntoView {
    let LocalNetwork {
        interface,
        address,
        network,
        addresses,
    } = network;
    let size = if addresses == 1 {
        "1 address".to_owned()
    } else {
        format!("{addresses} addresses")
    };
    let chosen = network.clone();
    let take = move |_| {
        form.addresses.set(chosen.clone());
        if form.name.with_untracked(|name| name.trim().is_empty()) {
            form.name.set("Shop network".to_owned());
        }
        form.exposure.set(Exposure::Internal);
        focus_field("name");
    };
    view! {
        <li class="network-row" data-test="network-row" data-network=network.clone()>
            <div>
                <strong>{network.clone()}</strong>
                <span class="muted">
                    {format!(" ({size}), through {interface}; this computer is {address} on it")}
                </span>
            </div>
            <button class="button" type="button" on:click=take data-test="network-use">
                "Use this network"
            </button>
        </li>
    }
}

/// Moves the keyboard focus to the form field `id`, so a keyboard user
/// lands where the next thing to do is.
fn focus_field(id: &str) {
    use wasm_bindgen::JsCast;
    let field = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id(id))
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(field) = field {
        let _ = field.focus();
    }
}
