//! The guided check's saved progress, and the one rule of its first step:
//! which Self-Assessment Questionnaire (SAQ) a merchant's answers usually
//! mean, and what that puts in scope.
//!
//! Plain data and a pure function, so the window can show the answer as the
//! merchant clicks and the backend can save the progress; the sentences a
//! person reads are the shell's. "Usually": only the merchant's acquirer
//! (the bank that handles its card payments) decides which SAQ applies.

use serde::{Deserialize, Serialize};

/// The seven steps of the guided check, in order.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum WizardStep {
    #[default]
    Business,
    Systems,
    Scan,
    Review,
    Fix,
    Verify,
    Done,
}

impl WizardStep {
    pub const ALL: [WizardStep; 7] = [
        WizardStep::Business,
        WizardStep::Systems,
        WizardStep::Scan,
        WizardStep::Review,
        WizardStep::Fix,
        WizardStep::Verify,
        WizardStep::Done,
    ];

    /// The step's name in a URL and on the wire (the serde name).
    pub fn slug(self) -> &'static str {
        match self {
            WizardStep::Business => "business",
            WizardStep::Systems => "systems",
            WizardStep::Scan => "scan",
            WizardStep::Review => "review",
            WizardStep::Fix => "fix",
            WizardStep::Verify => "verify",
            WizardStep::Done => "done",
        }
    }

    pub fn from_slug(slug: &str) -> Option<WizardStep> {
        WizardStep::ALL.into_iter().find(|step| step.slug() == slug)
    }

    /// 1 for the first step, as a person counts.
    pub fn number(self) -> usize {
        WizardStep::ALL
            .iter()
            .position(|step| *step == self)
            .map_or(0, |index| index + 1)
    }

    pub fn next(self) -> Option<WizardStep> {
        WizardStep::ALL.get(self.number()).copied()
    }

    pub fn previous(self) -> Option<WizardStep> {
        self.number()
            .checked_sub(2)
            .and_then(|index| WizardStep::ALL.get(index).copied())
    }
}

/// One way the merchant takes card payments. The online ones differ in
/// who serves the page where the card number is typed, which is what
/// decides between SAQ A, A-EP and D.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardChannel {
    /// Customers are sent to the payment provider's own page to pay.
    HostedPage,
    /// The provider's payment form sits inside the merchant's page in a
    /// frame (iframe) that the provider serves.
    ProviderFrame,
    /// The card fields are on the merchant's page and the provider's script
    /// sends them on (direct post, JavaScript forms).
    ProviderScript,
    /// The merchant's own site or server receives the card number.
    OwnCheckout,
    /// Card terminals where customers pay in person.
    Terminals,
}

/// How card terminals reach the payment provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TerminalLink {
    /// A phone line or the terminal's own mobile connection only.
    PhoneOrMobile,
    /// The shop's internet connection, the terminal on its own.
    ShopInternet,
    /// Through a till or computer that runs payment software.
    Till,
}

/// Where the merchant's website runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Hosting {
    /// A hosting company's server, shared with other customers.
    Shared,
    /// A virtual or cloud server the merchant runs.
    RentedServer,
    /// A server the merchant owns, in the office or shop.
    OwnPremises,
    /// No website of the merchant's own.
    NoWebsite,
}

/// The answers of step 1, "Your business".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessProfile {
    #[serde(default)]
    pub channels: Vec<CardChannel>,
    /// Asked only when `channels` holds [`CardChannel::Terminals`].
    #[serde(default)]
    pub terminal_link: Option<TerminalLink>,
    #[serde(default)]
    pub hosting: Option<Hosting>,
}

impl BusinessProfile {
    pub fn takes(&self, channel: CardChannel) -> bool {
        self.channels.contains(&channel)
    }

    /// Whether every question that applies has an answer.
    pub fn is_complete(&self) -> bool {
        !self.channels.is_empty()
            && self.hosting.is_some()
            && (!self.takes(CardChannel::Terminals) || self.terminal_link.is_some())
    }

    fn takes_cards_online(&self) -> bool {
        self.channels
            .iter()
            .any(|channel| *channel != CardChannel::Terminals)
    }
}

/// A PCI DSS Self-Assessment Questionnaire, least demanding first (the
/// derived order ranks them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Saq {
    A,
    B,
    #[serde(rename = "B-IP")]
    BIp,
    C,
    #[serde(rename = "A-EP")]
    AEp,
    D,
}

impl Saq {
    /// The questionnaire's name as the PCI SSC writes it.
    pub fn name(self) -> &'static str {
        match self {
            Saq::A => "A",
            Saq::B => "B",
            Saq::BIp => "B-IP",
            Saq::C => "C",
            Saq::AEp => "A-EP",
            Saq::D => "D",
        }
    }
}

