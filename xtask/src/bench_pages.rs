//! `cargo xtask bench pages`: the pages a merchant comes back to, on the
//! store bench's database (5,000 systems, 20,000 inventory entries, 20,000
//! findings, over 2,000,000 port observations), in the real release app.
//!
//! - navigation to interactive: for the Dashboard, Inventory and Findings
//!   pages, the milliseconds from the click on the page's link until the
//!   page's content (not its "Loading" line) is painted, measured in the
//!   page: `performance.now()` around `click()`, then every animation frame
//!   until the content is there, and one frame more (the one that shows
//!   it). The budget is 300 ms.
//! - scrolling the inventory: the window's main area scrolled a few pixels
//!   each frame from the top to the bottom and back, and the time between
//!   frames meanwhile (16.7 ms is 60 frames a second); and the time from a
//!   click on "Next" until the next 50 rows are painted.
//!
//! Each page's screenshot goes to `target/e2e/bench-pages-<page>.png`.
//!
//! The bench copies the database into a fresh data directory first, so the
//! generated one stays as it is. Nothing is scanned.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use fantoccini::Client;

use crate::bench_app::{open_session, percentile, tempfile_dir, wait_until_interactive};
use crate::{bench_store, compile, display, setup};

const BUDGET_MS: f64 = 300.0;

/// Each page: its link, and what shows once its content is there. The
/// dashboard is measured twice: to its charts, and to its status headline
/// with the systems that need the merchant most.
const PAGES: [(&str, &str, &str); 4] = [
    (
        "Dashboard",
        "nav-dashboard",
        "[data-test=bar-chart], [data-test=no-open-findings]",
    ),
    ("Status", "nav-dashboard", "[data-test=status-headline]"),
    ("Inventory", "nav-inventory", "[data-test=inventory-row]"),
    ("Findings", "nav-findings", "[data-test=finding-row]"),
];

pub fn run(runs: usize, no_build: bool) -> Result<()> {
    setup::run()?;
    let app = if no_build {
        compile::app_binary(true)?
    } else {
        compile::build_ui(true)?;
        compile::build_app(true)?
    };
    let generated = bench_store::ensure_database(false)?;
    let data_dir = tempfile_dir("portcullis-bench-pages")?;
    copy_database(&generated, &data_dir)?;
    let display = display::ensure()?;
    tokio::runtime::Runtime::new()?.block_on(async {
        let (mut driver, client) = open_session(&app, &data_dir, &display, &[]).await?;
        let outcome = measure(&client, runs).await;
        let _ = client.close().await;
        let _ = driver.kill();
        let _ = driver.wait();
        outcome
    })
}

