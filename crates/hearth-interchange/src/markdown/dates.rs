//! Dates as people and other programs write them: at the start of a file or
//! folder name, and as values in front matter.
//!
//! File and folder names (see [`name_date`]):
//! - `2021-04-15`, `2021_04_15`, `2021.04.15` (one separator, the same
//!   twice; month and day may have one digit), or `20210415`;
//! - optionally followed by a time: `-0930`, `-093000`, `-09-30`,
//!   `_09.30`, ` 09:30`, `T0930` (also seconds: `-09-30-15`), or, for the
//!   compact form, the digits run on: `202104150930`, `20210415093000`;
//! - optionally followed by the rest of the name (`-walk-by-the-sea`,
//!   ` Morning walk`), which is returned without the separators before it.
//!
//! A compact `20210415` counts only when a separator or the end follows it
//! and the digits are a real date, so numbers and hashes are not mistaken
//! for dates. A separated prefix that is not a real date (`2021-02-30`) is
//! reported as [`NameDate::Invalid`] so the caller can say so.
//!
//! Front matter (see [`parse_time`]): RFC 3339 (fractional seconds too),
//! RFC 2822, and `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][ AM|PM][ ](Z|UTC|GMT|
//! ±HH:MM|±HHMM|±HH)` with `-`, `/` or `.` between date parts or the compact
//! `YYYYMMDD`. A time without an offset, and a date alone (midnight), is
//! wall-clock time in the zone the caller gives. Offsets are applied with
//! chrono's fixed offsets; no zone tables are involved.

use crate::common::{local_to_utc, parse_loose_time};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// What the start of a file or folder name says about its date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NameDate {
    /// The name does not start with a date.
    None,
    /// The name starts with something shaped like a date that is not one
    /// (`2021-02-30`); holds that prefix.
    Invalid(String),
    Valid {
        date: NaiveDate,
        time: Option<NaiveTime>,
        /// What follows the date (and time), without leading separators.
        rest: String,
    },
}

/// A cursor over ASCII digits and separators.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn peek_at(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn digit_run(&self) -> usize {
        self.b[self.i..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    }

    /// Exactly `n` digits here (the next byte may be anything).
    fn digits(&mut self, n: usize) -> Option<u32> {
        let s = self.b.get(self.i..self.i + n)?;
        if !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(s.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
    }

    /// One or two digits, not followed by a third.
    fn one_or_two(&mut self) -> Option<u32> {
        match self.digit_run() {
            1 => self.digits(1),
            2 => self.digits(2),
            _ => None,
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

/// A date at the start of `b`: `YYYY<sep>M[M]<sep>D[D]` with `sep` one of
/// `seps`, or `YYYYMMDD` when `compact`. Returns the numbers, whether the
/// compact form was used, and the cursor after the date. The numbers are not
/// checked as a date.
fn date_prefix<'a>(
    b: &'a [u8],
    seps: &[u8],
    compact: bool,
) -> Option<((i32, u32, u32), bool, Cur<'a>)> {
    let mut c = Cur { b, i: 0 };
    if c.digit_run() >= 8 {
        if !compact {
            return None;
        }
        let y = c.digits(4)?;
        let m = c.digits(2)?;
        let d = c.digits(2)?;
        return Some(((y as i32, m, d), true, c));
    }
    if c.digit_run() != 4 {
        return None;
    }
    let y = c.digits(4)?;
    let sep = c.peek().filter(|s| seps.contains(s))?;
    c.i += 1;
    let m = c.one_or_two()?;
    if !c.eat(sep) {
        return None;
    }
    let d = c.one_or_two()?;
    Some(((y as i32, m, d), false, c))
}

fn hms(h: u32, m: u32, s: u32) -> Option<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, s)
}

/// A time in a file name right after the date: see the module docs.
/// Returns the time and the cursor after it, or `None` (cursor untouched).
fn name_time(c: &Cur<'_>, compact_date: bool) -> Option<(NaiveTime, usize)> {
    let mut t = Cur { b: c.b, i: c.i };
    // Compact dates may run straight on: 202104150930.
    if compact_date && t.peek().is_some_and(|d| d.is_ascii_digit()) {
        return match t.digit_run() {
            4 => {
                let (h, m) = (t.digits(2)?, t.digits(2)?);
                Some((hms(h, m, 0)?, t.i))
            }
            6 => {
                let (h, m, s) = (t.digits(2)?, t.digits(2)?, t.digits(2)?);
                Some((hms(h, m, s)?, t.i))
            }
            _ => None,
        };
    }
    if !matches!(t.peek(), Some(b'-' | b'_' | b' ' | b'T' | b't' | b'.')) {
        return None;
    }
    t.i += 1;
    match t.digit_run() {
        4 => {
            let (h, m) = (t.digits(2)?, t.digits(2)?);
            Some((hms(h, m, 0)?, t.i))
        }
        6 => {
            let (h, m, s) = (t.digits(2)?, t.digits(2)?, t.digits(2)?);
            Some((hms(h, m, s)?, t.i))
        }
        1 | 2 => {
            let h = t.one_or_two()?;
            let sep = t
                .peek()
                .filter(|s| matches!(s, b'-' | b'_' | b'.' | b':' | b'h'))?;
            t.i += 1;
            if t.digit_run() != 2 {
                return None;
            }
            let m = t.digits(2)?;
            let mut s = 0;
            // Seconds use the same separator (`h` is only hours-minutes).
            if sep != b'h' && t.peek() == Some(sep) && t.peek_at(1).is_some() {
                let mut u = Cur { b: t.b, i: t.i + 1 };
                if u.digit_run() == 2 {
                    s = u.digits(2)?;
                    t.i = u.i;
                }
            }
            Some((hms(h, m, s)?, t.i))
        }
        _ => None,
    }
}