/// Something the answers put in scope for the scans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InScope {
    /// The server that serves the shop's pages: it sends customers to the
    /// payment page or builds the page they pay on.
    ShopWebsite,
    /// Every system that receives, stores or passes on card numbers, and
    /// every system that can reach them.
    CardDataSystems,
    /// The till or computer that runs payment software.
    PaymentComputer,
    /// The shop network the terminals or the till use, and its router.
    ShopNetwork,
    /// The office network the merchant's own web server sits in.
    OfficeNetwork,
}

/// What the answers of step 1 usually mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaqAdvice {
    /// The questionnaire each way of taking cards points to, without
    /// repeats, most demanding first. More than one means the acquirer may
    /// ask for one each, or for the most demanding.
    pub saqs: Vec<Saq>,
    /// What the scans must cover, in a fixed order; empty when nothing of
    /// the merchant's is on a network that handles cards.
    pub in_scope: Vec<InScope>,
}

/// The SAQ the answers usually mean and what it puts in scope; `None`
/// until every question that applies is answered.
pub fn saq_advice(profile: &BusinessProfile) -> Option<SaqAdvice> {
    if !profile.is_complete() {
        return None;
    }
    let mut saqs: Vec<Saq> = profile
        .channels
        .iter()
        .map(|channel| channel_saq(*channel, profile.terminal_link))
        .collect();
    saqs.sort_unstable_by(|a, b| b.cmp(a));
    saqs.dedup();
    Some(SaqAdvice {
        in_scope: in_scope(profile, &saqs),
        saqs,
    })
}

/// The questionnaire one way of taking cards points to. Terminals whose
/// link is unknown count as the most demanding terminal case.
fn channel_saq(channel: CardChannel, link: Option<TerminalLink>) -> Saq {
    match channel {
        CardChannel::HostedPage | CardChannel::ProviderFrame => Saq::A,
        CardChannel::ProviderScript => Saq::AEp,
        CardChannel::OwnCheckout => Saq::D,
        CardChannel::Terminals => match link {
            Some(TerminalLink::PhoneOrMobile) => Saq::B,
            Some(TerminalLink::ShopInternet) => Saq::BIp,
            Some(TerminalLink::Till) | None => Saq::C,
        },
    }
}

fn in_scope(profile: &BusinessProfile, saqs: &[Saq]) -> Vec<InScope> {
    let has_website = profile
        .hosting
        .is_some_and(|hosting| hosting != Hosting::NoWebsite);
    let mut scope = Vec::new();
    if has_website && profile.takes_cards_online() {
        scope.push(InScope::ShopWebsite);
    }
    if saqs.contains(&Saq::D) {
        scope.push(InScope::CardDataSystems);
    }
    if saqs.contains(&Saq::C) {
        scope.push(InScope::PaymentComputer);
    }
    if saqs.contains(&Saq::BIp) || saqs.contains(&Saq::C) {
        scope.push(InScope::ShopNetwork);
    }
    if profile.hosting == Some(Hosting::OwnPremises) && profile.takes_cards_online() {
        scope.push(InScope::OfficeNetwork);
    }
    scope
}

/// How much of each system the scan step covers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanDepth {
    /// The common ports: minutes.
    #[default]
    Quick,
    /// Every TCP port and the common UDP ports: longer.
    Full,
}

/// Where the merchant is in the guided check, saved at every step so that
/// closing the window and coming back lands on the same step with the same
/// answers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WizardProgress {
    /// The step the merchant is on.
    pub step: WizardStep,
    /// The furthest step reached: every step up to it can be opened again.
    #[serde(default)]
    pub furthest: WizardStep,
    #[serde(default)]
    pub business: Option<BusinessProfile>,
    #[serde(default)]
    pub scan_depth: Option<ScanDepth>,
}

impl WizardProgress {
    /// Whether `step` may be opened: it was reached before (an older save
    /// may know only the current step).
    pub fn can_open(&self, step: WizardStep) -> bool {
        step <= self.furthest.max(self.step)
    }

