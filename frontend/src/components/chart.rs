//! A line chart drawn as inline SVG (no chart library, nothing fetched): the customer page's
//! MRR over time. The geometry is plain functions, unit-tested on the host; the component only
//! draws what they compute. It must not fetch or format money itself: callers pass the texts.

use leptos::prelude::*;

/// The drawing area inside the SVG's view box, leaving room for the axis labels.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 28.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One point: its x-axis label, its value and how the value reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPoint {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at or above `max`, so the
/// top grid line reads well. Zero, negative and non-finite maxima give 1.
pub fn nice_ceiling(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= max * (1.0 - 1e-12))
        .unwrap_or(10.0 * magnitude)
}

/// Where each value sits in a `width` x `height` box whose top is `ceiling` and bottom zero:
/// evenly spaced left to right (one value sits in the middle), negative values clamped to the
/// axis.
pub fn plot(values: &[f64], ceiling: f64, width: f64, height: f64) -> Vec<(f64, f64)> {
    let n = values.len();
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = if n == 1 {
                width / 2.0
            } else {
                width * i as f64 / (n - 1) as f64
            };
            let share = if ceiling > 0.0 {
                (v / ceiling).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (x, height - share * height)
        })
        .collect()
}

/// `YYYY-MM` as a short axis label: `2026-11` -> `Nov 26`. Anything else is kept as it is.
pub fn month_label(month: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parsed = month.split_once('-').and_then(|(year, m)| {
        let m: usize = m.parse().ok()?;
        let name = NAMES.get(m.checked_sub(1)?)?;
        Some(format!("{name} {}", year.get(2..)?))
    });
    parsed.unwrap_or_else(|| month.to_owned())
}

fn path_of(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .enumerate()
        .map(|(i, (x, y))| {
            format!(
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { "L" },
                x + LEFT,
                y + TOP
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A line chart with three grid lines; `axis` writes a grid value (e.g. as money). Screen
/// readers get `label` and a table of the points instead of the drawing.
#[component]
pub fn LineChart(
    points: Vec<ChartPoint>,
    #[prop(into)] label: String,
    axis: Callback<f64, String>,
) -> impl IntoView {
    let inner_w = WIDTH - LEFT - RIGHT;
    let inner_h = HEIGHT - TOP - BOTTOM;
    let values: Vec<f64> = points.iter().map(|p| p.value).collect();
    let ceiling = nice_ceiling(values.iter().copied().fold(0.0, f64::max));
    let xy = plot(&values, ceiling, inner_w, inner_h);
    let line = path_of(&xy);
    let area = match (xy.first(), xy.last()) {
        (Some(first), Some(last)) => format!(
            "{line} L{:.1},{:.1} L{:.1},{:.1} Z",
            last.0 + LEFT,
            inner_h + TOP,
            first.0 + LEFT,
            inner_h + TOP
        ),
        _ => String::new(),
    };
    let grid = [0.0, 0.5, 1.0].map(|share| {
        let y = TOP + inner_h - share * inner_h;
        let text = axis.run(ceiling * share);
        view! {
            <g class="chart-grid">
                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                <text x=LEFT - 8.0 y=y + 4.0 text-anchor="end">{text}</text>
            </g>
        }
    });
    let dots = points
        .iter()
        .zip(&xy)
        .enumerate()
        .map(|(i, (p, (x, y)))| {
            // Every other month label when there are many, counted from the newest so it
            // always has one and no two labels sit side by side.
            let show_label = points.len() <= 6 || (points.len() - 1 - i).is_multiple_of(2);
            view! {
                <g class="chart-point">
                    <circle cx=x + LEFT cy=y + TOP r="3.5"><title>{format!("{}: {}", p.label, p.text)}</title></circle>
                    {show_label.then(|| view! {
                        <text x=x + LEFT y=HEIGHT - 8.0 text-anchor="middle">{p.label.clone()}</text>
                    })}
                </g>
            }
        })
        .collect_view();
    let rows = points
        .iter()
        .map(|p| view! { <tr><th scope="row">{p.label.clone()}</th><td>{p.text.clone()}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label.clone()
                preserveAspectRatio="xMidYMid meet">
                {grid}
                <path class="chart-area" d=area></path>
                <path class="chart-line" d=line></path>
                {dots}
            </svg>
            <table class="visually-hidden">
                <caption>{label}</caption>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_are_round_numbers_at_or_above_the_maximum() {
        for (max, want) in [
            (0.0, 1.0),
            (-5.0, 1.0),
            (f64::NAN, 1.0),
            (0.7, 1.0),
            (1.0, 1.0),
            (1.2, 2.0),
            (2.2, 2.5),
            (4_100.0, 5_000.0),
            (12_500.0, 20_000.0),
            (99_000.0, 100_000.0),
        ] {
            assert_eq!(nice_ceiling(max), want, "{max}");
        }
    }

    #[test]
    fn plot_spreads_points_and_scales_to_the_ceiling() {
        let xy = plot(&[0.0, 50.0, 100.0], 100.0, 200.0, 100.0);
        assert_eq!(xy, vec![(0.0, 100.0), (100.0, 50.0), (200.0, 0.0)]);
        assert_eq!(plot(&[10.0], 20.0, 200.0, 100.0), vec![(100.0, 50.0)]);
        assert_eq!(plot(&[-3.0], 10.0, 10.0, 10.0), vec![(5.0, 10.0)]);
        assert!(plot(&[], 1.0, 10.0, 10.0).is_empty());
    }

    #[test]
    fn month_labels_are_short() {
        assert_eq!(month_label("2026-11"), "Nov 26");
        assert_eq!(month_label("2027-01"), "Jan 27");
        assert_eq!(month_label("2026-13"), "2026-13");
        assert_eq!(month_label("soon"), "soon");
    }
}
