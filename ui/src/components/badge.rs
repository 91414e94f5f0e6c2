//! A verdict badge in the ASV's terms. Each level carries a word and an
//! icon as well as a colour, so it reads the same without colour (WCAG
//! 1.4.1) and in forced-colour modes.

use leptos::prelude::*;
use portcullis_model::compliance::Verdict;

/// What an Approved Scanning Vendor would say about a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadgeLevel {
    Fail,
    /// Disputed with the ASV: it passes only if the ASV agrees.
    Disputed,
    NeedsReason,
    Fine,
}

impl BadgeLevel {
    pub fn words(self) -> &'static str {
        match self {
            BadgeLevel::Fail => "Will fail your ASV scan",
            BadgeLevel::Disputed => "Passes only if your ASV accepts the dispute",
            BadgeLevel::NeedsReason => "Needs a stated business need",
            BadgeLevel::Fine => "Fine",
        }
    }

    fn icon(self) -> &'static str {
        match self {
            BadgeLevel::Fail => "✕",
            BadgeLevel::Disputed => "?",
            BadgeLevel::NeedsReason => "!",
            BadgeLevel::Fine => "✓",
        }
    }

    /// The `data-level` the stylesheet colours by.
    fn key(self) -> &'static str {
        match self {
            BadgeLevel::Fail => "fail",
            BadgeLevel::Disputed => "disputed",
            BadgeLevel::NeedsReason => "needs-reason",
            BadgeLevel::Fine => "fine",
        }
    }
}

impl From<Verdict> for BadgeLevel {
    fn from(verdict: Verdict) -> BadgeLevel {
        match verdict {
            Verdict::Fail => BadgeLevel::Fail,
            Verdict::Disputed => BadgeLevel::Disputed,
            Verdict::ActionNeeded => BadgeLevel::NeedsReason,
            Verdict::Pass => BadgeLevel::Fine,
        }
    }
}

#[component]
pub fn Badge(level: BadgeLevel) -> impl IntoView {
    view! {
        <span class="badge" data-level=level.key() data-test="badge">
            <span aria-hidden="true">{level.icon()}</span>
            {level.words()}
        </span>
    }
}
