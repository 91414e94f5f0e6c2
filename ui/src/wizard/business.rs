//! Step 1, "Your business": how cards are taken and where the website
//! runs, and from those, on the same screen, the questionnaire that usually
//! means and what it puts in scope. Each answer is saved as it is given.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use portcullis_model::wizard::{
    BusinessProfile, CardChannel, Hosting, TerminalLink, WizardStep, saq_advice,
};

use super::{WizardState, saq_words, step_path};
use crate::components::{Choice, ChoiceGroup, ChoiceKind};

/// Each way of taking cards: the answer, its words and its explanation.
const CHANNELS: [(CardChannel, &str, &str, &str); 5] = [
    (
        CardChannel::HostedPage,
        "hosted-page",
        "Customers are sent to my payment provider's page to pay",
        "For example a PayPal or Stripe checkout page: the card number is typed on the provider's own page.",
    ),
    (
        CardChannel::ProviderFrame,
        "provider-frame",
        "A payment form from my provider appears inside my page",
        "The provider shows its form in a frame on your checkout page; your site never sees the card number.",
    ),
    (
        CardChannel::ProviderScript,
        "provider-script",
        "My checkout page has the card fields, and my provider's code sends them",
        "Your page shows the fields, and a script from the provider sends the card number straight to them.",
    ),
    (
        CardChannel::OwnCheckout,
        "own-checkout",
        "My own website or software receives the card number",
        "Your site or program takes the card number and passes it on to the bank.",
    ),
    (
        CardChannel::Terminals,
        "terminals",
        "Card terminals in my shop",
        "Customers tap or insert their card in person.",
    ),
];

const TERMINAL_LINKS: [(TerminalLink, &str, &str, &str); 3] = [
    (
        TerminalLink::PhoneOrMobile,
        "phone-or-mobile",
        "A phone line or their own mobile connection",
        "They do not use the shop's network at all.",
    ),
    (
        TerminalLink::ShopInternet,
        "shop-internet",
        "The shop's internet, on their own",
        "Each terminal plugs into the shop's network or Wi-Fi.",
    ),
    (
        TerminalLink::Till,
        "till",
        "A till or computer that runs payment software",
        "The terminal is attached to a computer that talks to the bank.",
    ),
];

const HOSTINGS: [(Hosting, &str, &str, &str); 4] = [
    (
        Hosting::Shared,
        "shared",
        "Shared hosting",
        "A hosting company runs the server, shared with other customers; you manage your site in their control panel.",
    ),
    (
        Hosting::RentedServer,
        "rented-server",
        "A server I rent (VPS or cloud)",
        "You or your developer log in to the server and look after it.",
    ),
    (
        Hosting::OwnPremises,
        "own-premises",
        "A server in my office or shop",
        "The machine is on your own premises and network.",
    ),
    (
        Hosting::NoWebsite,
        "no-website",
        "I have no website",
        "You take cards in person only, or through payment links your provider sends.",
    ),
];

