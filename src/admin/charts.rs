//! The dashboard's charts (SPEC S2): drawn on the server as SVG with plotters (its SVG
//! backend only; text is SVG `<text>`, escaped by plotters), returned as markup to embed
//! inline. Each chart is an `<svg role="img">` with an `aria-label`; the screen shows the
//! same numbers as a table beside it for anyone who cannot see the picture.

use chrono::NaiveDate;
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use crate::error::AppError;

const SIZE: (u32, u32) = (640, 240);
const LINE: RGBColor = RGBColor(0x01, 0x72, 0xad);
const ACTIVE: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
const OTHER: RGBColor = RGBColor(0x8a, 0x8a, 0x8a);

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::internal(format!("chart drawing failed: {e}"))
}

/// Marks the SVG as one image with a text alternative.
fn labelled(svg: &str, label: &str) -> String {
    let label: String = label
        .chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            c => c.to_string(),
        })
        .collect();
    svg.replacen("<svg ", &format!("<svg role=\"img\" aria-label=\"{label}\" class=\"chart\" "), 1)
}

fn y_top(max: i64) -> i64 {
    (max + max / 10).max(4)
}

/// A line over days: one point per day, oldest first.
pub fn daily_line(label: &str, points: &[(NaiveDate, i64)]) -> Result<String, AppError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let last = i32::try_from(points.len().saturating_sub(1)).unwrap_or(0).max(1);
        let max = points.iter().map(|p| p.1).max().unwrap_or(0);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(0..last, 0..y_top(max))
            .map_err(failed)?;
        let day = |i: &i32| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| points.get(i))
                .map(|p| p.0.format("%d %b").to_string())
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(6)
            .y_labels(5)
            .x_label_formatter(&day)
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .label_style(("sans-serif", 16))
            .draw()
            .map_err(failed)?;
        let series = points.iter().enumerate().map(|(i, p)| (i32::try_from(i).unwrap_or(0), p.1));
        chart.draw_series(LineSeries::new(series, LINE.stroke_width(2))).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(labelled(&svg, label))
}

/// One bar per category; `highlight` bars (e.g. active records) in a stronger colour.
pub fn bars(label: &str, bars: &[(String, i64, bool)]) -> Result<String, AppError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let n = u32::try_from(bars.len()).unwrap_or(0).max(1);
        let max = bars.iter().map(|b| b.1).max().unwrap_or(0);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d((0..n).into_segmented(), 0..y_top(max))
            .map_err(failed)?;
        let name = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(i) => {
                usize::try_from(*i).ok().and_then(|i| bars.get(i)).map(|b| b.0.clone()).unwrap_or_default()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len().max(1))
            .y_labels(5)
            .x_label_formatter(&name)
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .label_style(("sans-serif", 16))
            .draw()
            .map_err(failed)?;
        let rects = bars.iter().enumerate().map(|(i, (_, value, strong))| {
            let i = u32::try_from(i).unwrap_or(0);
            let colour = if *strong { ACTIVE } else { OTHER };
            let mut bar =
                Rectangle::new([(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), *value)], colour.filled());
            bar.set_margin(0, 0, 12, 12);
            bar
        });
        chart.draw_series(rects).map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(labelled(&svg, label))
}
