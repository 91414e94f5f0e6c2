//! The store's half of `cargo xtask bench store`, which generates the
//! database (5,000 systems, 20,000 inventory entries, 2,000,000 port
//! observations) and starts this in an optimised build.
//!
//! What a user waits for, from the database file to the answer, each the
//! median of several runs against the budgets of issue 5:
//! - evaluating a stored 65,535-port scan against the inventory (read the
//!   scan, the systems and the inventory, evaluate): under 200 ms; the
//!   reconciliation with the tracked findings that `scan --save` does next
//!   is shown on its own line;
//! - the dashboard's figures (findings by status and severity, open
//!   findings per system, the last scan dates): under 50 ms;
//! - the diff of two stored full scans (read both, compare): under 300 ms.
//!
//! The parts are printed too, so that a missed budget says where the time
//! goes. The process exits 1 when a budget is missed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use chrono::Utc;
use portcullis_compliance::{Coverage, EvaluationInput, assess_tracked, diff, evaluate, reconcile};
use portcullis_model::ScanId;
use portcullis_model::compliance::{InventoryEntry, System, TestingHistory};
use portcullis_model::report::ScanReport;
use portcullis_store::{DATABASE_FILE_NAME, FindingFilter, Store};

/// The two full scans the generator writes last.
const FULL_SCAN_A: ScanId = ScanId(95);
const FULL_SCAN_B: ScanId = ScanId(96);

struct Bench {
    runs: usize,
    all_met: bool,
}

impl Bench {
    /// Runs `work` `runs` times; prints the median and whether it meets
    /// `budget`.
    async fn time<T, F, Fut>(&mut self, name: &str, budget: Option<Duration>, mut work: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let mut times = Vec::with_capacity(self.runs);
        for _ in 0..self.runs {
            let started = Instant::now();
            std::hint::black_box(work().await);
            times.push(started.elapsed());
        }
        times.sort();
        let median = times[times.len() / 2];
        let verdict = match budget {
            Some(budget) if median <= budget => format!("goal < {} ms: met", budget.as_millis()),
            Some(budget) => {
                self.all_met = false;
                format!("goal < {} ms: NOT MET", budget.as_millis())
            }
            None => String::new(),
        };
        println!(
            "  {name:<52} {:>9.1} ms   {verdict}",
            median.as_secs_f64() * 1e3
        );
    }
}

fn main() -> ExitCode {
    let Some(data_dir) = std::env::var_os("PORTCULLIS_BENCH_DATA_DIR").map(PathBuf::from) else {
        eprintln!("run me through `cargo xtask bench store`, which generates the database");
        return ExitCode::FAILURE;
    };
    let runs = std::env::var("PORTCULLIS_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(9);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    if runtime.block_on(measure(data_dir, runs)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Rows in the big table, read past the store's API.
fn observation_count(data_dir: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(data_dir.join(DATABASE_FILE_NAME)).expect("opens");
    conn.query_row("SELECT count(*) FROM port_observations", [], |row| {
        row.get(0)
    })
    .expect("a count")
}

async fn measure(data_dir: PathBuf, runs: usize) -> bool {
    let store = Store::open(&data_dir)
        .await
        .expect("the bench database opens");
    let mut bench = Bench {
        runs,
        all_met: true,
    };
    let now = Utc::now();
    println!(
        "Store bench: {} ({} port observations), medians of {runs} runs",
        store.path().display(),
        observation_count(&data_dir)
    );

    println!("Judging a stored 65,535-port scan against the inventory:");
    let context = store.evaluation_context(FULL_SCAN_B).await.expect("scan B");
    let evaluate_with = |report: &ScanReport,
                         systems: &[System],
                         inventory: &[InventoryEntry],
                         history: TestingHistory| {
        evaluate(&EvaluationInput {
            report,
            coverage: &context.coverage,
            systems,
            inventory,
            history,
            reported: &[],
            now,
        })
    };
    // What evaluating needs: the scan, the systems, the inventory, the dates.
    let read_estate = || async {
        tokio::try_join!(
            store.scan_report(FULL_SCAN_B),
            store.systems(),
            store.inventory(None),
            store.testing_history(Some(FULL_SCAN_B)),
        )
        .expect("reads")
    };
    bench
        .time("read the scan, systems, inventory", None, read_estate)
        .await;
    bench
        .time("evaluate (crates/compliance)", None, || async {
            evaluate_with(
                &context.report,
                &context.systems,
                &context.inventory,
                context.history,
            )
            .len()
        })
        .await;
    bench
        .time(
            "read and evaluate, end to end",
            Some(Duration::from_millis(200)),
            || async {
                let (report, systems, inventory, history) = read_estate().await;
                evaluate_with(&report, &systems, &inventory, history).len()
            },
        )
        .await;
    bench
        .time(
            "... and reconcile with 20,000 tracked findings",
            None,
            || async {
                let context = store.evaluation_context(FULL_SCAN_B).await.expect("scan B");
                let findings = evaluate_with(
                    &context.report,
                    &context.systems,
                    &context.inventory,
                    context.history,
                );
                let coverage = Coverage::new(&context.report, &context.coverage);
                reconcile(&context.tracked, &findings, FULL_SCAN_B, &coverage, now)
                    .updated
                    .len()
            },
        )
        .await;

    println!("The dashboard:");
    bench
        .time(
            "findings by status/severity, per system, last scans",
            Some(Duration::from_millis(50)),
            || store.dashboard(),
        )
        .await;
    bench
        .time(
            "verdicts per system (`portcullis status`)",
            None,
            || async {
                let systems = store.systems().await.expect("systems");
                let records = store
                    .findings(&FindingFilter::default())
                    .await
                    .expect("findings");
                assess_tracked(&systems, &records, now).systems.len()
            },
        )
        .await;

    println!("Diff of two stored full scans:");
    let before = store.scan_report(FULL_SCAN_A).await.expect("scan A");
    let after = store.scan_report(FULL_SCAN_B).await.expect("scan B");
    bench
        .time("read both scans", None, || async {
            let a = store.scan_report(FULL_SCAN_A).await.expect("scan A");
            let b = store.scan_report(FULL_SCAN_B).await.expect("scan B");
            (a, b)
        })
        .await;
    bench
        .time("diff (crates/compliance)", None, || async {
            diff(&before, &after, &context.systems, &context.inventory, now)
                .ports
                .len()
        })
        .await;
    bench
        .time(
            "read scans and estate, diff, end to end",
            Some(Duration::from_millis(300)),
            // As `portcullis diff` does it: the four reads overlap.
            || async {
                let (a, b, systems, inventory) = tokio::try_join!(
                    store.scan_report(FULL_SCAN_A),
                    store.scan_report(FULL_SCAN_B),
                    store.systems(),
                    store.inventory(None),
                )
                .expect("reads");
                diff(&a, &b, &systems, &inventory, now).ports.len()
            },
        )
        .await;
    store.close().await;
    println!(
        "{}",
        if bench.all_met {
            "Every goal is met."
        } else {
            "Some goals are NOT met (see above)."
        }
    );
    bench.all_met
}
