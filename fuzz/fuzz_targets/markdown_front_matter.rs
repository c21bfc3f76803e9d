//! Arbitrary bytes as one Markdown file's text: YAML, TOML or JSON front
//! matter, Logseq page properties, links and inline tags in the body. The
//! file is read on its own (no folder), so no link is followed; the reader
//! may refuse it but must not panic, and what it accepts must hold its
//! promises (checked in `fuzz_markdown_file`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    hearth_interchange::fuzzing::fuzz_markdown_file("2021-04-15-walk.md", &text);
});
