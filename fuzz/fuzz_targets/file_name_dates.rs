//! Arbitrary text as a file or folder name that may start with a date
//! (`2021-04-15-0930-walk`, `2021_04_15`, `20210415`), and as a front-matter
//! time (`2017-02-08 06:09:27 +0800`). Neither parser may panic; a date
//! found in a name must leave the rest of the name as written.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    hearth_interchange::fuzzing::fuzz_file_name_date(&text);
});
