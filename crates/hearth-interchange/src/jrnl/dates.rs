//! The dates in jrnl entry headers: which `[...] ` at the start of a line
//! jrnl reads as a new entry, and the date it gives it.
//!
//! # What jrnl does (4.x)
//!
//! jrnl finds entries with the pattern `(^|\n)\[([^\]]+)\] `: a `[` at the
//! start of the file or of a line, text up to the first `]` (any text, line
//! breaks included), then `]` and a space. For each such bracketed text it
//! tries, in order:
//!
//! 1. `strptime` with the journal's `timeformat` setting (`%F %r`, i.e.
//!    `2021-03-05 09:40:00 PM`, in a new configuration; `%Y-%m-%d %H:%M` when
//!    the setting is missing);
//! 2. its lenient reader, which gives up at once on text of six characters or
//!    fewer (so `[1]` and `[x]` stay text), then tries `dateutil` with every
//!    missing part taken from 9999-01-01 00:00 and, when that fails,
//!    `parsedatetime`, which finds dates and times anywhere in the text
//!    ("March meeting", "Room 1530", "a day out") relative to now.
//!
//! If either gives a date the line starts a new entry; otherwise the line,
//! brackets and all, stays in the text of the entry before. The lenient
//! reader fills in what is missing like this:
//! - a missing day is the 1st, a missing month January (`2021-03 08:00` is
//!   2021-03-01 08:00, jrnl's own test journal has one);
//! - a missing time is midnight (jrnl passes no default hour here);
//!   fractions of a second are dropped. A time in the first minute after
//!   midnight loses its seconds (`00:00:30` reads as 00:00) when the
//!   lenient reader is used, but not when `strptime` with a `timeformat`
//!   that has seconds reads it; Hearth keeps the seconds (the Python 3.11
//!   that jrnl 4.6 was checked with rejects `%F`, so with the default
//!   setting every header goes to the lenient reader);
//! - `AM`/`PM` (also `a.m.`, `a`, `p`) move hours below 12 to the afternoon
//!   and 12 AM to 0; `dateutil` refuses an hour above 12 with them
//!   (`13:40 PM`), which leaves the line to `parsedatetime`;
//! - numbers separated by `/`, `-` or `.` with the year last are read month
//!   first (`03/05/2021` is March 5) unless the first is above 12;
//! - a weekday name is ignored when the day is given, even a wrong one;
//!   without a day it moves the date from the 1st to the first such weekday
//!   (`Friday, March 2021` is March 5);
//! - a time zone is ignored: the clock time is taken as local time;
//! - a missing year is this year (last year if that puts the date more than
//!   four weeks ahead), a two-digit year (and a year below 100 such as
//!   `0021`) is put in the century around today, and
//!   anything `parsedatetime` finds ("yesterday", "5pm", "Tuesday") is
//!   counted from now;
//! - an impossible date (`2021-02-30`, `2021-13-45`) is either text, or a
//!   date `parsedatetime` makes up from the parts it understood.
//!
//! # What Hearth does
//!
//! Hearth reads the bracketed text itself ([`read_blob`]) and answers one of
//! three ways:
//! - a date, for every form above whose date does not depend on the day the
//!   file is read or on jrnl's settings: `2021-03-05 21:40`,
//!   `2021-03-05 09:40:00 PM`, `2021-03-05T21:40`, `2021/03/05 8:05 pm`,
//!   `2021.03.05`, `2021-03` (the 1st), `2021-03 08:00`, `20210305`,
//!   `Mar 5 2021`, `March 5th, 2021 at 8:05 PM`, `5 March 2021`,
//!   `05-Mar-2021`, `2021 Mar 5`, `March 2021`, `Friday, March 5, 2021`,
//!   `25/03/2021` (only one reading), `2021-03-05 12 AM`, all the same as
//!   jrnl, in local time;
//! - a refusal naming the line, when jrnl reads (or may read) the line as a
//!   new entry but Hearth cannot give it jrnl's date: a missing year, a date
//!   with no day at all (`08:05 PM`, `Tuesday`), a two-digit year, a day and
//!   month that `timeformat` could order either way (`05/03/2021`), a time
//!   zone, anything only `parsedatetime` understands, and any text in which
//!   it might find a date or time (a month or weekday name, `today`, `noon`,
//!   a number with a unit or `am`/`pm`, `3/4`, `12:30`, a bare number that
//!   could be a clock time such as `1530`). This errs on the side of
//!   refusing: a line jrnl would leave as text is sometimes refused, a line
//!   jrnl starts an entry with never becomes text. The message says how to
//!   fix the line (write the date out, or start the line with `\[` to keep it
//!   as text);
//! - text, when jrnl keeps it as text too.
//!
//! A date-shaped header with an impossible date or time (`2021-13-45`,
//! `2021-02-30 10:00`, `2021-03-05 25:00`) is refused even where jrnl would
//! keep it as text: it is almost always a mistyped header.
//!
//! Hearth cannot see jrnl's `timeformat`. It assumes the setting orders a
//! numeric date year-month-day, month-day-year or day-month-year (a format
//! such as `%Y-%d-%m` is not supported); where day-month and month-day give
//! different dates the line is refused, and a `timeformat` shorter than seven
//! characters is not supported.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

/// What jrnl makes of the text between `[` and `] ` at the start of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Blob {
    /// A new entry at this local date and time, the one jrnl gives it.
    Date(NaiveDateTime),
    /// jrnl reads (or may read) a new entry here, but Hearth cannot give it
    /// jrnl's date.
    Refused(Why),
    /// Text of the entry before, as in jrnl.
    Text,
}