/// The date (and time, and the rest) at the start of a file stem or folder
/// name. See the module docs for the forms.
pub(crate) fn name_date(stem: &str) -> NameDate {
    let b = stem.as_bytes();
    let Some(((y, m, d), compact, c)) = date_prefix(b, b"-_.", true) else {
        return NameDate::None;
    };
    if compact {
        // Only 8, 12 or 14 digits, and then a separator or the end.
        let run = b.iter().take_while(|c| c.is_ascii_digit()).count();
        if !matches!(run, 8 | 12 | 14) {
            return NameDate::None;
        }
        if let Some(&next) = b.get(run)
            && !matches!(next, b'-' | b'_' | b' ' | b'.' | b'T' | b't')
        {
            return NameDate::None;
        }
    } else if c.peek().is_some_and(|n| n.is_ascii_digit()) {
        return NameDate::None;
    }
    let Some(date) = NaiveDate::from_ymd_opt(y, m, d) else {
        return if compact {
            NameDate::None
        } else {
            NameDate::Invalid(stem[..c.i].to_string())
        };
    };
    let (time, end) = match name_time(&c, compact) {
        Some((t, end)) => (Some(t), end),
        None => {
            if compact && b.get(8).is_some_and(u8::is_ascii_digit) {
                // 12 or 14 digits that are not a time: not a date either.
                return NameDate::None;
            }
            (None, c.i)
        }
    };
    NameDate::Valid {
        date,
        time,
        rest: stem[end..]
            .trim_start_matches(['-', '_', ' ', '.'])
            .to_string(),
    }
}

/// A time or date written in front matter, as an instant. `None` when it is
/// not one of the forms in the module docs.
pub(crate) fn parse_time<Tz: TimeZone>(s: &str, tz: &Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 80 {
        return None;
    }
    // Hearth's usual forms: RFC 3339 and local `YYYY-MM-DD[ HH:MM[:SS]]`.
    if let Some(t) = parse_loose_time(s, tz) {
        return Some(t);
    }
    if let Ok(t) = DateTime::parse_from_rfc2822(s) {
        return Some(t.with_timezone(&Utc));
    }
    let b = s.as_bytes();
    let ((y, mo, d), compact, mut c) = date_prefix(b, b"-/.", true)?;
    if compact && c.peek().is_some_and(|n| n.is_ascii_digit()) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    if c.peek().is_none() {
        return Some(local_to_utc(tz, date.and_time(NaiveTime::MIN)));
    }
    // Between date and time: `T` or spaces.
    if !(c.eat(b'T') || c.eat(b't')) {
        let before = c.i;
        while c.eat(b' ') {}
        if c.i == before {
            return None;
        }
    }
    let mut h = c.one_or_two()?;
    if !c.eat(b':') {
        return None;
    }
    let mi = c.digits(2)?;
    let mut sec = 0;
    let mut nano = 0;
    if c.eat(b':') {
        sec = c.digits(2)?;
        if c.eat(b'.') || c.eat(b',') {
            let run = c.digit_run();
            if run == 0 {
                return None;
            }
            let frac = &s[c.i..c.i + run];
            let mut padded: String = frac.chars().take(9).collect();
            while padded.len() < 9 {
                padded.push('0');
            }
            nano = padded.parse::<u32>().ok()?;
            c.i += run;
        }
    }
    let rest = s[c.i..].trim_start();
    // AM / PM.
    let (rest, meridiem) = {
        let lower = rest.get(..2).map(str::to_ascii_lowercase);
        match lower.as_deref() {
            Some("am") => (rest[2..].trim_start(), Some(false)),
            Some("pm") => (rest[2..].trim_start(), Some(true)),
            _ => (rest, None),
        }
    };
    if let Some(pm) = meridiem {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, false) => h,
            (h, true) => h + 12,
        };
    }
    let time = NaiveTime::from_hms_nano_opt(h, mi, sec, nano)?;
    let naive = NaiveDateTime::new(date, time);
    match offset(rest)? {
        None => Some(local_to_utc(tz, naive)),
        Some(off) => off
            .from_local_datetime(&naive)
            .single()
            .map(|t| t.with_timezone(&Utc)),
    }
}