/// The database file and its write-ahead log, if any.
fn copy_database(from: &Path, to: &Path) -> Result<()> {
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let is_database = name
            .to_string_lossy()
            .starts_with(portcullis_store::DATABASE_FILE_NAME);
        if is_database && entry.file_type()?.is_file() {
            std::fs::copy(entry.path(), to.join(&name))
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

async fn measure(client: &Client, runs: usize) -> Result<()> {
    wait_until_interactive(client).await?;
    // The first visit migrates and warms SQLite's cache; it is not counted.
    for (_, link, ready) in PAGES {
        navigate(client, link, ready).await?;
    }
    println!(
        "Navigation to interactive on the store bench's database, {runs} runs each (budget {BUDGET_MS} ms):"
    );
    for (name, link, ready) in PAGES {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            navigate(client, "nav-start", "[data-test=page][data-page=nav-start]").await?;
            times.push(navigate(client, link, ready).await?);
        }
        let median = percentile(&mut times, 0.5);
        let worst = percentile(&mut times, 1.0);
        let verdict = if median <= BUDGET_MS {
            "within budget"
        } else {
            "OVER BUDGET"
        };
        println!("  {name:<10} median {median:>7.1} ms, worst {worst:>7.1} ms  ({verdict})");
        save_screenshot(client, name).await?;
    }
    navigate(client, "nav-inventory", "[data-test=inventory-row]").await?;
    let mut frames = scroll_frames(client).await?;
    println!(
        "Scrolling the inventory page: {} frames, between frames median {:.1} ms, 95th percentile {:.1} ms, worst {:.1} ms",
        frames.len(),
        percentile(&mut frames, 0.5),
        percentile(&mut frames, 0.95),
        percentile(&mut frames, 1.0)
    );
    let mut pages = Vec::with_capacity(runs);
    for _ in 0..runs {
        pages.push(next_page(client).await?);
    }
    println!(
        "The inventory's next 50 rows: median {:.1} ms from the click to the frame that shows them",
        percentile(&mut pages, 0.5)
    );
    Ok(())
}

/// Saves the window as `target/e2e/bench-pages-<page>.png`: what the page
/// looks like over thousands of rows.
async fn save_screenshot(client: &Client, page: &str) -> Result<()> {
    let dir = crate::paths::target_dir().join("e2e");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("bench-pages-{}.png", page.to_lowercase()));
    std::fs::write(&path, client.screenshot().await?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    println!("  (screenshot: {})", path.display());
    Ok(())
}

/// Clicks the navigation link `link` and returns the milliseconds until
/// the frame after `ready` matched.
async fn navigate(client: &Client, link: &str, ready: &str) -> Result<f64> {
    let script = r#"
        const [link, ready, done] = arguments;
        const started = performance.now();
        document.querySelector(`[data-test=${link}]`).click();
        const deadline = started + 60000;
        const poll = () => {
            if (document.querySelector(ready)) {
                requestAnimationFrame(() => done(performance.now() - started));
            } else if (performance.now() > deadline) {
                done(-1);
            } else {
                requestAnimationFrame(poll);
            }
        };
        requestAnimationFrame(poll);
    "#;
    let took = client
        .execute_async(script, vec![link.into(), ready.into()])
        .await?
        .as_f64()
        .context("the time was not a number")?;
    anyhow::ensure!(took >= 0.0, "{link}: {ready} never showed");
    Ok(took)
}

/// Scrolls the main area to the bottom and back, 24 pixels a frame, and
/// returns the time between frames.
async fn scroll_frames(client: &Client) -> Result<Vec<f64>> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const area = document.querySelector('main.content');
        const gaps = [];
        let last = performance.now();
        let direction = 1;
        let turns = 0;
        const step = (now) => {
            gaps.push(now - last);
            last = now;
            const before = area.scrollTop;
            area.scrollTop = before + 24 * direction;
            if (area.scrollTop === before) {
                direction = -direction;
                turns += 1;
            }
            if (turns >= 2 || gaps.length > 2000) {
                done(gaps.slice(1));
            } else {
                requestAnimationFrame(step);
            }
        };
        requestAnimationFrame((now) => { last = now; requestAnimationFrame(step); });
    "#;
    let gaps: Vec<f64> = serde_json::from_value(client.execute_async(script, vec![]).await?)?;
    anyhow::ensure!(!gaps.is_empty(), "no frame was drawn while scrolling");
    Ok(gaps)
}

/// Clicks the inventory's "Next" and returns the milliseconds until the
/// frame after its first row changed.
async fn next_page(client: &Client) -> Result<f64> {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const first = () => document.querySelector('[data-test=inventory-row]')?.textContent;
        const before = first();
        const next = document.querySelector('[data-test=pager-next]');
        const started = performance.now();
        next.click();
        const poll = () => {
            if (first() !== before) {
                requestAnimationFrame(() => done(performance.now() - started));
            } else if (performance.now() - started > 30000) {
                done(-1);
            } else {
                requestAnimationFrame(poll);
            }
        };
        requestAnimationFrame(poll);
    "#;
    let took = client
        .execute_async(script, vec![])
        .await?
        .as_f64()
        .context("the time was not a number")?;
    anyhow::ensure!(took >= 0.0, "the next rows never showed");
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(took)
}
