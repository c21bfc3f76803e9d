//! Arbitrary bytes as a Day One export to import: `Journal.json`, or the
//! zip around it (the reader tells them apart by the zip's magic bytes; the
//! seeds hold both).
#![no_main]

use hearth_interchange::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hearth_fuzz::read_file(Format::DayOne, "export", data);
});
