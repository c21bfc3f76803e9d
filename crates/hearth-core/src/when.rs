//! The date and time forms people type: RFC 3339, or `YYYY-MM-DD HH:MM`
//! (seconds optional) and `YYYY-MM-DD` in local time.

use crate::{CoreError, Result};
use chrono::{DateTime, Days, Local, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

const FORMS: &str = "use RFC 3339 (2021-03-05T21:40:00+01:00), YYYY-MM-DD HH:MM or YYYY-MM-DD";

/// A moment: RFC 3339, or a local date and time, or a local date (its
/// midnight).
pub fn parse_datetime(input: &str) -> Result<DateTime<Utc>> {
    let s = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return local(naive, input);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return local(date.and_time(NaiveTime::MIN), input);
    }
    Err(CoreError::invalid(format!(
        "{input:?} is not a date or time: {FORMS}"
    )))
}

/// The end of a range given by `--to`, as an exclusive bound: a bare date
/// includes that whole day, a time includes that moment.
pub fn parse_range_end(input: &str) -> Result<DateTime<Utc>> {
    let s = input.trim();
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let next = date
            .checked_add_days(Days::new(1))
            .ok_or_else(|| CoreError::invalid(format!("{input:?} is too far in the future")))?;
        return local(next.and_time(NaiveTime::MIN), input);
    }
    Ok(parse_datetime(input)? + chrono::Duration::milliseconds(1))
}

fn local(naive: NaiveDateTime, input: &str) -> Result<DateTime<Utc>> {
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            CoreError::invalid(format!("{input:?} does not exist in the local time zone"))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn forms() {
        let t = parse_datetime("2021-03-05T21:40:00Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2021-03-05T21:40:00+00:00");
        assert!(parse_datetime("2021-03-05 21:40").is_ok());
        assert!(parse_datetime("2021-03-05").is_ok());
        assert!(parse_datetime("yesterday-ish").is_err());
        assert!(parse_datetime("2021-13-05").is_err());
        let end = parse_range_end("2021-03-05").unwrap();
        assert!(end > parse_datetime("2021-03-05 23:59").unwrap());
    }
}