/// Why a header is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Why {
    /// The date has no year.
    NoYear,
    /// A time or weekday with no date.
    NoDate,
    /// `05/03/2021`: the day and month could be either way round.
    DayOrMonth {
        month_first: NaiveDate,
        day_first: NaiveDate,
    },
    /// `05/03/21`, `0021`: a year below 100.
    ShortYear,
    /// `Z`, `+02:00`, `CEST` after the time.
    TimeZone,
    /// Date-shaped, but not a real date or time (`2021-13-45`,
    /// `13:40 PM`).
    NotReal,
    /// Something jrnl's lenient reader may find a date or time in.
    Guess,
}

/// Reads the text between the brackets of a jrnl header.
pub(crate) fn read_blob(blob: &str) -> Blob {
    // jrnl's lenient reader: "probably a markdown footnote".
    if blob.chars().nth(6).is_none() {
        return Blob::Text;
    }
    match grammar(blob.trim()) {
        G::Date(d) => Blob::Date(d),
        G::Bad(why) => Blob::Refused(why),
        G::NoMatch if might_be_a_date(blob) => Blob::Refused(Why::Guess),
        G::NoMatch => Blob::Text,
    }
}

/// The message for a refused header (`shown` is the line as quoted to the
/// person).
pub(crate) fn refusal(shown: &str, why: &Why) -> String {
    let what = match why {
        Why::NoYear => "is a jrnl entry header whose date has no year; jrnl would give it this year (or last year), so its date depends on the day the file is read".to_string(),
        Why::NoDate => "is a jrnl entry header with a time or weekday but no date; jrnl would date it from the day the file is read".to_string(),
        Why::DayOrMonth { month_first, day_first } => format!(
            "is a jrnl entry header whose day and month can be read either way: jrnl reads {} unless its `timeformat` setting puts the day first, then {}, and Hearth cannot see that setting",
            month_first.format("%B %-d, %Y"),
            day_first.format("%B %-d, %Y"),
        ),
        Why::ShortYear => "is a jrnl entry header with a two-digit year (or one below 100), which jrnl reads differently depending on its `timeformat` setting and today's date".to_string(),
        Why::TimeZone => "is a jrnl entry header with a time zone, which jrnl ignores (it takes the clock time as local time)".to_string(),
        Why::NotReal => "looks like a jrnl entry header but its date is not a real date or time (jrnl would keep the line as text of the entry before, or date it by guesswork)".to_string(),
        Why::Guess => "may be read by jrnl as a new entry: its lenient date reader finds dates and times in text like this and counts them from the day the file is read".to_string(),
    };
    format!(
        "{shown} {what}. Write the header as [YYYY-MM-DD HH:MM] Title, or, if the line is text of the entry before, start it with \\[ instead; then import again"
    )
}

// ---------------------------------------------------------------------------
// Words both of jrnl's lenient readers know.

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The month (1–12) a word names: the full name or its first three letters
/// (and `sept`).
fn month_number(word: &str) -> Option<u32> {
    if word == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(word)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn weekday(word: &str) -> Option<Weekday> {
    let i = match word {
        "tues" => 1,
        "thur" | "thurs" => 3,
        _ => WEEKDAYS
            .iter()
            .position(|d| *d == word || (word.len() == 3 && d.starts_with(word)))?,
    };
    Weekday::try_from(u8::try_from(i).ok()?).ok()
}

fn is_weekday(word: &str) -> bool {
    weekday(word).is_some()
}

/// A weekday as `dateutil` knows it: the name or its first three letters
/// (not `Tues` or `Thurs`, which only `parsedatetime` reads).
fn dateutil_weekday(word: &str) -> Option<Weekday> {
    if matches!(word, "tues" | "thur" | "thurs") {
        return None;
    }
    weekday(word)
}

/// Words `parsedatetime` reads as a day or a time of day.
const DAY_AND_TIME_WORDS: [&str; 17] = [
    "today",
    "tomorrow",
    "yesterday",
    "noon",
    "afternoon",
    "lunch",
    "morning",
    "breakfast",
    "dinner",
    "evening",
    "midnight",
    "night",
    "tonight",
    "eod",
    "eom",
    "eoy",
    "fortnight",
];

/// Units `parsedatetime` reads after a number ("3 days", "5m").
const UNITS: [&str; 29] = [
    "second", "seconds", "sec", "secs", "s", "minute", "minutes", "min", "mins", "m", "hour",
    "hours", "hr", "hrs", "h", "day", "days", "dy", "d", "week", "weeks", "wk", "w", "month",
    "months", "mth", "year", "years", "yr",
];

fn is_unit(word: &str) -> bool {
    word == "y" || UNITS.contains(&word)
}

/// Number words `parsedatetime` reads as a quantity ("an hour").
const NUMBER_WORDS: [&str; 30] = [
    "zero",
    "one",
    "a",
    "an",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
];

/// Words that, before a unit, make `parsedatetime` count from now
/// ("last week", "next month").
const MODIFIERS: [&str; 10] = [
    "from", "before", "after", "ago", "prior", "prev", "last", "next", "previous", "this",
];

/// Words `dateutil` skips or reads between the parts of a date.
const DATEUTIL_WORDS: [&str; 19] = [
    "at", "on", "and", "ad", "m", "t", "of", "st", "nd", "rd", "th", "am", "pm", "a", "p", "utc",
    "gmt", "z", "h",
];

// ---------------------------------------------------------------------------
// Hearth's own reading: the forms whose date jrnl gives deterministically.

enum G {
    Date(NaiveDateTime),
    Bad(Why),
    NoMatch,
}

/// A cursor over the ASCII text of a header date.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn eat_sep(&mut self, set: &[u8]) -> Option<u8> {
        let b = self.peek()?;
        if set.contains(&b) {
            self.i += 1;
            Some(b)
        } else {
            None
        }
    }

    /// Spaces and tabs; how many.
    fn ws(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.i += 1;
        }
        self.i - start
    }

    /// A run of ASCII digits: its value and length (at most 8 digits).
    fn digits(&mut self) -> Option<(u32, usize)> {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        let len = self.i - start;
        if len == 0 || len > 8 {
            self.i = start;
            return None;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
        Some((text.parse().ok()?, len))
    }

    /// A run of ASCII letters, lowercased.
    fn word(&mut self) -> Option<String> {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_alphabetic()) {
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        Some(String::from_utf8_lossy(&self.s[start..self.i]).to_ascii_lowercase())
    }

    /// Whether the next character ends a word or number.
    fn at_boundary(&self) -> bool {
        !self.peek().is_some_and(|b| b.is_ascii_alphanumeric())
    }
}

