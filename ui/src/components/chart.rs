//! Charts drawn as SVG from the backend's figures: bars for counts that
//! compare (findings by severity) and lines for counts over time (open
//! ports and findings per scan). Each chart says in words what it shows
//! (`role="img"` with a label, or links that carry the numbers), and
//! each series has a shape as well as a colour, so it reads without colour.

use leptos::prelude::*;

/// One bar: what it counts, how many, where that is explained, and the
/// `data-severity` (or other key) the stylesheet colours it by.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: &'static str,
    pub count: u64,
    pub href: String,
    pub key: &'static str,
}

/// Horizontal bars, each a link to the page that lists what it counts.
#[component]
pub fn BarChart(
    bars: Vec<Bar>,
    /// What the bars count, for the list's name: "Open findings by
    /// severity".
    label: &'static str,
) -> impl IntoView {
    let most = bars.iter().map(|bar| bar.count).max().unwrap_or(0).max(1);
    view! {
        <ul class="bar-chart" aria-label=label data-test="bar-chart">
            {bars
                .into_iter()
                .map(|bar| {
                    #[allow(clippy::cast_precision_loss)]
                    let width = (bar.count as f64 / most as f64 * 100.0).max(if bar.count > 0 { 1.5 } else { 0.0 });
                    view! {
                        <li>
                            <a class="bar-row" href=bar.href data-test="bar" data-key=bar.key>
                                <span class="bar-label">{bar.label}</span>
                                <svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                                    <rect class="bar-track" x="0" y="0" width="100" height="10" />
                                    <rect class="bar-fill" data-key=bar.key x="0" y="0" width=format!("{width:.2}") height="10" />
                                </svg>
                                <span class="bar-count">{bar.count}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}

/// One point of a chart over time.
#[derive(Debug, Clone)]
pub struct TimePoint {
    /// "Scan 12", read out with its values.
    pub label: String,
    /// The values of each series, in the order of `series`.
    pub values: Vec<u64>,
}

const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 170.0;
const PAD: f64 = 24.0;

/// Lines over time, one per series (at most two: solid, then dashed).
#[component]
pub fn LineChart(
    points: Vec<TimePoint>,
    /// Each series' name, in the order of the points' values.
    series: [&'static str; 2],
    /// The sentence a screen reader reads for the whole chart.
    #[prop(into)]
    summary: String,
) -> impl IntoView {
    let most = points
        .iter()
        .flat_map(|point| point.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    #[allow(clippy::cast_precision_loss)]
    let x = {
        let count = points.len();
        move |index: usize| {
            if count <= 1 {
                WIDTH / 2.0
            } else {
                PAD + (WIDTH - 2.0 * PAD) * index as f64 / (count - 1) as f64
            }
        }
    };
    #[allow(clippy::cast_precision_loss)]
    let y = move |value: u64| HEIGHT - PAD - (HEIGHT - 2.0 * PAD) * value as f64 / most as f64;
    let line = |which: usize| {
        points
            .iter()
            .enumerate()
            .map(|(index, point)| format!("{:.1},{:.1}", x(index), y(point.values[which])))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let dots = |which: usize| {
        points
            .iter()
            .enumerate()
            .map(|(index, point)| {
                let class = if which == 0 { "dot-0" } else { "dot-1" };
                view! {
                    <circle class=class cx=format!("{:.1}", x(index)) cy=format!("{:.1}", y(point.values[which])) r="4">
                        <title>{format!("{}: {} {}", point.label, point.values[which], series[which])}</title>
                    </circle>
                }
            })
            .collect_view()
    };
    view! {
        <figure class="line-chart" data-test="line-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
                <line class="axis" x1=PAD y1=HEIGHT - PAD x2=WIDTH - PAD y2=HEIGHT - PAD />
                <text class="axis-label" x="2" y=PAD + 4.0>{most.to_string()}</text>
                <text class="axis-label" x="2" y=HEIGHT - PAD + 4.0>"0"</text>
                <polyline class="series-0" points=line(0) />
                <polyline class="series-1" points=line(1) />
                {dots(0)}
                {dots(1)}
            </svg>
            <figcaption class="legend">
                <span class="swatch series-0-swatch" aria-hidden="true"></span>
                {series[0]}
                <span class="swatch series-1-swatch" aria-hidden="true"></span>
                {series[1]}
            </figcaption>
        </figure>
    }
}
