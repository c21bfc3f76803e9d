//! Attachment names: media types from extensions, keys a body can use
//! (`attachment:KEY`), and file names that are safe to write.

/// The media type for a file name's extension, when it is a common one.
pub(crate) fn media_type(name: &str) -> Option<&'static str> {
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jpe" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "avif" => "image/avif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "svg" => "image/svg+xml",
        "pdf" => "application/pdf",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "wav" => "audio/wav",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "flac" => "audio/flac",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "json" => "application/json",
        "zip" => "application/zip",
        _ => return None,
    })
}

/// Whether `key` is one a body can name: ASCII letters, digits, `-`, `_`,
/// `.`, not empty.
pub(crate) fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A key made from a file name: other characters become `-` (runs of them
/// one), no leading dots, at most 80 characters, `attachment` when nothing
/// is left.
pub(crate) fn key_from_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out = out.trim_start_matches('-');
    let out = if out.starts_with('.') {
        format!("attachment{out}")
    } else {
        out.to_string()
    };
    let mut out: String = out.chars().take(80).collect();
    while out.ends_with('-') && out.len() > 1 {
        out.pop();
    }
    if out.is_empty() {
        "attachment".to_string()
    } else {
        out
    }
}

/// `base`, or `base` with `-2`, `-3`, … before its extension, whichever
/// `taken` does not hold first.
pub(crate) fn unique(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    let (stem, ext) = match base.rfind('.') {
        Some(i) if i > 0 => (&base[..i], &base[i..]),
        _ => (base, ""),
    };
    let mut n = 2usize;
    loop {
        let candidate = format!("{stem}-{n}{ext}");
        if !taken(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// A file name that is safe to create inside the export folder: no folder
/// separators, no characters Windows refuses, no control characters, no
/// leading dot (the reader skips hidden files) and no `..`; at most about
/// 120 bytes, keeping the extension.
pub(crate) fn disk_name(name: &str, fallback: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    out = out.trim().trim_end_matches(['.', ' ']).to_string();
    if out.starts_with('.') {
        out = format!("_{}", out.trim_start_matches('.'));
    }
    if out.is_empty() || out == "_" {
        out = fallback.to_string();
    }
    if out.len() > 120 {
        let (stem, ext) = match out.rfind('.') {
            Some(i) if out.len() - i <= 12 => (out[..i].to_string(), out[i..].to_string()),
            _ => (out.clone(), String::new()),
        };
        let mut cut = 120 - ext.len();
        while !stem.is_char_boundary(cut) {
            cut -= 1;
        }
        out = format!("{}{ext}", &stem[..cut]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_keys_and_names() {
        assert_eq!(media_type("a.JPG"), Some("image/jpeg"));
        assert_eq!(media_type("a.heic"), Some("image/heic"));
        assert_eq!(media_type("a.m4a"), Some("audio/mp4"));
        assert_eq!(media_type("a.mov"), Some("video/quicktime"));
        assert_eq!(media_type("noext"), None);
        assert_eq!(key_from_name("my photo (1).jpg"), "my-photo-1-.jpg");
        assert_eq!(key_from_name("..hidden"), "attachment..hidden");
        assert_eq!(key_from_name("日本.png"), "attachment.png");
        assert_eq!(key_from_name("日本"), "attachment");
        assert!(valid_key(&key_from_name("a/b\\c..d")));
        assert_eq!(unique("a.jpg", |k| k == "a.jpg"), "a-2.jpg");
        assert_eq!(unique("a", |k| k == "a" || k == "a-2"), "a-3");
        assert_eq!(disk_name("../x/y.jpg", "f"), "__x_y.jpg");
        assert_eq!(disk_name("..", "f"), "f");
        assert_eq!(disk_name(".env", "f"), "_env");
        assert_eq!(disk_name("a:b?.png", "f"), "a_b_.png");
        let long = format!("{}.jpeg", "é".repeat(100));
        let d = disk_name(&long, "f");
        assert!(d.len() <= 120 && d.ends_with(".jpeg"), "{d}");
    }
}
