//! Arbitrary bytes as Day One's export zip, two ways. The first byte picks:
//! even, the rest is the zip file itself; odd, the rest is the
//! `Journal.json` of a zip built here around it, with a photo, a video, a
//! recording and a PDF named by the md5s the seeds' JSON lists. Whatever is
//! imported, every attachment has a plain key, unique in its entry, that the
//! body refers to, and streams its bytes (always, from a zip built here).
#![no_main]

use hearth_interchange::{Format, Parsed};
use libfuzzer_sys::fuzz_target;
use std::io::Read;

/// The media in the built zip (those `tests/fixtures/dayone_media.json`
/// lists, but one).
const MEDIA: [(&str, &[u8]); 6] = [
    ("photos/0cc175b9c0f1b6a831c399e269772661.jpeg", b"\xff\xd8\xff a photo"),
    ("photos/92eb5ffee6ae2fec3ad71c777531578f.jpeg", b"\xff\xd8\xff another"),
    ("photos/4a8a08f09d37b73795649038408b5f33.png", b"\x89PNG a png"),
    ("videos/8277e0910d750195b448797616e091ad.mov", b"a video"),
    ("audios/e1671797c52e15f763380b45e841ec32.m4a", b"a recording"),
    ("pdfs/8fa14cdd754f91cc6554c9e71929cce7.pdf", b"%PDF-1.4 a pdf"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let built = mode % 2 == 1;
    let path = hearth_fuzz::scratch().join(if built { "built.zip" } else { "export.zip" });
    if built {
        let mut files: Vec<(&str, &[u8])> = vec![("Journal.json", rest)];
        files.extend(MEDIA);
        std::fs::write(&path, stored_zip(&files)).expect("write the zip");
    } else {
        std::fs::write(&path, rest).expect("write the zip");
    }
    if let Ok(parsed) = hearth_interchange::read(Format::DayOne, &path) {
        check(&parsed, built);
    }
});

fn check(parsed: &Parsed, built: bool) {
    for r in &parsed.records {
        let mut keys = std::collections::HashSet::new();
        for a in &r.attachments {
            assert!(
                !a.key.is_empty()
                    && a.key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
                "key {:?}",
                a.key
            );
            assert!(keys.insert(a.key.as_str()), "key {} twice", a.key);
            assert!(
                r.body.contains(&format!("(attachment:{})", a.key)),
                "{} is not in the body",
                a.key
            );
            assert!(!a.name.is_empty() && !a.name.contains('/'), "name {:?}", a.name);
            // At most 1 MiB of each: a member of an arbitrary zip may
            // inflate a lot.
            let streamed = a
                .source
                .read_with(|r| std::io::copy(&mut r.take(1 << 20), &mut std::io::sink()));
            if built {
                let n = streamed.expect("a member of the built zip streams");
                assert!(MEDIA.iter().any(|(_, b)| b.len() as u64 == n));
            }
        }
    }
}

/// A zip of `files`, stored (not compressed).
fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, bytes) in files {
        let offset = out.len() as u32;
        let crc = crc32(bytes);
        let size = bytes.len() as u32;
        let name_len = name.len() as u16;
        // Local file header.
        out.extend(0x0403_4b50u32.to_le_bytes());
        out.extend(20u16.to_le_bytes()); // version needed
        out.extend(0x0800u16.to_le_bytes()); // UTF-8 names
        out.extend(0u16.to_le_bytes()); // stored
        out.extend(0u16.to_le_bytes()); // time
        out.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(name_len.to_le_bytes());
        out.extend(0u16.to_le_bytes()); // extra
        out.extend(name.as_bytes());
        out.extend(*bytes);
        // Its central directory header.
        central.extend(0x0201_4b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        central.extend(20u16.to_le_bytes()); // needed
        central.extend(0x0800u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(0u16.to_le_bytes());
        central.extend(0x21u16.to_le_bytes());
        central.extend(crc.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(size.to_le_bytes());
        central.extend(name_len.to_le_bytes());
        central.extend(0u16.to_le_bytes()); // extra
        central.extend(0u16.to_le_bytes()); // comment
        central.extend(0u16.to_le_bytes()); // disk
        central.extend(0u16.to_le_bytes()); // internal attributes
        central.extend(0u32.to_le_bytes()); // external attributes
        central.extend(offset.to_le_bytes());
        central.extend(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let count = files.len() as u16;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend(count.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(central_offset.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
