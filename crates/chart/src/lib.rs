//! Chart layout: data in, coordinates out. Pure functions with no web dependency (the page's
//! `ui::comparison_chart` only draws `<svg>` elements from what these return), so every
//! coordinate, tick and label is unit-tested natively.
//!
//! Design decision: a layout never returns NaN or an infinite coordinate, whatever the data
//! (empty, one value, equal values, ranges spanning many decades, NaN or infinite inputs):
//! non-finite values are dropped (`None`) and degenerate domains are widened, so the view
//! never has to check. A domain spanning at least `scale::LOG_RATIO` is drawn on a log scale.

pub mod bars;
pub mod lines;
pub mod pareto;
pub mod scale;

/// A chart's drawing area in SVG user units: the whole box and the margins around the plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
    /// Room for the y axis labels (or the row labels of a bar chart).
    pub left: f64,
    pub right: f64,
    pub top: f64,
    /// Room for the x axis and its labels.
    pub bottom: f64,
}

impl Frame {
    /// Left and right edges of the plot area.
    pub fn x_span(&self) -> (f64, f64) {
        (self.left, (self.width - self.right).max(self.left + 1.0))
    }

    /// Bottom and top edges of the plot area (SVG y grows downwards, so bottom > top).
    pub fn y_span(&self) -> (f64, f64) {
        ((self.height - self.bottom).max(self.top + 1.0), self.top)
    }
}

#[cfg(test)]
mod tests;
