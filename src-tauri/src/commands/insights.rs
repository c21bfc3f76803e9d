//! Calendar, "on this day" and the mood chart.

use super::blocking;
use crate::dto::EntrySummary;
use crate::error::{IpcError, IpcResult};
use crate::insights::{self, CalendarMonth, MoodSeries};
use crate::session::Session;
use chrono::{Local, NaiveTime, TimeZone};
use hearth_core::ListFilter;
use std::sync::Arc;
use tauri::State;

/// The days of a month that have entries, with their average mood.
#[tauri::command]
pub async fn calendar_month(
    state: State<'_, Arc<Session>>,
    year: i32,
    month: u32,
) -> IpcResult<CalendarMonth> {
    blocking(state, move |s| {
        let (first, next) = insights::month_bounds(year, month)
            .ok_or_else(|| IpcError::invalid(format!("{year}-{month} is not a month")))?;
        let local = |d: chrono::NaiveDate| {
            Local
                .from_local_datetime(&d.and_time(NaiveTime::MIN))
                .earliest()
                .map(|t| t.with_timezone(&chrono::Utc))
        };
        let filter = ListFilter {
            from: local(first),
            to: local(next),
            ..Default::default()
        };
        s.with(|j| Ok(insights::calendar(year, month, &j.list(&filter)?)))
    })
    .await
}

/// Entries from today's date in earlier years, newest first.
#[tauri::command]
pub async fn on_this_day(state: State<'_, Arc<Session>>) -> IpcResult<Vec<EntrySummary>> {
    blocking(state, |s| {
        let today = Local::now().date_naive();
        s.with(|j| {
            Ok(insights::on_this_day(
                today,
                &j.list(&ListFilter::default())?,
            ))
        })
    })
    .await
}

/// Average mood per day over the last `days` days, and the feelings named.
#[tauri::command]
pub async fn mood_series(state: State<'_, Arc<Session>>, days: u32) -> IpcResult<MoodSeries> {
    blocking(state, move |s| {
        s.with(|j| Ok(MoodSeries::from(j.mood_report(days.clamp(1, 3660))?)))
    })
    .await
}
