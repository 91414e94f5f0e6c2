//! The questions every system answers (its name, addresses, what it does,
//! whether it handles card data, whether the internet reaches it), asked
//! the same way wherever a system is added or edited: in the wizard's
//! second step and on the Systems pages.

use leptos::prelude::*;
use portcullis_model::AppError;
use portcullis_model::compliance::{Exposure, NewSystem, Scope, System, SystemRole};
use portcullis_model::requests::SystemEdit;

use crate::components::{Choice, ChoiceGroup, ChoiceKind, Field};
use crate::text::sentence;

/// Each role: the answer, its key and its words.
const ROLES: [(SystemRole, &str, &str); 6] = [
    (
        SystemRole::WebServer,
        "web-server",
        "Runs my website or shop",
    ),
    (
        SystemRole::Payment,
        "payment",
        "Takes payments (till, terminal, payment software)",
    ),
    (SystemRole::Database, "database", "Holds a database"),
    (SystemRole::Office, "office", "Office computer or printer"),
    (
        SystemRole::NetworkDevice,
        "network-device",
        "Router, firewall or Wi-Fi",
    ),
    (SystemRole::Other, "other", "Something else"),
];

/// Each scope: the answer, its key, its title and what it means.
const SCOPES: [(Scope, &str, &str, &str); 3] = [
    (
        Scope::Cde,
        "cde",
        "It handles card numbers",
        "It stores, processes or sends card data. PCI DSS calls this the card-data environment (CDE).",
    ),
    (
        Scope::ConnectedToCde,
        "connected",
        "It is connected to what handles card numbers",
        "It can reach those systems or change their security, so PCI DSS covers it too.",
    ),
    (
        Scope::OutOfScope,
        "out-of-scope",
        "It is cut off from card data",
        "Its findings are shown but do not count. A segmentation test must prove the cut (PCI DSS 11.4.5).",
    ),
];

pub fn role_words(role: SystemRole) -> &'static str {
    ROLES
        .iter()
        .find(|(value, _, _)| *value == role)
        .map_or("Something else", |(_, _, words)| words)
}

/// The scope as a short phrase for a table cell.
pub fn scope_words(scope: Scope) -> &'static str {
    match scope {
        Scope::Cde => "Handles card data",
        Scope::ConnectedToCde => "Connected to card data",
        Scope::OutOfScope => "Out of scope",
    }
}

pub fn exposure_words(exposure: Exposure) -> &'static str {
    match exposure {
        Exposure::External => "Reachable from the internet",
        Exposure::Internal => "Inside your network only",
    }
}

/// "shop.example.com, 203.0.113.10" as two addresses; blanks dropped.
pub fn split_addresses(typed: &str) -> Vec<String> {
    typed
        .split([',', ' ', '\n'])
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A system's answers as typed, with the refusal being shown.
#[derive(Debug, Clone, Copy)]
pub struct SystemForm {
    pub name: RwSignal<String>,
    pub addresses: RwSignal<String>,
    pub role: RwSignal<SystemRole>,
    pub scope: RwSignal<Scope>,
    pub exposure: RwSignal<Exposure>,
    pub error: RwSignal<Option<AppError>>,
    pub busy: RwSignal<bool>,
}

impl SystemForm {
    /// An empty form; a new system is in `scope` unless the person says
    /// otherwise.
    pub fn new(scope: Scope) -> SystemForm {
        SystemForm {
            name: RwSignal::new(String::new()),
            addresses: RwSignal::new(String::new()),
            role: RwSignal::new(SystemRole::WebServer),
            scope: RwSignal::new(scope),
            exposure: RwSignal::new(Exposure::External),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// A form holding what `system` says now, to be edited.
    pub fn of(system: &System) -> SystemForm {
        let form = SystemForm::new(system.scope);
        form.name.set(system.name.clone());
        form.addresses.set(system.addresses.join(", "));
        form.role.set(system.role);
        form.exposure.set(system.exposure);
        form
    }

    pub fn clear(self) {
        self.name.set(String::new());
        self.addresses.set(String::new());
        self.error.set(None);
    }

    /// Refuses a blank name here, beside the field, before asking the
    /// backend (which checks everything else).
    pub fn check_name(self) -> bool {
        if self.name.with_untracked(|name| name.trim().is_empty()) {
            self.error.set(Some(AppError::bad_input(
                "name",
                "Give the system a name you will recognise.",
            )));
            return false;
        }
        true
    }

    /// The error's message when it concerns `field`.
    pub fn error_for(self, field: &'static str) -> Signal<Option<String>> {
        crate::components::field::error_for(self.error, field)
    }

    /// The error's message when it concerns no field of the form.
    pub fn general_error(self) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.error.with(|error| {
                error
                    .as_ref()
                    .filter(|error| !matches!(error.field.as_deref(), Some("name" | "addresses")))
                    .map(|error| sentence(&error.message))
            })
        })
    }

    pub fn new_system(self) -> NewSystem {
        NewSystem {
            name: self.name.get_untracked().trim().to_owned(),
            addresses: split_addresses(&self.addresses.get_untracked()),
            role: self.role.get_untracked(),
            scope: self.scope.get_untracked(),
            exposure: self.exposure.get_untracked(),
            notes: String::new(),
        }
    }

    /// Every answer of the form as an edit of `system`.
    pub fn edit_of(self, system: &System) -> SystemEdit {
        let mut edit = SystemEdit::of(system.id);
        edit.name = Some(self.name.get_untracked().trim().to_owned());
        edit.addresses = Some(split_addresses(&self.addresses.get_untracked()));
        edit.role = Some(self.role.get_untracked());
        edit.scope = Some(self.scope.get_untracked());
        edit.exposure = Some(self.exposure.get_untracked());
        edit
    }
}

