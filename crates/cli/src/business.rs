//! `portcullis business [--name NAME] [--service-provider yes|no]`: the
//! facts about the business that Portcullis keeps, shown, or set when
//! given.

use std::process::ExitCode;

use crate::Failure;
use crate::context::{Session, failure, safe};

#[derive(Debug, clap::Args)]
pub struct BusinessArgs {
    /// The name the documents carry.
    #[arg(long)]
    name: Option<String>,
    /// Whether the business stores, processes or transmits card data for
    /// other businesses: a service provider tests its segmentation every
    /// six months (PCI DSS 11.4.6), a merchant every twelve (11.4.5).
    #[arg(long, value_parser = parse_yes_no)]
    service_provider: Option<bool>,
}

fn parse_yes_no(text: &str) -> Result<bool, String> {
    match text {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(format!("'{other}' is not yes or no")),
    }
}

pub async fn run(session: &Session, args: BusinessArgs) -> Result<ExitCode, Failure> {
    let workspace = session.open().await?;
    let name = workspace
        .business_name(args.name.as_deref())
        .await
        .map_err(failure)?;
    let provider = workspace
        .service_provider(args.service_provider)
        .await
        .map_err(failure)?;
    println!("Business name: {}", safe(&name));
    println!(
        "Service provider: {}",
        match provider {
            true => "yes (segmentation tested every six months, PCI DSS 11.4.6)",
            false => "no (segmentation tested every twelve months, PCI DSS 11.4.5)",
        }
    );
    Ok(ExitCode::SUCCESS)
}
