//! `portcullis fix FINDING [--platform P]`: the steps that fix a finding
//! on the system's platform, with the commands filled in, what to check,
//! what could break, when to ask the provider, and how to undo it. A
//! platform given is remembered for the finding's system.

use std::process::ExitCode;

use portcullis_model::FindingId;
use portcullis_model::compliance::{FixSteps, Platform, PlatformChoice};

use crate::Failure;
use crate::context::{Session, failure, print_json, safe};

#[derive(Debug, clap::Args)]
pub struct FixArgs {
    /// The finding to fix (see `portcullis findings`).
    finding: FindingId,
    /// The platform the system runs on; remembered for the system. Without
    /// it: the one given before, or a guess from the scan.
    #[arg(long, value_parser = parse_platform)]
    platform: Option<Platform>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::from_id(text).ok_or_else(|| {
        let known: Vec<&str> = Platform::ALL.iter().map(|p| p.id()).collect();
        format!("no platform named '{text}': one of {}", known.join(", "))
    })
}

pub async fn run(session: &Session, args: FixArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let steps = workspace
        .fix_steps(args.finding, args.platform)
        .await
        .map_err(failure)?;
    if args.json {
        print_json(&steps)?;
    } else {
        print!("{}", render(&steps));
    }
    Ok(ExitCode::SUCCESS)
}

/// The steps as a merchant reads them in a terminal.
fn render(steps: &FixSteps) -> String {
    let mut out = String::new();
    let platform = steps.platform.name();
    let on = match &steps.choice {
        PlatformChoice::Stated => format!("For {platform}."),
        PlatformChoice::Guessed(clue) => format!(
            "For {platform}: a guess ({}). Not right? Add --platform (one of {}).",
            safe(clue),
            platform_ids()
        ),
        PlatformChoice::Assumed => format!(
            "For {platform}, the most common. Not right? Add --platform (one of {}).",
            platform_ids()
        ),
    };
    out.push_str(&format!("{}\n{on}\n\n", safe(&steps.title)));
    for text in [&steps.what, &steps.why] {
        if !text.is_empty() {
            out.push_str(&format!("{}\n", safe(text)));
        }
    }
    if !steps.requirements.is_empty() {
        out.push_str(&format!(
            "PCI DSS requirements: {}\n",
            steps.requirements.join(", ")
        ));
    }
    out.push_str("\nSteps:\n");
    for (number, step) in steps.steps.iter().enumerate() {
        out.push_str(&format!("  {}. {}\n", number + 1, safe(step)));
    }
    for (label, text) in [
        ("Check afterwards", &steps.check),
        ("What could break", &steps.breaks),
        ("Ask your provider instead", &steps.provider),
        ("To undo", &steps.undo),
    ] {
        out.push_str(&format!("\n{label}: {}\n", safe(text)));
    }
    out.push_str(&format!(
        "\nThen prove it: portcullis verify {}\n",
        steps.finding_id
    ));
    out
}

fn platform_ids() -> String {
    Platform::ALL
        .iter()
        .map(|p| p.id())
        .collect::<Vec<_>>()
        .join(", ")
}