/// A date read from the text, or why it cannot be.
type DatePart = Result<NaiveDate, Why>;

/// The date and time in `s` (trimmed), if it is one of Hearth's forms.
fn grammar(s: &str) -> G {
    let mut c = Cur {
        s: s.as_bytes(),
        i: 0,
    };
    let weekday = weekday_prefix(&mut c);
    let after_weekday = c.i;
    let Some(DateRead { date, iso, has_day }) = date(&mut c) else {
        // A time, or a weekday, with no date.
        c.i = after_weekday;
        let time_only = time(&mut c).is_some() && rest_is_zone_or_end(&mut c);
        c.i = after_weekday;
        return if time_only || (weekday.is_some() && c.at_end()) {
            G::Bad(Why::NoDate)
        } else {
            G::NoMatch
        };
    };
    let mut clock = None;
    if !c.at_end() {
        // `T`, spaces, `, ` and an optional `at` between date and time.
        let separated = if iso && c.eat(b'T') {
            true
        } else {
            c.eat(b',');
            let spaced = c.ws() > 0;
            if spaced {
                let here = c.i;
                if !(c.word().as_deref() == Some("at") && c.ws() > 0) {
                    c.i = here;
                }
            }
            spaced
        };
        if !separated {
            return G::NoMatch;
        }
        match time(&mut c) {
            Some(t) => clock = Some(t),
            None => return G::NoMatch,
        }
    }
    let zone = !c.at_end() && {
        if !rest_is_zone_or_end(&mut c) {
            return G::NoMatch;
        }
        true
    };
    let mut date = match date {
        Ok(d) => d,
        Err(why) => return G::Bad(why),
    };
    // dateutil ignores a weekday when the day is given; without one it
    // moves from the 1st to the first such weekday.
    if let (Some(wd), false) = (weekday, has_day) {
        let ahead = (7 + wd.num_days_from_monday() - date.weekday().num_days_from_monday()) % 7;
        match date.checked_add_days(Days::new(u64::from(ahead))) {
            Some(d) => date = d,
            None => return G::Bad(Why::NotReal),
        }
    }
    let (h, m, sec) = match clock {
        None => (0, 0, 0),
        Some(Ok(t)) => t,
        Some(Err(why)) => return G::Bad(why),
    };
    if zone {
        return G::Bad(Why::TimeZone);
    }
    match NaiveTime::from_hms_opt(h, m, sec) {
        Some(t) => G::Date(date.and_time(t)),
        None => G::Bad(Why::NotReal),
    }
}

/// `Friday, ` or `Fri ` before a date.
fn weekday_prefix(c: &mut Cur) -> Option<Weekday> {
    let start = c.i;
    if let Some(wd) = c.word().as_deref().and_then(dateutil_weekday) {
        c.eat(b'.');
        let comma = c.eat(b',');
        if c.ws() > 0 || comma || c.at_end() {
            return Some(wd);
        }
    }
    c.i = start;
    None
}

/// A date as read: the date or why not, whether a `T` may follow, whether
/// the day was given.
struct DateRead {
    date: DatePart,
    iso: bool,
    has_day: bool,
}

fn read(date: DatePart, iso: bool, has_day: bool) -> Option<DateRead> {
    Some(DateRead { date, iso, has_day })
}

/// The date at the cursor.
fn date(c: &mut Cur) -> Option<DateRead> {
    let start = c.i;
    if let Some(d) = numeric_date(c) {
        return Some(d);
    }
    c.i = start;
    if let Some(d) = named_month_date(c) {
        return Some(d);
    }
    c.i = start;
    None
}

fn ymd(y: u32, m: u32, d: u32) -> DatePart {
    if (1..100).contains(&y) {
        // dateutil puts `0021` in the century around today.
        return Err(Why::ShortYear);
    }
    if y == 0 || y >= 9999 {
        // 9999 is jrnl's own marker for "no year given".
        return Err(Why::NotReal);
    }
    let year = i32::try_from(y).map_err(|_| Why::NotReal)?;
    NaiveDate::from_ymd_opt(year, m, d).ok_or(Why::NotReal)
}

