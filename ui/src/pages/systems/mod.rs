//! Systems: every computer or device Portcullis judges, with what decides
//! the rules for it (card data, the internet, its role), a filter and
//! pages for long lists, and the form that adds one. Each system's own
//! page (`detail`) edits or removes it.

mod detail;

pub use detail::SystemPage;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use portcullis_model::AppError;
use portcullis_model::commands::{Empty, SystemAdd, SystemsList};
use portcullis_model::compliance::{Scope, System};

use crate::components::{Card, DataTable, EmptyState, Pager, Paging, Toasts};
use crate::ipc;
use crate::system_form::{SystemFields, SystemForm, exposure_words, role_words, scope_words};
use crate::text::sentence;

/// The path of one system's page.
pub fn system_path(system: &System) -> String {
    format!("/systems/{}", system.id)
}

#[component]
pub fn SystemsPage() -> impl IntoView {
    let changed = RwSignal::new(0_u32);
    let systems = LocalResource::new(move || {
        changed.track();
        async { ipc::invoke::<SystemsList>(&Empty::default()).await }
    });
    view! {
        <section class="page" data-test="page" data-page="nav-systems">
            <h1>"Systems"</h1>
            <p class="lead">
                "Every computer or device Portcullis scans and judges. Whether it handles card numbers, and whether the internet can reach it, decides which PCI DSS rules apply."
            </p>
            <Card title="Your systems">
                {move || match systems.get() {
                    None => view! { <p class="muted">"Loading your systems…"</p> }.into_any(),
                    Some(Err(error)) => load_error(&error).into_any(),
                    Some(Ok(list)) if list.is_empty() => {
                        view! {
                            <EmptyState
                                title="No systems yet"
                                message="Add the first one below: usually the server that runs your website or shop."
                            />
                        }
                            .into_any()
                    }
                    Some(Ok(list)) => view! { <SystemTable list /> }.into_any(),
                }}
            </Card>
            <AddSystem changed />
        </section>
    }
}

fn load_error(error: &AppError) -> impl IntoView + use<> {
    view! {
        <p class="form-error" role="alert" data-test="load-error">
            "Your systems could not be loaded: "
            {sentence(&error.message)}
        </p>
    }
}

/// The systems as a table, filtered by what is typed (a name or an
/// address), a page at a time.
#[component]
fn SystemTable(list: Vec<System>) -> impl IntoView {
    let list = StoredValue::new(list);
    let filter = RwSignal::new(String::new());
    let paging = Paging::new();
    let shown = Memo::new(move |_| {
        let wanted = filter.get().trim().to_lowercase();
        list.with_value(|list| {
            list.iter()
                .filter(|system| wanted.is_empty() || matches_filter(system, &wanted))
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    Effect::new(move |_| {
        filter.track();
        paging.page.set(0);
    });
    let total = Signal::derive(move || shown.with(Vec::len));
    view! {
        <div class="field">
            <label for="system-filter">"Find a system"</label>
            <input
                id="system-filter"
                type="search"
                placeholder="Name or address"
                bind:value=filter
                data-test="system-filter"
            />
        </div>
        <DataTable
            label="Your systems"
            headers=&["Name", "Addresses", "Card data", "Internet", "What it does"]
            body_test="system-rows"
        >
            <For
                each=move || shown.with(|rows| paging.slice(rows))
                key=|system| system.id
                children=system_row
            />
        </DataTable>
        <Show when=move || total.get() == 0>
            <p class="muted" data-test="system-filter-none">
                "No system matches. Clear the search to see them all."
            </p>
        </Show>
        <Pager paging total noun="systems" />
    }
}

fn matches_filter(system: &System, wanted: &str) -> bool {
    system.name.to_lowercase().contains(wanted)
        || system
            .addresses
            .iter()
            .any(|address| address.to_lowercase().contains(wanted))
}

fn system_row(system: System) -> impl IntoView {
    view! {
        <tr data-test="system-row">
            <th scope="row">
                <a href=system_path(&system) data-test="system-link">
                    {system.name.clone()}
                </a>
            </th>
            <td>{system.addresses.join(", ")}</td>
            <td data-test="system-scope">{scope_words(system.scope)}</td>
            <td>{exposure_words(system.exposure)}</td>
            <td>{role_words(system.role)}</td>
        </tr>
    }
}

/// The form that adds a system, then opens its page.
#[component]
fn AddSystem(changed: RwSignal<u32>) -> impl IntoView {
    let toasts = Toasts::from_context();
    let navigate = use_navigate();
    let form = SystemForm::new(Scope::ConnectedToCde);
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if form.busy.get_untracked() || !form.check_name() {
            return;
        }
        let request = form.new_system();
        form.busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match ipc::invoke::<SystemAdd>(&request).await {
                Ok(added) => {
                    form.clear();
                    toasts.success(format!("Added {}.", added.name));
                    changed.update(|count| *count += 1);
                    navigate(&system_path(&added), Default::default());
                }
                Err(error) => form.error.set(Some(error)),
            }
            form.busy.set(false);
        });
    };
    view! {
        <Card title="Add a system">
            <form on:submit=add data-test="system-form" novalidate>
                <SystemFields form ask_scope=true />
                <button
                    class="button primary"
                    type="submit"
                    data-test="system-add"
                    aria-disabled=move || form.busy.get().then_some("true")
                >
                    "Add system"
                </button>
            </form>
        </Card>
    }
}
