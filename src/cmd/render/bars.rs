//! Horizontal bars in Unicode block characters, for terminals and Markdown: a value as a run of
//! full blocks and one eighth-block, so a 20-cell bar shows 160 steps.

use std::fmt::Write;

use kplan::model::Resource;

use super::review::{shown, BrokerLoad, Review};

const EIGHTHS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/// `value` out of `scale` as a bar `width` cells wide (padded with spaces, so columns line up).
pub fn bar(value: f64, scale: f64, width: usize) -> String {
    let fraction = if scale > 0.0 {
        (value / scale).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (fraction * (width * 8) as f64).round() as usize;
    let mut out: String = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        out.push(EIGHTHS[eighths % 8]);
    }
    let cells = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width - cells));
    out
}

/// One resource as a line per broker: its name, then the bar and value before and after, on one
/// scale so brokers compare. `only` limits the lines to these brokers (in broker order).
pub fn broker_chart(review: &Review, r: Resource, width: usize, only: Option<&[usize]>) -> String {
    let scale = review.scale(r);
    let rows: Vec<&BrokerLoad> = match only {
        Some(indices) => indices.iter().map(|&i| &review.brokers[i]).collect(),
        None => review.brokers.iter().collect(),
    };
    let name_width = rows
        .iter()
        .map(|b| broker_name(b).chars().count())
        .max()
        .unwrap_or(0)
        .max("broker".len());
    let value_width = rows
        .iter()
        .flat_map(|b| [shown(r, b.before[r]), shown(r, b.after[r])])
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:name_width$}  {:w$}  after",
        "broker",
        "before",
        w = width + 1 + value_width
    );
    for b in rows {
        let _ = writeln!(
            out,
            "{:name_width$}  {} {:>value_width$}  {} {:>value_width$}",
            broker_name(b),
            bar(b.before[r], scale, width),
            shown(r, b.before[r]),
            bar(b.after[r], scale, width),
            shown(r, b.after[r]),
        );
    }
    out
}

/// The terminal's compact chart after `generate`: the resource that was furthest from balance,
/// per broker before and after. On a large cluster only the brokers whose load changed most are
/// drawn (at most `max_brokers`); the review report has them all.
pub fn furthest_from_balance(review: &Review, max_brokers: usize) -> String {
    let r = review.furthest_from_balance();
    let mut order: Vec<usize> = (0..review.brokers.len()).collect();
    let change = |i: usize| {
        let b = &review.brokers[i];
        (b.after[r] - b.before[r]).abs()
    };
    order.sort_by(|&a, &b| change(b).total_cmp(&change(a)).then(a.cmp(&b)));
    order.truncate(max_brokers);
    order.sort_unstable();
    let mut out = format!(
        "{} per broker, before → after (the resource furthest from balance):\n",
        super::review::label(r)
    );
    out.push_str(&broker_chart(review, r, 16, Some(&order)));
    let hidden = review.brokers.len() - order.len();
    if hidden > 0 {
        let _ = writeln!(
            out,
            "… and {hidden} broker(s) whose {} changed less (--report draws every broker)",
            r.name()
        );
    }
    out
}

fn broker_name(b: &BrokerLoad) -> String {
    match &b.rack {
        Some(rack) => format!("{} ({rack})", b.id),
        None => b.id.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_are_proportional_and_fixed_width() {
        assert_eq!(bar(0.0, 10.0, 4), "    ");
        assert_eq!(bar(10.0, 10.0, 4), "████");
        assert_eq!(bar(5.0, 10.0, 4), "██  ");
        assert_eq!(bar(1.0, 32.0, 4), "▏   ");
        assert_eq!(bar(20.0, 10.0, 4), "████", "clamped at the scale");
        assert_eq!(bar(3.0, 0.0, 4), "    ", "no scale, no bar");
    }
}
