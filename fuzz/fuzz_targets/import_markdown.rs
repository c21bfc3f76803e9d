//! Arbitrary bytes as a Markdown folder to import: the input's first line
//! names the one `.md` file in it (file names carry dates), the rest is the
//! file.
#![no_main]

use hearth_interchange::Format;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (name, text) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&[][..], data),
    };
    // A name the file system takes: no separators, no NUL, not too long.
    let name: String = String::from_utf8_lossy(name)
        .chars()
        .filter(|c| !matches!(c, '/' | '\\' | '\0'))
        .take(60)
        .collect();
    hearth_fuzz::read_folder(Format::Markdown, &format!("{name}.md"), text);
});