    /// Moves to `step`, which then counts as reached.
    pub fn go_to(&mut self, step: WizardStep) {
        self.step = step;
        self.furthest = self.furthest.max(step);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(
        channels: &[CardChannel],
        terminal_link: Option<TerminalLink>,
        hosting: Hosting,
    ) -> BusinessProfile {
        BusinessProfile {
            channels: channels.to_vec(),
            terminal_link,
            hosting: Some(hosting),
        }
    }

    fn advice(channels: &[CardChannel], link: Option<TerminalLink>, hosting: Hosting) -> SaqAdvice {
        saq_advice(&profile(channels, link, hosting)).expect("complete answers")
    }

    #[test]
    fn a_hosted_payment_page_or_the_providers_frame_means_saq_a_with_the_website_in_scope() {
        for channel in [CardChannel::HostedPage, CardChannel::ProviderFrame] {
            let advice = advice(&[channel], None, Hosting::Shared);
            assert_eq!(advice.saqs, [Saq::A], "{channel:?}");
            assert_eq!(advice.in_scope, [InScope::ShopWebsite], "{channel:?}");
        }
    }

    #[test]
    fn card_fields_on_the_merchants_page_mean_a_ep_and_an_own_checkout_d() {
        let script = advice(&[CardChannel::ProviderScript], None, Hosting::RentedServer);
        assert_eq!(script.saqs, [Saq::AEp]);
        let own = advice(&[CardChannel::OwnCheckout], None, Hosting::RentedServer);
        assert_eq!(own.saqs, [Saq::D]);
        assert_eq!(
            own.in_scope,
            [InScope::ShopWebsite, InScope::CardDataSystems]
        );
    }

    #[test]
    fn terminals_follow_their_connection() {
        let cases = [
            (TerminalLink::PhoneOrMobile, Saq::B, vec![]),
            (
                TerminalLink::ShopInternet,
                Saq::BIp,
                vec![InScope::ShopNetwork],
            ),
            (
                TerminalLink::Till,
                Saq::C,
                vec![InScope::PaymentComputer, InScope::ShopNetwork],
            ),
        ];
        for (link, saq, scope) in cases {
            let advice = advice(&[CardChannel::Terminals], Some(link), Hosting::NoWebsite);
            assert_eq!(advice.saqs, [saq], "{link:?}");
            assert_eq!(advice.in_scope, scope, "{link:?}");
        }
    }

    #[test]
    fn several_ways_of_taking_cards_list_each_questionnaire_once_most_demanding_first() {
        let advice = advice(
            &[
                CardChannel::HostedPage,
                CardChannel::Terminals,
                CardChannel::ProviderFrame,
            ],
            Some(TerminalLink::ShopInternet),
            Hosting::Shared,
        );
        assert_eq!(advice.saqs, [Saq::BIp, Saq::A]);
        assert_eq!(
            advice.in_scope,
            [InScope::ShopWebsite, InScope::ShopNetwork]
        );
    }

    #[test]
    fn a_web_server_in_the_office_brings_the_office_network_into_scope() {
        let advice = advice(&[CardChannel::HostedPage], None, Hosting::OwnPremises);
        assert_eq!(
            advice.in_scope,
            [InScope::ShopWebsite, InScope::OfficeNetwork]
        );
    }

    #[test]
    fn no_advice_until_every_question_that_applies_is_answered() {
        assert_eq!(saq_advice(&BusinessProfile::default()), None);
        let no_hosting = BusinessProfile {
            channels: vec![CardChannel::HostedPage],
            ..BusinessProfile::default()
        };
        assert_eq!(saq_advice(&no_hosting), None);
        let no_link = profile(&[CardChannel::Terminals], None, Hosting::NoWebsite);
        assert_eq!(saq_advice(&no_link), None);
    }

    #[test]
    fn steps_count_from_one_and_know_their_neighbours_and_slugs() {
        assert_eq!(WizardStep::Business.number(), 1);
        assert_eq!(WizardStep::Done.number(), 7);
        assert_eq!(WizardStep::Business.previous(), None);
        assert_eq!(WizardStep::Business.next(), Some(WizardStep::Systems));
        assert_eq!(WizardStep::Done.next(), None);
        assert_eq!(WizardStep::Done.previous(), Some(WizardStep::Verify));
        for step in WizardStep::ALL {
            assert_eq!(WizardStep::from_slug(step.slug()), Some(step));
            let json = serde_json::to_string(&step).unwrap();
            assert_eq!(json, format!("\"{}\"", step.slug()));
        }
        assert_eq!(WizardStep::from_slug("nowhere"), None);
    }

    #[test]
    fn going_back_keeps_the_furthest_step_reachable() {
        let mut progress = WizardProgress::default();
        assert!(!progress.can_open(WizardStep::Systems));
        progress.go_to(WizardStep::Scan);
        progress.go_to(WizardStep::Business);
        assert_eq!(progress.step, WizardStep::Business);
        assert!(progress.can_open(WizardStep::Scan));
        assert!(!progress.can_open(WizardStep::Review));
    }

    #[test]
    fn progress_round_trips_and_reads_an_older_save_without_the_newer_fields() {
        let progress = WizardProgress {
            step: WizardStep::Systems,
            furthest: WizardStep::Systems,
            business: Some(profile(
                &[CardChannel::Terminals],
                Some(TerminalLink::Till),
                Hosting::NoWebsite,
            )),
            scan_depth: Some(ScanDepth::Full),
        };
        let json = serde_json::to_string(&progress).unwrap();
        assert!(json.contains("\"terminal_link\":\"till\""), "{json}");
        assert_eq!(
            serde_json::from_str::<WizardProgress>(&json).unwrap(),
            progress
        );
        let oldest: WizardProgress = serde_json::from_str(r#"{"step":"scan"}"#).unwrap();
        assert_eq!(oldest.step, WizardStep::Scan);
        assert_eq!(oldest.business, None);
    }
}
