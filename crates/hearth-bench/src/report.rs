//! Figures, their targets, and the two ways of printing them.

use serde::Serialize;
use std::time::Duration;

/// A limit a figure must stay under (or at).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Target {
    /// `"<"` or `"<="`.
    pub op: &'static str,
    pub value: f64,
}

impl Target {
    pub fn below(value: f64) -> Self {
        Self { op: "<", value }
    }

    pub fn at_most(value: f64) -> Self {
        Self { op: "<=", value }
    }

    fn met(&self, v: f64) -> bool {
        match self.op {
            "<" => v < self.value,
            _ => v <= self.value,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub section: String,
    pub metric: String,
    pub value: f64,
    pub unit: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// `PASS`, `FAIL`, or `info` for figures without a target.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub config: serde_json::Map<String, serde_json::Value>,
    pub rows: Vec<Row>,
    /// Sections that could not run, and why.
    pub skipped: Vec<String>,
    /// Every target met.
    pub pass: bool,
}

impl Report {
    pub fn add(
        &mut self,
        section: &str,
        metric: impl Into<String>,
        value: f64,
        unit: &'static str,
        target: Option<Target>,
    ) -> &mut Row {
        let status = match target {
            Some(t) if t.met(value) => "PASS",
            Some(_) => "FAIL",
            None => "info",
        };
        self.rows.push(Row {
            section: section.to_string(),
            metric: metric.into(),
            value,
            unit,
            target,
            status,
            note: None,
        });
        let last = self.rows.len() - 1;
        &mut self.rows[last]
    }

    pub fn ms(
        &mut self,
        section: &str,
        metric: impl Into<String>,
        d: Duration,
        target_ms: Option<f64>,
    ) -> &mut Row {
        self.add(
            section,
            metric,
            millis(d),
            "ms",
            target_ms.map(Target::below),
        )
    }

    /// Put the rows in section order (sections run in another order).
    pub fn finish(&mut self) {
        self.rows.sort_by(|a, b| a.section.cmp(&b.section));
        self.pass = self.rows.iter().all(|r| r.status != "FAIL");
    }

    pub fn table(&self) -> String {
        let mut lines: Vec<[String; 4]> = Vec::new();
        let mut out = String::new();
        let fmt_row = |r: &Row| -> [String; 4] {
            let target = r.target.map_or_else(
                || "-".to_string(),
                |t| format!("{} {}", t.op, value(t.value, r.unit)),
            );
            let mut metric = r.metric.clone();
            if let Some(n) = &r.note {
                metric = format!("{metric} ({n})");
            }
            [metric, value(r.value, r.unit), target, r.status.to_string()]
        };
        for r in &self.rows {
            lines.push(fmt_row(r));
        }
        let header = [
            "Metric".to_string(),
            "Value".to_string(),
            "Target".to_string(),
            "Status".to_string(),
        ];
        let mut w = [0usize; 4];
        for l in lines.iter().chain(std::iter::once(&header)) {
            for (i, c) in l.iter().enumerate() {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let rule = format!("{}\n", "-".repeat(w.iter().sum::<usize>() + 9));
        let line = |l: &[String; 4]| {
            format!(
                "{:<w0$}  {:>w1$}  {:>w2$}  {:<w3$}\n",
                l[0],
                l[1],
                l[2],
                l[3],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3]
            )
            .trim_end()
            .to_string()
                + "\n"
        };
        out.push_str(&line(&header));
        let mut section = "";
        for (r, l) in self.rows.iter().zip(&lines) {
            if r.section != section {
                out.push_str(&rule);
                out.push_str(&format!("{}\n", r.section));
                section = &r.section;
            }
            out.push_str(&line(l));
        }
        out.push_str(&rule);
        for s in &self.skipped {
            out.push_str(&format!("SKIPPED: {s}\n"));
        }
        let fails = self.rows.iter().filter(|r| r.status == "FAIL").count();
        let targets = self.rows.iter().filter(|r| r.target.is_some()).count();
        out.push_str(&format!(
            "{} of {targets} targets met{}\n",
            targets - fails,
            if fails == 0 { "." } else { "; see FAIL rows." }
        ));
        out
    }
}

pub fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn value(v: f64, unit: &str) -> String {
    match unit {
        "ms" if v >= 1000.0 => format!("{:.2} s", v / 1000.0),
        "ms" if v >= 10.0 => format!("{v:.1} ms"),
        "ms" => format!("{v:.3} ms"),
        "B" if v >= 1024.0 * 1024.0 => format!("{:.1} MiB", v / 1024.0 / 1024.0),
        "B" => format!("{v:.0} B"),
        "count" => format!("{v:.0}"),
        "x" => format!("{v:.2}x"),
        other => format!("{v:.2} {other}"),
    }
}

/// Median and 95th percentile (nearest rank) of some durations.
pub fn median_p95(samples: &[Duration]) -> (Duration, Duration) {
    if samples.is_empty() {
        return (Duration::ZERO, Duration::ZERO);
    }
    let mut s = samples.to_vec();
    s.sort();
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2
    };
    let rank = ((n as f64) * 0.95).ceil() as usize;
    (median, s[rank.clamp(1, n) - 1])
}

pub fn median(samples: &[Duration]) -> Duration {
    median_p95(samples).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let (m, p) = median_p95(&d);
        assert_eq!(m, Duration::from_micros(50_500));
        assert_eq!(p, Duration::from_millis(95));
        let (m, p) = median_p95(&[Duration::from_millis(3)]);
        assert_eq!((m, p), (Duration::from_millis(3), Duration::from_millis(3)));
    }

    #[test]
    fn statuses() {
        let mut r = Report::default();
        r.add("s", "a", 1.0, "ms", Some(Target::below(2.0)));
        r.add("s", "b", 3.0, "ms", Some(Target::below(2.0)));
        r.add("s", "c", 3.0, "ms", None);
        assert_eq!(r.rows[0].status, "PASS");
        assert_eq!(r.rows[1].status, "FAIL");
        assert_eq!(r.rows[2].status, "info");
        r.finish();
        assert!(!r.pass);
        assert!(r.table().contains("1 of 2 targets met"));
    }
}
