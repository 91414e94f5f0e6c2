//! The sentences step 1 shows about its answers: what each questionnaire
//! means for the merchant and what it puts in scope. The rule that picks
//! them is `portcullis_model::wizard::saq_advice`; only the words are here.

use portcullis_model::wizard::{Hosting, InScope, Saq, SaqAdvice};

/// The one sentence that answers "which SAQ?".
pub fn headline(advice: &SaqAdvice) -> String {
    match advice.saqs.as_slice() {
        [] => "Answer the questions above to see which questionnaire applies.".to_owned(),
        [saq] => format!(
            "Your bank will usually ask you for Self-Assessment Questionnaire (SAQ) {}.",
            saq.name()
        ),
        several => format!(
            "You take cards in more than one way, which points to {}. Ask your bank whether they want one questionnaire for each, or SAQ D.",
            list(several.iter().map(|saq| format!("SAQ {}", saq.name())))
        ),
    }
}

/// What a questionnaire means for the merchant, in one sentence.
pub fn meaning(saq: Saq) -> &'static str {
    match saq {
        Saq::A => {
            "SAQ A: your payment provider handles every card number. You keep your website safe, because it decides where customers pay."
        }
        Saq::AEp => {
            "SAQ A-EP: card numbers never reach your server, but your page builds the payment form, so your website is checked much more closely."
        }
        Saq::B => {
            "SAQ B: terminals that use a phone line or their own mobile connection. Nothing on your network handles cards."
        }
        Saq::BIp => {
            "SAQ B-IP: approved terminals that connect over the internet. The network they use must be kept safe and apart from other machines."
        }
        Saq::C => {
            "SAQ C: payment software on a till or computer that is connected to the internet. That computer and its network must be secured."
        }
        Saq::D => {
            "SAQ D: your own systems handle card numbers, so every PCI DSS requirement applies to them."
        }
    }
}

pub fn in_scope(item: InScope) -> &'static str {
    match item {
        InScope::ShopWebsite => "The server that runs your website.",
        InScope::CardDataSystems => {
            "Every system that receives, stores or passes on card numbers, and every system that can reach them."
        }
        InScope::PaymentComputer => "The till or computer that runs the payment software.",
        InScope::ShopNetwork => "The shop network your terminals or till use, and its router.",
        InScope::OfficeNetwork => "Your office network, because your web server sits in it.",
    }
}

/// Said when nothing of the merchant's needs a network scan.
pub const NOTHING_IN_SCOPE: &str = "Nothing of yours on a network handles card numbers, so there is little to scan. You can still check your other systems.";

/// What the hosting means for fixing what the scan finds.
pub fn hosting_note(hosting: Hosting) -> Option<&'static str> {
    match hosting {
        Hosting::Shared => Some(
            "On shared hosting you cannot change the server's ports yourself: Portcullis will help you write to your host instead. Check your host's terms before scanning, as some forbid it.",
        ),
        Hosting::RentedServer => Some(
            "You control this server's firewall, so you can close ports yourself with the steps Portcullis shows.",
        ),
        Hosting::OwnPremises => Some(
            "You control the server and the network around it, so you can close ports yourself.",
        ),
        Hosting::NoWebsite => None,
    }
}

/// "A", "A and B", "A, B and C".
fn list(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}
