//! The mood report: the average mood per day and how often each feeling was
//! named, over the last N days.

use crate::Result;
use crate::entry::ListFilter;
use crate::journal::Journal;
use chrono::{Duration, Local, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// The longest report: a hundred years.
pub const MAX_DAYS: u32 = 36_600;

/// One day's mood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodDay {
    pub date: NaiveDate,
    /// Average of the day's moods, 1.0 to 5.0.
    pub average: f64,
    /// Entries that day with a mood.
    pub entries: usize,
}

/// How often a feeling was named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeelingCount {
    pub feeling: String,
    pub count: usize,
}

/// The report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoodReport {
    pub days: u32,
    /// Days with at least one mood, oldest first.
    pub moods: Vec<MoodDay>,
    /// Most named first.
    pub feelings: Vec<FeelingCount>,
}

impl Journal {
    /// Mood per local day and feeling counts for the last `days` days
    /// (today included).
    pub fn mood_report(&self, days: u32) -> Result<MoodReport> {
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(crate::CoreError::invalid(format!(
                "--days must be between 1 and {MAX_DAYS}"
            )));
        }
        let today = Local::now().date_naive();
        let first = today - Duration::days(i64::from(days) - 1);
        let mut per_day: BTreeMap<NaiveDate, (u32, usize)> = BTreeMap::new();
        let mut feelings: BTreeMap<String, usize> = BTreeMap::new();
        for e in self.list(&ListFilter::default())? {
            let day = e.created_at.with_timezone(&Local).date_naive();
            if day < first || day > today {
                continue;
            }
            if let Some(m) = e.mood {
                let d = per_day.entry(day).or_default();
                d.0 += u32::from(m);
                d.1 += 1;
            }
            for f in &e.feelings {
                *feelings.entry(f.to_lowercase()).or_default() += 1;
            }
        }
        let moods = per_day
            .into_iter()
            .map(|(date, (sum, n))| MoodDay {
                date,
                average: f64::from(sum) / n as f64,
                entries: n,
            })
            .collect();
        let mut feelings: Vec<FeelingCount> = feelings
            .into_iter()
            .map(|(feeling, count)| FeelingCount { feeling, count })
            .collect();
        feelings.sort_by(|a, b| b.count.cmp(&a.count).then(a.feeling.cmp(&b.feeling)));
        Ok(MoodReport {
            days,
            moods,
            feelings,
        })
    }
}