/// A native select: the role matters less than the rest, so it takes one
/// line, not a group of options.
#[component]
pub fn RolePicker(role: RwSignal<SystemRole>) -> impl IntoView {
    view! {
        <div class="field">
            <label for="role">"What it does"</label>
            <select
                id="role"
                data-test="field-role"
                on:change=move |event| {
                    let key = event_target_value(&event);
                    if let Some((chosen, _, _)) = ROLES.iter().find(|(_, k, _)| *k == key) {
                        role.set(*chosen);
                    }
                }
            >
                {ROLES
                    .into_iter()
                    .map(|(value, key, words)| {
                        view! {
                            <option value=key selected=move || role.get() == value>
                                {words}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn ExposurePicker(exposure: RwSignal<Exposure>) -> impl IntoView {
    view! {
        <ChoiceGroup id="exposure" legend="Can it be reached from the internet?">
            <Choice
                kind=ChoiceKind::Radio
                name="exposure"
                title="Yes"
                detail="Anyone on the internet can connect to it, like a web server."
                checked=Signal::derive(move || exposure.get() == Exposure::External)
                on_change=move |_| exposure.set(Exposure::External)
                test_id="exposure-external"
            />
            <Choice
                kind=ChoiceKind::Radio
                name="exposure"
                title="No, only from inside"
                detail="It is reached only from your office or shop network."
                checked=Signal::derive(move || exposure.get() == Exposure::Internal)
                on_change=move |_| exposure.set(Exposure::Internal)
                test_id="exposure-internal"
            />
        </ChoiceGroup>
    }
}

/// Where the system stands with card data: what decides which PCI DSS
/// rules apply to it.
#[component]
pub fn ScopePicker(scope: RwSignal<Scope>) -> impl IntoView {
    view! {
        <ChoiceGroup id="scope" legend="Does it handle card numbers?">
            {SCOPES
                .into_iter()
                .map(|(value, key, title, detail)| {
                    view! {
                        <Choice
                            kind=ChoiceKind::Radio
                            name="scope"
                            title=title
                            detail=detail
                            checked=Signal::derive(move || scope.get() == value)
                            on_change=move |_| scope.set(value)
                            test_id=format!("scope-{key}")
                        />
                    }
                })
                .collect_view()}
        </ChoiceGroup>
    }
}

/// Every question of the form, each refusal beside its field and the one
/// that concerns no field above the form's button. The wizard leaves out
/// the scope (`ask_scope: false`): there, step 1 answered it.
#[component]
pub fn SystemFields(form: SystemForm, ask_scope: bool) -> impl IntoView {
    view! {
        <Field
            id="name"
            label="Name"
            hint="A name you will recognise, like \"Web shop\" or \"Shop router\"."
            value=form.name
            error=form.error_for("name")
        />
        <Field
            id="addresses"
            label="Address or host name"
            hint="For example shop.example.com or 203.0.113.10. Separate several with commas."
            value=form.addresses
            error=form.error_for("addresses")
        />
        <RolePicker role=form.role />
        {ask_scope.then(|| view! { <ScopePicker scope=form.scope /> })}
        <ExposurePicker exposure=form.exposure />
        {general_error_line(form)}
    }
}

/// The form's refusal that concerns no field, above its button.
pub fn general_error_line(form: SystemForm) -> impl IntoView {
    move || {
        form.general_error().get().map(|message| {
            view! {
                <p class="form-error" role="alert" data-test="form-error">
                    {message}
                </p>
            }
        })
    }
}