#[component]
pub fn BusinessStep() -> impl IntoView {
    let state = WizardState::from_context();
    let initial = state
        .progress
        .get_untracked()
        .and_then(|progress| progress.business)
        .unwrap_or_default();
    let profile = RwSignal::new(initial);
    let tried_to_continue = RwSignal::new(false);
    let change = move |edit: &dyn Fn(&mut BusinessProfile)| {
        profile.update(|profile| edit(profile));
        let answers = profile.get_untracked();
        state.update(move |progress| progress.business = Some(answers));
    };

    let missing = move |question: Question| {
        Signal::derive(move || {
            (tried_to_continue.get() && profile.with(|profile| question.is_unanswered(profile)))
                .then(|| question.prompt().to_owned())
        })
    };
    let takes_terminals = move || profile.with(|profile| profile.takes(CardChannel::Terminals));

    let navigate = use_navigate();
    let go_on = move |_| {
        if profile.with_untracked(BusinessProfile::is_complete) {
            state.go_to(WizardStep::Systems);
            navigate(&step_path(WizardStep::Systems), Default::default());
        } else {
            tried_to_continue.set(true);
        }
    };

    view! {
        <p class="lead">
            "Two questions about how you take card payments. From your answers, Portcullis tells you which PCI DSS questionnaire usually applies to you and which systems its scans must cover."
        </p>
        <ChoiceGroup
            id="channels"
            legend="How do customers pay you by card? Tick all that apply."
            error=missing(Question::Channels)
            columns=true
        >
            {CHANNELS
                .into_iter()
                .map(|(channel, key, title, detail)| {
                    view! {
                        <Choice
                            kind=ChoiceKind::Checkbox
                            name="channels"
                            title=title
                            detail=detail
                            checked=Signal::derive(move || profile.with(|p| p.takes(channel)))
                            on_change=move |ticked| change(&|p| toggle(p, channel, ticked))
                            test_id=format!("channel-{key}")
                        />
                    }
                })
                .collect_view()}
            <Show when=takes_terminals>
                <ChoiceGroup
                    id="terminal-link"
                    legend="How do your card terminals connect?"
                    error=missing(Question::TerminalLink)
                    nested=true
                    columns=true
                >
                    {TERMINAL_LINKS
                        .into_iter()
                        .map(|(link, key, title, detail)| {
                            view! {
                                <Choice
                                    kind=ChoiceKind::Radio
                                    name="terminal-link"
                                    title=title
                                    detail=detail
                                    checked=Signal::derive(move || {
                                        profile.with(|p| p.terminal_link == Some(link))
                                    })
                                    on_change=move |_| change(&|p| p.terminal_link = Some(link))
                                    test_id=format!("terminal-{key}")
                                />
                            }
                        })
                        .collect_view()}
                </ChoiceGroup>
            </Show>
        </ChoiceGroup>
        <ChoiceGroup
            id="hosting"
            legend="Where does your website run?"
            error=missing(Question::Hosting)
            columns=true
        >
            {HOSTINGS
                .into_iter()
                .map(|(hosting, key, title, detail)| {
                    view! {
                        <Choice
                            kind=ChoiceKind::Radio
                            name="hosting"
                            title=title
                            detail=detail
                            checked=Signal::derive(move || profile.with(|p| p.hosting == Some(hosting)))
                            on_change=move |_| change(&|p| p.hosting = Some(hosting))
                            test_id=format!("hosting-{key}")
                        />
                    }
                })
                .collect_view()}
        </ChoiceGroup>
        <Advice profile />
        <div class="actions">
            <button class="button primary" type="button" on:click=go_on data-test="wizard-next">
                "Continue to Your systems"
            </button>
        </div>
    }
}

/// What the answers usually mean, updated as they change and announced
/// politely to screen readers.
#[component]
fn Advice(profile: RwSignal<BusinessProfile>) -> impl IntoView {
    let advice = Memo::new(move |_| profile.with(saq_advice));
    let hosting = move || profile.with(|profile| profile.hosting);
    view! {
        <section class="card highlight advice" aria-live="polite" data-test="saq-advice">
            <h2>"What this usually means"</h2>
            {move || match advice.get() {
                None => {
                    view! {
                        <p data-test="saq-sentence" data-complete="false">
                            "Answer both questions to see which questionnaire usually applies to you."
                        </p>
                    }
                        .into_any()
                }
                Some(advice) => {
                    view! {
                        <p data-test="saq-sentence" data-complete="true">
                            <strong>{saq_words::headline(&advice)}</strong>
                        </p>
                        {advice
                            .saqs
                            .iter()
                            .map(|saq| view! { <p>{saq_words::meaning(*saq)}</p> })
                            .collect_view()}
                        <h3>"What your scans must cover"</h3>
                        {if advice.in_scope.is_empty() {
                            view! { <p>{saq_words::NOTHING_IN_SCOPE}</p> }.into_any()
                        } else {
                            view! {
                                <ul data-test="in-scope">
                                    {advice
                                        .in_scope
                                        .iter()
                                        .map(|item| view! { <li>{saq_words::in_scope(*item)}</li> })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                        {hosting().and_then(saq_words::hosting_note).map(|note| view! { <p>{note}</p> })}
                        <p class="muted">
                            "Only your bank (your acquirer) can confirm which questionnaire applies to you."
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// A question of this step that may be left unanswered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Question {
    Channels,
    TerminalLink,
    Hosting,
}

impl Question {
    fn is_unanswered(self, profile: &BusinessProfile) -> bool {
        match self {
            Question::Channels => profile.channels.is_empty(),
            Question::TerminalLink => {
                profile.takes(CardChannel::Terminals) && profile.terminal_link.is_none()
            }
            Question::Hosting => profile.hosting.is_none(),
        }
    }

    /// What to do, said beside the question.
    fn prompt(self) -> &'static str {
        match self {
            Question::Channels => "Tick at least one way you take cards.",
            Question::TerminalLink => "Choose how your terminals connect.",
            Question::Hosting => "Choose where your website runs, or that you have none.",
        }
    }
}

fn toggle(profile: &mut BusinessProfile, channel: CardChannel, ticked: bool) {
    profile.channels.retain(|taken| *taken != channel);
    if ticked {
        profile.channels.push(channel);
        profile.channels.sort_unstable();
    } else if channel == CardChannel::Terminals {
        profile.terminal_link = None;
    }
}
