//! The Review step's decisions, as the tests give them: one way to fill a
//! decision card, whether it sits in the guided check's Review step or on
//! a finding's own page.

use anyhow::{Context, Result};

use crate::AppSession;

/// Disputes what fails on the decision card `card` (a CSS selector) with
/// the ASV as a false positive, with `evidence`, submitted by Sam Owner,
/// and waits until the card says so. With `screenshot`, saves the filled
/// form under that name (both themes) before it is sent.
pub async fn dispute(
    app: &AppSession,
    card: &str,
    evidence: &str,
    screenshot: Option<&str>,
) -> Result<()> {
    app.click(&format!("{card} [data-test=answer-dispute]"))
        .await?;
    app.wait_for_element(&format!("{card} [data-test=dispute-form]"))
        .await?;
    app.click(&format!("{card} [data-test=grounds-false-positive]"))
        .await?;
    app.type_into(&format!("{card} [data-test=field-evidence]"), evidence)
        .await?;
    let who = format!("{card} [data-test=field-submitted-by]");
    app.scroll_to(&who).await?;
    app.type_into(&who, "Sam Owner").await?;
    if let Some(name) = screenshot {
        app.scroll_to(&format!("{card} [data-test=dispute-form]"))
            .await?;
        app.screenshot_both_themes(name).await?;
    }
    app.click(&format!("{card} [data-test=dispute-save]"))
        .await?;
    app.wait_for_attribute(
        &format!("{card} [data-test=answer-status]"),
        "data-answer",
        "disputed",
    )
    .await
    .with_context(|| format!("disputing {card}"))
}
