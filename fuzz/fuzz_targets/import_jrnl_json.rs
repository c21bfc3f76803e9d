//! Arbitrary bytes as a file to import with `--format jrnl-json`.
#![no_main]

use hearth_interchange::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    hearth_fuzz::read_file(Format::JrnlJson, "journal.json", data);
});
