//! What the calendar, "on this day" and the mood chart show, computed from
//! the core's list and mood report in the person's local time. These are
//! adapters: hearth-core has no calendar of its own.

use crate::dto::EntrySummary;
use chrono::{Datelike, Local, NaiveDate};
use hearth_core::Entry;
use hearth_core::mood::MoodReport;
use serde::Serialize;
use std::collections::BTreeMap;
use ts_rs::TS;

/// A day of the calendar that has entries.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// The average mood of the day's entries that have one.
    pub mood: Option<f64>,
}

/// The days of one month that have entries.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CalendarMonth {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
    pub days: Vec<CalendarDay>,
}

/// One day's average mood.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MoodPoint {
    /// `YYYY-MM-DD`, local.
    pub date: String,
    /// 1.0 to 5.0.
    pub average: f64,
}

/// A feeling and how often it was named.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct FeelingShare {
    pub feeling: String,
    pub count: u32,
}

/// Mood over a span of days, for the chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MoodSeries {
    pub days: u32,
    /// Days with a mood, oldest first.
    pub points: Vec<MoodPoint>,
    /// Most named first.
    pub feelings: Vec<FeelingShare>,
}

fn local_day(e: &Entry) -> NaiveDate {
    e.created_at.with_timezone(&Local).date_naive()
}

/// Group `entries` (all in one month) by local day.
pub fn calendar(year: i32, month: u32, entries: &[&Entry]) -> CalendarMonth {
    let mut per_day: BTreeMap<NaiveDate, (u32, u32)> = BTreeMap::new();
    for e in entries {
        let d = per_day.entry(local_day(e)).or_default();
        if let Some(m) = e.mood {
            d.0 += u32::from(m);
            d.1 += 1;
        }
    }
    CalendarMonth {
        year,
        month,
        days: per_day
            .into_iter()
            .map(|(date, (sum, n))| CalendarDay {
                date: date.to_string(),
                mood: (n > 0).then(|| f64::from(sum) / f64::from(n)),
            })
            .collect(),
    }
}

/// The first day of `month` and of the month after it.
pub fn month_bounds(year: i32, month: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some((first, next))
}

/// Entries written on `day`'s month and day in earlier years, newest first
/// (`entries` come newest first). 29 February matches only itself.
pub fn on_this_day(day: NaiveDate, entries: &[&Entry]) -> Vec<EntrySummary> {
    entries
        .iter()
        .filter(|e| {
            let d = local_day(e);
            d.year() < day.year() && d.month() == day.month() && d.day() == day.day()
        })
        .map(|e| EntrySummary::from(*e))
        .collect()
}

impl From<MoodReport> for MoodSeries {
    fn from(r: MoodReport) -> Self {
        Self {
            days: r.days,
            points: r
                .moods
                .into_iter()
                .map(|m| MoodPoint {
                    date: m.date.to_string(),
                    average: m.average,
                })
                .collect(),
            feelings: r
                .feelings
                .into_iter()
                .map(|f| FeelingShare {
                    feeling: f.feeling,
                    count: u32::try_from(f.count).unwrap_or(u32::MAX),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::tests::cheap;
    use chrono::TimeZone;
    use hearth_core::{EntryDraft, ListFilter, Vault};

    fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
        Local
            .with_ymd_and_hms(y, m, d, 12, 0, 0)
            .unwrap()
            .with_timezone(&chrono::Utc)
    }

    #[test]
    fn calendar_and_on_this_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        for (when, mood) in [
            (at(2024, 3, 5), Some(2)),
            (at(2024, 3, 5), Some(4)),
            (at(2024, 3, 9), None),
            (at(2023, 3, 5), Some(5)),
            (at(2022, 7, 1), None),
        ] {
            j.write(EntryDraft {
                body: "x".into(),
                mood,
                created_at: Some(when),
                ..Default::default()
            })
            .unwrap();
        }
        let (first, next) = month_bounds(2024, 3).unwrap();
        assert_eq!(next, NaiveDate::from_ymd_opt(2024, 4, 1).unwrap());
        let all = j.list(&ListFilter::default()).unwrap();
        let march: Vec<&Entry> = all
            .iter()
            .copied()
            .filter(|e| (first..next).contains(&local_day(e)))
            .collect();
        let cal = calendar(2024, 3, &march);
        assert_eq!(cal.days.len(), 2);
        assert_eq!(cal.days[0].date, "2024-03-05");
        assert_eq!(cal.days[0].mood, Some(3.0));
        assert_eq!(cal.days[1].mood, None);
        let otd = on_this_day(NaiveDate::from_ymd_opt(2025, 3, 5).unwrap(), &all);
        assert_eq!(otd.len(), 3);
        assert!(otd[0].created_at.starts_with("2024"));
        assert!(on_this_day(NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(), &all).len() == 1);
        assert!(month_bounds(2024, 13).is_none());
    }
}