/// `2021-03-05`, `2021/03/05`, `2021.03.05`, `2021-03`, `20210305`,
/// `03/05/2021`, `05.03.2021`, `25-03-2021`, and the forms with a month name
/// after a number (`05-Mar-2021`, `2021 Mar 5`, `5th March 2021`).
fn numeric_date(c: &mut Cur) -> Option<DateRead> {
    let (a, alen) = c.digits()?;
    if alen == 8 && c.at_boundary() {
        return read(ymd(a / 10000, a / 100 % 100, a % 100), false, true);
    }
    let after_a = c.i;
    if alen == 4 {
        if let Some(s1) = c.eat_sep(b"-/.") {
            if let Some((m, mlen)) = c.digits() {
                if mlen > 2 {
                    return None;
                }
                if let Some(s2) = c.eat_sep(b"-/.") {
                    // `2021/03.05`: dateutil reads `03.05` as one number.
                    if (s1 == b'.' || s2 == b'.') && s1 != s2 {
                        return None;
                    }
                    let (d, dlen) = c.digits()?;
                    if dlen > 2 || !(c.at_boundary() || c.peek() == Some(b'T')) {
                        return None;
                    }
                    return read(ymd(a, m, d), true, true);
                }
                // `2021.03` is a decimal number to dateutil.
                if s1 == b'.' || !c.at_boundary() {
                    return None;
                }
                return read(ymd(a, m, 1), true, false);
            }
            c.i = after_a;
        }
        // `2021 Mar 5`, `2021-Mar-05`, `2021 March` (not `2021March`).
        let dash = c.eat_sep(b"-/").is_some();
        if c.ws() == 0 && !dash {
            return None;
        }
        let m = c.word().as_deref().and_then(month_number)?;
        c.eat(b'.');
        let before_day = c.i;
        if (c.eat_sep(b"-/").is_some() || c.ws() > 0)
            && let Some((d, dlen)) = c.digits()
            // `2021 Mar 08:00` has no day.
            && dlen <= 2
            && c.peek() != Some(b':')
        {
            day_suffix(c);
            if c.at_boundary() {
                return read(ymd(a, m, d), false, true);
            }
        }
        c.i = before_day;
        return read(ymd(a, m, 1), false, false);
    }
    if alen > 2 {
        return None;
    }
    // `03/05/2021`, `05.03.2021`, `25-03-2021`, `05/03/21`.
    if let Some(s1) = c.eat_sep(b"-/.") {
        let after_sep = c.i;
        if let Some((b, blen)) = c.digits() {
            if blen > 2 || c.peek() != Some(s1) {
                return None;
            }
            c.i += 1;
            let (y, ylen) = c.digits()?;
            if !c.at_boundary() {
                return None;
            }
            return match ylen {
                4 => read(day_and_month(a, b, y), false, true),
                2 => read(Err(Why::ShortYear), false, true),
                _ => None,
            };
        }
        c.i = after_sep;
        // `05-Mar-2021`.
        let m = c.word().as_deref().and_then(month_number)?;
        c.eat(b'.');
        c.eat_sep(b"-/")?;
        let (y, ylen) = c.digits()?;
        return match ylen {
            4 if c.at_boundary() => read(ymd(y, m, a), false, true),
            2 if c.at_boundary() => read(Err(Why::ShortYear), false, true),
            _ => None,
        };
    }
    // `5 March 2021`, `5th of March, 2021`.
    day_suffix(c);
    if c.ws() == 0 {
        return None;
    }
    let here = c.i;
    if !(c.word().as_deref() == Some("of") && c.ws() > 0) {
        c.i = here;
    }
    let m = c.word().as_deref().and_then(month_number)?;
    c.eat(b'.');
    read(
        year_after(c).map_or(Err(Why::NoYear), |y| ymd(y, m, a)),
        false,
        true,
    )
}

/// `st`, `nd`, `rd` or `th` after a day.
fn day_suffix(c: &mut Cur) {
    let here = c.i;
    match c.word().as_deref() {
        Some("st" | "nd" | "rd" | "th") => {}
        _ => c.i = here,
    }
}

/// `, 2021` or ` 2021` after a day or month: the year, if there is one (a
/// number followed by `:` is the time, not a year).
fn year_after(c: &mut Cur) -> Option<u32> {
    let here = c.i;
    c.eat(b',');
    c.ws();
    if let Some((y, 4)) = c.digits()
        && c.at_boundary()
        && c.peek() != Some(b':')
    {
        return Some(y);
    }
    c.i = here;
    None
}

/// `Mar 5 2021`, `March 5th, 2021`, `Mar. 5, 2021`, `March 2021`, `Mar 5`.
fn named_month_date(c: &mut Cur) -> Option<DateRead> {
    let m = c.word().as_deref().and_then(month_number)?;
    c.eat(b'.');
    let after_month = c.i;
    if let Some(y) = year_after(c) {
        return read(ymd(y, m, 1), false, false);
    }
    c.i = after_month;
    if c.eat_sep(b"-/").is_none() && c.ws() == 0 {
        // `March` alone, or `March,`.
        return if c.at_end() || c.peek() == Some(b',') {
            read(Err(Why::NoYear), false, false)
        } else {
            None
        };
    }
    // No day (`March meeting`), or a time right after the month
    // (`March 08:00`).
    let no_day = |c: &mut Cur| {
        c.i = after_month;
        read(Err(Why::NoYear), false, false)
    };
    let Some((d, dlen)) = c.digits() else {
        return no_day(c);
    };
    if dlen > 2 || c.peek() == Some(b':') {
        return no_day(c);
    }
    day_suffix(c);
    if !c.at_boundary() {
        return None;
    }
    let before_year = c.i;
    c.eat_sep(b"-/");
    match year_after(c) {
        Some(y) => read(ymd(y, m, d), false, true),
        None => {
            c.i = before_year;
            read(Err(Why::NoYear), false, true)
        }
    }
}

/// `A/B/YYYY` read as jrnl does: month first, unless only day-first is a
/// date; refused when both orders give (different) dates.
fn day_and_month(a: u32, b: u32, y: u32) -> DatePart {
    let month_first = ymd(y, a, b);
    let day_first = ymd(y, b, a);
    match (month_first, day_first) {
        (Ok(mf), Ok(df)) if mf != df => Err(Why::DayOrMonth {
            month_first: mf,
            day_first: df,
        }),
        (Ok(d), _) | (_, Ok(d)) => Ok(d),
        (Err(why), Err(_)) => Err(why),
    }
}

