//! How entries look in a terminal. JSON output does not pass through here.

use chrono::Local;
use hearth_core::Entry;
use hearth_core::mood::MoodReport;
use hearth_core::search::{SearchHit, highlight};
use std::fmt::Write;

fn when(e: &Entry) -> String {
    e.created_at
        .with_timezone(&Local)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn first_line(e: &Entry) -> String {
    let text = if e.title.is_empty() {
        e.body.lines().find(|l| !l.trim().is_empty()).unwrap_or("")
    } else {
        &e.title
    };
    let mut s: String = text.trim().chars().take(60).collect();
    if text.trim().chars().count() > 60 {
        s.push('…');
    }
    s
}

fn badges(e: &Entry) -> String {
    let mut s = String::new();
    if e.starred {
        s.push_str(" ★");
    }
    if let Some(m) = e.mood {
        let _ = write!(s, "  mood {m}");
    }
    for t in &e.tags {
        let _ = write!(s, " #{t}");
    }
    s
}

/// One line per entry.
pub fn list_line(e: &Entry) -> String {
    format!(
        "{}  {}  {}{}",
        e.id.short(),
        when(e),
        first_line(e),
        badges(e)
    )
}

/// A whole entry.
pub fn entry(e: &Entry) -> String {
    let mut s = String::new();
    if !e.title.is_empty() {
        let _ = writeln!(s, "{}", e.title);
    }
    let mut meta = vec![when(e)];
    if let Some(m) = e.mood {
        meta.push(format!("mood {m}/5"));
    }
    if !e.feelings.is_empty() {
        meta.push(e.feelings.join(", "));
    }
    if !e.tags.is_empty() {
        meta.push(
            e.tags
                .iter()
                .map(|t| format!("#{t}"))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    if e.starred {
        meta.push("starred".into());
    }
    let _ = writeln!(s, "{}", meta.join(" · "));
    let mut there = Vec::new();
    if let Some(p) = &e.place {
        there.push(place(p));
    }
    if let Some(w) = &e.weather {
        there.push(w.clone());
    }
    if let Some(t) = e.time_there() {
        there.push(t);
    }
    if !there.is_empty() {
        let _ = writeln!(s, "{}", there.join(" · "));
    }
    let _ = writeln!(s, "id {}", e.id);
    if !e.body.is_empty() {
        let _ = writeln!(s, "\n{}", e.body.trim_end());
    }
    if !e.attachments.is_empty() {
        let _ = writeln!(s);
        for a in &e.attachments {
            let _ = writeln!(
                s,
                "[{}] {} ({})",
                &a.id[..12],
                a.name,
                hearth_core::attachments::human_size(a.size)
            );
        }
    }
    s
}

/// A place as its name, else its coordinates.
fn place(p: &hearth_core::entry::Place) -> String {
    match (&p.name, p.latitude, p.longitude) {
        (Some(n), _, _) => n.clone(),
        (None, Some(lat), Some(lon)) => format!("{lat:.4}, {lon:.4}"),
        _ => "a place".into(),
    }
}

/// A search hit: the entry's line, then its snippet, highlighted in bold
/// on a terminal and with `**` elsewhere.
pub fn hit(h: &SearchHit, color: bool) -> String {
    let snippet = if color {
        highlight(&h.marked_snippet, "\x1b[1;33m", "\x1b[0m")
    } else {
        h.snippet.clone()
    };
    let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{}\n    {}", list_line(&h.entry), snippet)
}

/// The mood report as a small bar chart per day, then the feelings.
pub fn mood(r: &MoodReport) -> String {
    let mut s = String::new();
    if r.moods.is_empty() {
        let _ = writeln!(s, "No moods in the last {} days.", r.days);
    } else {
        let _ = writeln!(s, "Mood, last {} days:", r.days);
        for d in &r.moods {
            let bar = "█".repeat((d.average * 2.0).round() as usize);
            let _ = writeln!(
                s,
                "  {}  {:<10} {:.1} ({} {})",
                d.date,
                bar,
                d.average,
                d.entries,
                if d.entries == 1 { "entry" } else { "entries" }
            );
        }
    }
    if !r.feelings.is_empty() {
        let _ = writeln!(s, "Feelings:");
        for f in &r.feelings {
            let _ = writeln!(s, "  {:<12} {}", f.feeling, f.count);
        }
    }
    s
}