/// `Ok`-like: `Some(None)` for no offset, `Some(Some(off))` for one, `None`
/// when the text is not an offset.
fn offset(s: &str) -> Option<Option<FixedOffset>> {
    let s = s.trim();
    if s.is_empty() {
        return Some(None);
    }
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") || s.eq_ignore_ascii_case("gmt")
    {
        return FixedOffset::east_opt(0).map(Some);
    }
    let b = s.as_bytes();
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut c = Cur { b, i: 1 };
    let h = c.digits(2)?;
    let m = if c.peek().is_none() {
        0
    } else {
        c.eat(b':');
        c.digits(2)?
    };
    if c.peek().is_some() || h > 23 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h as i32 * 3600 + m as i32 * 60)).map(Some)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn valid(stem: &str) -> (String, Option<String>, String) {
        match name_date(stem) {
            NameDate::Valid { date, time, rest } => (
                date.to_string(),
                time.map(|t| t.format("%H:%M:%S").to_string()),
                rest,
            ),
            other => panic!("{stem}: {other:?}"),
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn file_name_forms() {
        for stem in [
            "2021-04-15",
            "2021_04_15",
            "2021.04.15",
            "20210415",
            "2021-4-5",
        ] {
            let (d, time, rest) = valid(stem);
            assert!(d == "2021-04-15" || d == "2021-04-05", "{stem}");
            assert_eq!(time, None, "{stem}");
            assert_eq!(rest, "", "{stem}");
        }
        assert_eq!(
            valid("2021-04-15-walk-by-the-sea"),
            ("2021-04-15".into(), None, "walk-by-the-sea".into())
        );
        assert_eq!(
            valid("2021-04-15 Morning walk"),
            ("2021-04-15".into(), None, "Morning walk".into())
        );
        assert_eq!(
            valid("2021-04-15-0930-walk"),
            ("2021-04-15".into(), Some("09:30:00".into()), "walk".into())
        );
        assert_eq!(
            valid("2021_04_15-09-30-walk"),
            ("2021-04-15".into(), Some("09:30:00".into()), "walk".into())
        );
        assert_eq!(
            valid("2021-04-15 09.30.15 x"),
            ("2021-04-15".into(), Some("09:30:15".into()), "x".into())
        );
        assert_eq!(
            valid("20210415-0930"),
            ("2021-04-15".into(), Some("09:30:00".into()), "".into())
        );
        assert_eq!(
            valid("202104150930 Zettel"),
            (
                "2021-04-15".into(),
                Some("09:30:00".into()),
                "Zettel".into()
            )
        );
        assert_eq!(
            valid("2021-04-15T0930"),
            ("2021-04-15".into(), Some("09:30:00".into()), "".into())
        );
        // A number that is not a time stays in the rest.
        assert_eq!(
            valid("2021-04-15-2500-things"),
            ("2021-04-15".into(), None, "2500-things".into())
        );
        assert_eq!(
            valid("2021-04-15-12-monkeys"),
            ("2021-04-15".into(), None, "12-monkeys".into())
        );
    }

    #[test]
    fn not_dates() {
        for stem in [
            "notes",
            "2021",
            "2021-04",
            "202104151",
            "20210415abc",
            "20211345",
            "2021-04_15",
            "2021-04-155",
            "12345678901",
            "",
        ] {
            assert_eq!(name_date(stem), NameDate::None, "{stem}");
        }
        assert_eq!(
            name_date("2021-02-30-x"),
            NameDate::Invalid("2021-02-30".into())
        );
    }

    #[test]
    fn front_matter_times() {
        let berlin = FixedOffset::east_opt(3600).unwrap();
        let cases = [
            ("2017-02-08 06:09:27 +0800", "2017-02-07T22:09:27Z"),
            ("2017-02-08 06:09:27 +08:00", "2017-02-07T22:09:27Z"),
            ("2017-02-08 06:09:27+08", "2017-02-07T22:09:27Z"),
            ("2017-02-08 06:09 -0130", "2017-02-08T07:39:00Z"),
            ("2022-05-15T10:30:00.000+02:00", "2022-05-15T08:30:00Z"),
            (
                "2022-05-15T10:30:00.123456789Z",
                "2022-05-15T10:30:00.123456789Z",
            ),
            ("2022-05-15 10:30:00 UTC", "2022-05-15T10:30:00Z"),
            ("2022-05-15T10:30:00", "2022-05-15T09:30:00Z"),
            ("2022-05-15 10:30", "2022-05-15T09:30:00Z"),
            ("2022-05-15 9:30 PM", "2022-05-15T20:30:00Z"),
            ("2022-05-15 12:05 am", "2022-05-14T23:05:00Z"),
            ("2022-05-15", "2022-05-14T23:00:00Z"),
            ("2022/05/15", "2022-05-14T23:00:00Z"),
            ("20220515", "2022-05-14T23:00:00Z"),
            ("Sun, 15 May 2022 10:30:00 +0200", "2022-05-15T08:30:00Z"),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s, &berlin), Some(t(want)), "{s}");
        }
        for s in [
            "",
            "soon",
            "2022-02-30",
            "2022-05-15 25:00",
            "2022-05-15 10:30 +2500",
            "2022-05-15 10:30 Europe/Berlin",
            "2022-05-15x",
            "10:30",
            "2022-05-15 13:00 PM",
        ] {
            assert_eq!(parse_time(s, &berlin), None, "{s}");
        }
    }
}