/// A clock time: `21:40`, `9:40:07`, `09:40:00 PM`, `8pm`, `12 a.m.`.
fn time(c: &mut Cur) -> Option<Result<(u32, u32, u32), Why>> {
    let start = c.i;
    let (h, hlen) = c.digits()?;
    if hlen > 2 {
        c.i = start;
        return None;
    }
    let (mut m, mut sec, mut colon) = (0, 0, false);
    if c.eat(b':') {
        colon = true;
        let (mm, mlen) = c.digits()?;
        if mlen > 2 {
            return None;
        }
        m = mm;
        if c.eat(b':') {
            let (ss, slen) = c.digits()?;
            if slen > 2 {
                return None;
            }
            sec = ss;
            // Fractions of a second, dropped as jrnl does.
            let here = c.i;
            if c.eat_sep(b".,").is_some() && c.digits().is_none() {
                c.i = here;
            }
        }
    }
    let before_meridian = c.i;
    c.ws();
    let meridian = meridian(c);
    if meridian.is_none() {
        c.i = before_meridian;
        // A zone may follow at once (`08:00:00Z`).
        if !colon || !(c.at_boundary() || matches!(c.peek(), Some(b'Z' | b'z'))) {
            c.i = start;
            return None;
        }
    }
    // dateutil refuses `13:40 PM`; only parsedatetime's guesswork is left.
    if h > 23 || m > 59 || sec > 59 || (meridian.is_some() && h > 12) {
        return Some(Err(Why::NotReal));
    }
    let h = match meridian {
        Some(true) if h < 12 => h + 12,
        Some(false) if h == 12 => 0,
        _ => h,
    };
    Some(Ok((h, m, sec)))
}

/// `AM`/`PM` and their spellings: `Some(true)` for PM.
fn meridian(c: &mut Cur) -> Option<bool> {
    let start = c.i;
    let pm = match c.word().as_deref() {
        Some("am") => false,
        Some("pm") => true,
        Some(w @ ("a" | "p")) => {
            let pm = w == "p";
            // `a.m.`
            let here = c.i;
            if !(c.eat(b'.') && c.word().as_deref() == Some("m")) {
                c.i = here;
            }
            pm
        }
        _ => {
            c.i = start;
            return None;
        }
    };
    c.eat(b'.');
    if !c.at_boundary() {
        c.i = start;
        return None;
    }
    Some(pm)
}

/// Whether the rest is a time zone (`Z`, `UTC`, `+02:00`, `-0500`, `CEST`)
/// or nothing.
fn rest_is_zone_or_end(c: &mut Cur) -> bool {
    c.ws();
    if c.at_end() {
        return true;
    }
    if c.eat_sep(b"+-").is_some() {
        if c.digits().is_none() {
            return false;
        }
        if c.eat(b':') && c.digits().is_none() {
            return false;
        }
    } else {
        let start = c.i;
        let Some(w) = c.word() else { return false };
        let raw = &c.s[start..c.i];
        let zone_like = w == "z"
            || w == "utc"
            || w == "gmt"
            || ((3..=5).contains(&raw.len()) && raw.iter().all(u8::is_ascii_uppercase));
        if !zone_like {
            return false;
        }
    }
    c.ws();
    c.at_end()
}

// ---------------------------------------------------------------------------
// Whether jrnl's lenient readers might find a date or time in the text.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Num,
    Word,
    Space,
    Punct(char),
}

struct Tok {
    kind: Kind,
    text: String,
    /// Whether the token starts a word or number: at the start, or after
    /// something other than a letter or digit. (`parsedatetime` wants a
    /// space, `(`, `[`, `"`, `'` or `-` before a date or time, but it joins
    /// what is left around each piece it reads with a space and reads again,
    /// so any other character may end up there too.)
    starts_clear: bool,
}

/// The lowercased text as runs of digits, of letters, of spaces, and single
/// other characters.
fn tokens(blob: &str) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut prev: Option<char> = None;
    for ch in blob.chars().flat_map(char::to_lowercase) {
        let kind = if ch.is_numeric() {
            Kind::Num
        } else if ch.is_alphabetic() || ch == '_' {
            Kind::Word
        } else if crate::jrnl::py_space(ch) {
            Kind::Space
        } else {
            Kind::Punct(ch)
        };
        match out.last_mut() {
            Some(last)
                if last.kind == kind && matches!(kind, Kind::Num | Kind::Word | Kind::Space) =>
            {
                last.text.push(ch);
            }
            _ => out.push(Tok {
                kind,
                text: ch.to_string(),
                starts_clear: prev.is_none_or(|p| !(p.is_alphanumeric() || p == '_')),
            }),
        }
        prev = Some(ch);
    }
    out
}

/// A number's value; `None` for digits other than ASCII ones, which could
/// be anything.
fn value(t: &Tok) -> Option<u64> {
    if !t.text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(t.text.parse().unwrap_or(u64::MAX))
}

fn is_meridian(word: &str) -> bool {
    matches!(word, "am" | "pm" | "a" | "p")
}

/// Whether `dateutil` or `parsedatetime` might read a date or time in
/// `blob`. Errs towards yes: it looks for what either of them reads (names
/// of months and days, `today`, `noon`, a number with a unit or `am`/`pm`,
/// `last week`, `3/4`, `12:30`, a number that could be a clock time such as
/// `1530`), and for text made only of numbers and the words `dateutil`
/// knows.
fn might_be_a_date(blob: &str) -> bool {
    let trimmed = blob.trim_matches(crate::jrnl::py_space).to_lowercase();
    if trimmed == "now" || trimmed == "right now" {
        return true;
    }
    let toks = tokens(blob);
    let solid: Vec<usize> = (0..toks.len())
        .filter(|&i| toks[i].kind != Kind::Space)
        .collect();
    let mut all_dateutil = true;
    let mut any_number = false;
    let mut any_modifier = false;
    let mut now = false;
    for (k, &i) in solid.iter().enumerate() {
        let t = &toks[i];
        let next = solid.get(k + 1).map(|&j| &toks[j]);
        let next_word = next
            .filter(|n| n.kind == Kind::Word)
            .map(|n| n.text.as_str());
        let spaced = toks.get(i + 1).is_some_and(|n| n.kind == Kind::Space);
        match t.kind {
            Kind::Word => {
                let w = t.text.as_str();
                if month_number(w).is_some() || is_weekday(w) || DAY_AND_TIME_WORDS.contains(&w) {
                    return true;
                }
                // `an hour`, `last week`, `end of month`.
                let before_unit = spaced && next_word.is_some_and(is_unit);
                let end_of = w == "of"
                    && k > 0
                    && toks[solid[k - 1]].kind == Kind::Word
                    && toks[solid[k - 1]].text == "end";
                if before_unit && (NUMBER_WORDS.contains(&w) || MODIFIERS.contains(&w) || end_of) {
                    return true;
                }
                // parsedatetime reads the text before `ago`, `next` and the
                // like again on its own, its last number negated or not, so
                // any number there may become a date or a time.
                if MODIFIERS.contains(&w) {
                    if any_number {
                        return true;
                    }
                    any_modifier = true;
                }
                now |= w == "now";
                if !DATEUTIL_WORDS.contains(&w) && !is_unit(w) {
                    all_dateutil = false;
                }
            }
            Kind::Num => {
                any_number = true;
                let Some(v) = value(t) else { return true };
                let len = t.text.chars().count();
                // `5pm`, `3 days`, `10h`, `2 p`.
                if next_word.is_some_and(|w| is_unit(w) || is_meridian(w)) {
                    return true;
                }
                let after = toks.get(i + 1);
                let then = toks.get(i + 2).filter(|n| n.kind == Kind::Num);
                match (after.map(|a| a.kind), then) {
                    // `12:30`, `8:5`.
                    (Some(Kind::Punct(':')), Some(_)) if len <= 2 => return true,
                    // `3/4`, `2021-03-05`, `1.2`, `98-5` (year and month).
                    (Some(Kind::Punct('/' | '.' | '-')), Some(n)) if t.starts_clear => {
                        let Some(w) = value(n) else { return true };
                        let n_len = n.text.chars().count();
                        let month = |m: u64| (1..=12).contains(&m);
                        let day = |d: u64| (1..=31).contains(&d);
                        let pair =
                            (month(v) && day(w)) || (day(v) && month(w)) || (v > 31 && month(w));
                        if len == 4 || (len <= 2 && n_len <= 2 && pair) {
                            return true;
                        }
                    }
                    _ => {}
                }
                // `1530`, `12345`, `123456`: clock times to parsedatetime.
                let word_follows = after.is_some_and(|a| a.kind == Kind::Word);
                if t.starts_clear && !word_follows && (3..=6).contains(&len) {
                    let hour_len = if len.is_multiple_of(2) { 2 } else { 1 };
                    let rest = 10u64.pow(u32::try_from(len - hour_len).unwrap_or(0));
                    let hour = v / rest;
                    let minute = v % rest / (rest / 100).max(1);
                    let second = if len > 4 { v % 100 } else { 0 };
                    if hour <= 24 && minute <= 59 && second <= 59 {
                        return true;
                    }
                }
            }
            Kind::Space => {}
            Kind::Punct(p) => {
                if !matches!(
                    p,
                    '.' | ',' | ';' | '-' | '/' | '\'' | ':' | '+' | '(' | ')'
                ) {
                    all_dateutil = false;
                }
            }
        }
    }
    // `now` is a time to parsedatetime when it is all that is left after
    // the pieces it read (even pieces it then found to be no date).
    if now && (any_number || any_modifier) {
        return true;
    }
    // Only numbers and the words dateutil knows: it may read a date
    // (`1 2 2021`, `12;5;2021`).
    any_number && all_dateutil
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn date(s: &str) -> String {
        match read_blob(s) {
            Blob::Date(d) => d.format("%F %T").to_string(),
            other => panic!("{s:?}: {other:?}"),
        }
    }

    fn refused(s: &str) -> Why {
        match read_blob(s) {
            Blob::Refused(why) => why,
            other => panic!("{s:?}: {other:?}"),
        }
    }

    /// Every date here is the one jrnl 4.6 gives the header (checked by
    /// running jrnl).
    #[test]
    fn dates_jrnl_gives() {
        for (blob, want) in [
            // jrnl's default formats.
            ("2021-03-05 21:40", "2021-03-05 21:40:00"),
            ("2021-03-05 09:40:00 PM", "2021-03-05 21:40:00"),
            ("2021-03-05 21:40:07", "2021-03-05 21:40:07"),
            // Missing day, missing time.
            ("2019-07 14:23", "2019-07-01 14:23:00"),
            ("2021-03 08:00", "2021-03-01 08:00:00"),
            ("2021-03", "2021-03-01 00:00:00"),
            ("2021/03", "2021-03-01 00:00:00"),
            ("2021-03-05", "2021-03-05 00:00:00"),
            // jrnl drops these seconds unless `timeformat` has seconds.
            ("2021-03-05 00:00:30", "2021-03-05 00:00:30"),
            // Other separators.
            ("2021/03/05", "2021-03-05 00:00:00"),
            ("2021/03/05 8:05 PM", "2021-03-05 20:05:00"),
            ("2021.03.05 20:05", "2021-03-05 20:05:00"),
            ("2021-03/05", "2021-03-05 00:00:00"),
            ("2021-3-5 8:05", "2021-03-05 08:05:00"),
            ("2021-03-05T08:05", "2021-03-05 08:05:00"),
            ("2021-03-05T8:05", "2021-03-05 08:05:00"),
            ("2021-03-05, 08:05", "2021-03-05 08:05:00"),
            ("2021-03-05 at 8:05", "2021-03-05 08:05:00"),
            ("2021-03-05  08:05", "2021-03-05 08:05:00"),
            (" 2021-03-05 08:05 ", "2021-03-05 08:05:00"),
            ("20210305 08:00", "2021-03-05 08:00:00"),
            ("2021-03-05T08:00:00.123456", "2021-03-05 08:00:00"),
            ("2021-03-05 08:00:00,5", "2021-03-05 08:00:00"),
            // Twelve-hour clocks.
            ("2021-03-05 0:30 PM", "2021-03-05 12:30:00"),
            ("2021-03-05 00:30 AM", "2021-03-05 00:30:00"),
            ("2021-03-05 12:30 AM", "2021-03-05 00:30:00"),
            ("2021-03-05 12:30 PM", "2021-03-05 12:30:00"),
            ("2021-03-05 12 AM", "2021-03-05 00:00:00"),
            ("2021-03-05 8PM", "2021-03-05 20:00:00"),
            ("2021-03-05 8 pm", "2021-03-05 20:00:00"),
            ("2021-03-05 8:05 p.m.", "2021-03-05 20:05:00"),
            ("2021-03-05 08:05 P.M.", "2021-03-05 20:05:00"),
            ("2021-03-05 8:05 pm.", "2021-03-05 20:05:00"),
            ("2021-03-05 8:05 a", "2021-03-05 08:05:00"),
            ("2021-03-05 08:05PM", "2021-03-05 20:05:00"),
            ("2021-03-05 8:5:7 PM", "2021-03-05 20:05:07"),
            // Month first, unless only day first is a date.
            ("03/25/2021", "2021-03-25 00:00:00"),
            ("25/03/2021", "2021-03-25 00:00:00"),
            ("25.03.2021", "2021-03-25 00:00:00"),
            ("03.25.2021", "2021-03-25 00:00:00"),
            ("25-03-2021", "2021-03-25 00:00:00"),
            ("13/5/2021 8:05 PM", "2021-05-13 20:05:00"),
            ("5/5/2021", "2021-05-05 00:00:00"),
            // Month names.
            ("Mar 5 2021", "2021-03-05 00:00:00"),
            ("March 5, 2021 08:05 PM", "2021-03-05 20:05:00"),
            ("March 5, 2021 at 8:05 PM", "2021-03-05 20:05:00"),
            ("Mar 5 2021, 8:05 PM", "2021-03-05 20:05:00"),
            ("March 5, 2021, 8:05 PM", "2021-03-05 20:05:00"),
            ("5 March 2021", "2021-03-05 00:00:00"),
            ("5th March 2021", "2021-03-05 00:00:00"),
            ("5 of March 2021", "2021-03-05 00:00:00"),
            ("March 5th, 2021", "2021-03-05 00:00:00"),
            ("Mar. 5, 2021", "2021-03-05 00:00:00"),
            ("Sept 5, 2021", "2021-09-05 00:00:00"),
            ("05-Mar-2021", "2021-03-05 00:00:00"),
            ("05-Mar-2021 10:00", "2021-03-05 10:00:00"),
            ("2021-Mar-05", "2021-03-05 00:00:00"),
            ("2021 March 5", "2021-03-05 00:00:00"),
            ("2021 Mar 5 8:05 PM", "2021-03-05 20:05:00"),
            ("2021 Mar", "2021-03-01 00:00:00"),
            ("March 2021", "2021-03-01 00:00:00"),
            ("Mar 2021 10:00", "2021-03-01 10:00:00"),
            // Weekdays are ignored, even wrong ones.
            ("Friday, March 5, 2021", "2021-03-05 00:00:00"),
            ("Monday, March 5, 2021", "2021-03-05 00:00:00"),
            ("Fri 2021-03-05 10:00", "2021-03-05 10:00:00"),
            // Without a day, the first such weekday of the month.
            ("Friday, sept 2021 08:05", "2021-09-03 08:05:00"),
            ("Mon. Feb 2024", "2024-02-05 00:00:00"),
            ("tuesday 2024/03 21:40:07", "2024-03-05 21:40:07"),
            ("Fri 1999/March, 8:05 pm", "1999-03-05 20:05:00"),
            ("Monday 2021-03", "2021-03-01 00:00:00"),
            ("Friday 5 March 2021 10:00", "2021-03-05 10:00:00"),
            // Leap days and old years.
            ("2020-02-29", "2020-02-29 00:00:00"),
            ("1899-12-31 23:59", "1899-12-31 23:59:00"),
        ] {
            assert_eq!(date(blob), want, "{blob}");
        }
    }

    #[test]
    fn refused_with_the_reason() {
        assert_eq!(refused("Mar 5 08:00"), Why::NoYear);
        assert_eq!(refused("5 Mar 08:00"), Why::NoYear);
        assert_eq!(refused("March 08:00"), Why::NoYear);
        assert_eq!(refused("March 5th"), Why::NoYear);
        assert_eq!(refused("January"), Why::NoYear);
        assert_eq!(refused("08:05 PM"), Why::NoDate);
        assert_eq!(refused("Fri 08:00"), Why::NoDate);
        assert_eq!(refused("Tuesday"), Why::NoDate);
        assert_eq!(refused("05/03/21"), Why::ShortYear);
        assert_eq!(refused("05-Mar-21 10:00"), Why::ShortYear);
        assert_eq!(refused("Feb 1, 0001 08:05"), Why::ShortYear);
        assert_eq!(refused("0099-03-05"), Why::ShortYear);
        assert_eq!(refused("2021-03-05 08:05 Z"), Why::TimeZone);
        assert_eq!(refused("2021-03-05T08:00:00Z"), Why::TimeZone);
        assert_eq!(refused("2021-03-05 10:00 +02:00"), Why::TimeZone);
        assert_eq!(refused("2021-03-05 08:05 -0500"), Why::TimeZone);
        assert_eq!(refused("2021-03-05 08:05 CEST"), Why::TimeZone);
        match refused("05.03.2021 10:00") {
            Why::DayOrMonth {
                month_first,
                day_first,
            } => {
                assert_eq!(month_first, NaiveDate::from_ymd_opt(2021, 5, 3).unwrap());
                assert_eq!(day_first, NaiveDate::from_ymd_opt(2021, 3, 5).unwrap());
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(refused("03/05/2021"), Why::DayOrMonth { .. }));
        for bad in [
            "2021-13-45",
            "2021-13-45 25:61:00 PM",
            "2021-02-29",
            "2021-02-30 10:00",
            "Feb 30, 2021 10:00",
            "2021-04-31",
            "2021-03-00",
            "0000-03-05",
            "9999-03-05",
            "2021-03-05 25:00",
            "2021-03-05 24:00",
            "2021-03-05 23:59:60",
            "2021-03-05 21:61",
            "2021-03-05 13:40 PM",
            "2021-03-05 13:40 AM",
            "2021-25-03",
            "2021/25/03",
        ] {
            assert_eq!(refused(bad), Why::NotReal, "{bad}");
        }
        // What only parsedatetime reads, or might.
        for guess in [
            "March meeting",
            "May I ask",
            "Sun Tzu",
            "August Rush",
            "jan 2021 notes",
            "yesterday",
            "today at 5pm",
            "meeting at 5pm",
            "at noon",
            "in 3 days",
            "last week",
            "next friday",
            "tonight",
            "evening thoughts",
            "10 minutes",
            "an hour",
            "a day out",
            "right now",
            "take 5 m",
            "Plan B 2 p",
            "3/4 done",
            "version 1.2.3",
            "see page 123",
            "Room 1530 booked",
            "Edit: 2021",
            "Order 123456 shipped",
            "Ticket 12345 closed",
            "Note 12:30",
            "2021-03-05 8",
            "2021-03-05 08",
            "2021-03-05 0800",
            "2021-03-05 08h05",
            "2021.03",
            "2021-03-05,08:05",
            "20210305T0800",
            "  2021  ",
            "2021 08:00",
            "１２:３０ meeting",
        ] {
            assert_eq!(refused(guess), Why::Guess, "{guess}");
        }
        // Over-cautious: jrnl keeps these as text, Hearth refuses them
        // rather than risk merging a header.
        for cautious in [
            "192.168.1.1",
            "12 34 56",
            "1 2 3 4",
            "1, 2, 3, 4",
            "plan 3 a go",
        ] {
            assert_eq!(refused(cautious), Why::Guess, "{cautious}");
        }
    }

    /// Bracketed text jrnl keeps as text (checked by running jrnl).
    #[test]
    fn text_jrnl_keeps() {
        for text in [
            "1",
            "x",
            " ",
            "TODO",
            "2021",
            "1999",
            "Mar 5",
            "2021-3",
            "noon",
            "1.2.3",
            "ashasd7zdskhz7asdkjasd",
            "Note to self",
            "IMPORTANT",
            "Chapter 3 notes",
            "Meeting with Bob at 5",
            "from 9 to 5",
            "TODO list",
            "Draft 2",
            "Part 2 of 3",
            "2 apples",
            "3 eggs and milk",
            "Bob said hi",
            "citation needed",
            "ibid. p. 45",
            "Mayday call",
            "Marching on",
            "Lastly done",
            "this is fine",
            "after work",
            "from Bob on",
            "the 1st one",
            "5th floor",
            "now what?",
            "one more",
            "Second thoughts",
            "first day",
            "the end of it",
            "PM notes",
            "Note: 12",
            "Smith 1999",
            "Phone 5551234 ok",
            "10.0.1",
            "1-0 win",
            "3 - 4 people",
            "(12) intro",
            "'21 notes",
            "5 + 3 = 8",
            "Will",
            "sic et non",
            "link text here",
        ] {
            assert_eq!(read_blob(text), Blob::Text, "{text:?}");
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        let m = refusal("`[2021-03 0800]`", &Why::Guess);
        assert!(m.contains("`[2021-03 0800]`"), "{m}");
        assert!(m.contains("[YYYY-MM-DD HH:MM]"), "{m}");
        assert!(m.contains("\\["), "{m}");
        let m = refusal(
            "`[05/03/2021]`",
            &Why::DayOrMonth {
                month_first: NaiveDate::from_ymd_opt(2021, 5, 3).unwrap(),
                day_first: NaiveDate::from_ymd_opt(2021, 3, 5).unwrap(),
            },
        );
        assert!(
            m.contains("May 3, 2021") && m.contains("March 5, 2021"),
            "{m}"
        );
    }
}
