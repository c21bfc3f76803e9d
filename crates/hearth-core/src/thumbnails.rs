//! Small pictures of photos, for lists and galleries.
//!
//! A thumbnail is made the first time it is asked for (so importing a
//! thousand photos does not decode a thousand photos), from the sealed
//! blob, and kept as a sealed cache (FORMAT.md 2.5) named after the blob's
//! vault id, never its content hash. It can always be made again, is not
//! synced or backed up, and goes when its photo's blob goes. JPEG, PNG, GIF
//! and WebP are decoded; other images (HEIC among them: no maintained
//! decoder in Rust) have no thumbnail, and the shells show their name.

use crate::attachments::{Attachment, blob_id, parse_hash};
use crate::journal::Journal;
use crate::{CoreError, Result};
use hearth_crypto::aead;
use image::{ImageFormat, ImageReader, Limits};
use std::io::Cursor;

/// The longest side of a thumbnail, in pixels.
pub const THUMBNAIL_SIDE: u32 = 320;

/// The most memory decoding one photo may take.
const DECODE_LIMIT: u64 = 512 << 20;

/// The cache name of a blob's thumbnail.
pub(crate) fn cache_name(blob: &[u8; 32]) -> String {
    format!("thumbnail.{}", hex::encode(blob))
}

fn aad(name: &str) -> Vec<u8> {
    let mut a = b"hearth/cache/thumbnail/v1".to_vec();
    a.extend_from_slice(name.as_bytes());
    a
}

/// The formats thumbnails are made from.
fn decodable(media_type: &str) -> Option<ImageFormat> {
    match media_type {
        "image/jpeg" => Some(ImageFormat::Jpeg),
        "image/png" => Some(ImageFormat::Png),
        "image/gif" => Some(ImageFormat::Gif),
        "image/webp" => Some(ImageFormat::WebP),
        _ => None,
    }
}

/// A JPEG no larger than [`THUMBNAIL_SIDE`] on either side.
fn make(bytes: &[u8], format: ImageFormat) -> Option<Vec<u8>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(DECODE_LIMIT);
    reader.limits(limits);
    let picture = reader.decode().ok()?;
    let small = picture
        .thumbnail(THUMBNAIL_SIDE, THUMBNAIL_SIDE)
        .into_rgb8();
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, ImageFormat::Jpeg).ok()?;
    Some(out.into_inner())
}

impl Journal {
    /// A photo's thumbnail (JPEG bytes), made and kept the first time;
    /// `None` when the attachment is not a photo Hearth can decode, or its
    /// bytes do not decode.
    pub fn thumbnail(&mut self, id_or_prefix: &str) -> Result<Option<Vec<u8>>> {
        let a = self.find_attachment(id_or_prefix)?;
        let Some(format) = decodable(&a.media_type) else {
            return Ok(None);
        };
        let content =
            parse_hash(&a.id).ok_or_else(|| CoreError::invalid("an attachment id is malformed"))?;
        let name = cache_name(&blob_id(self.scope_key(), &content));
        if let Some(cached) = self.store.cache(&name)?
            && let Ok(plain) = aead::open(self.scope_key(), &aad(&name), &cached.1)
        {
            return Ok(Some(plain));
        }
        let mut bytes = Vec::with_capacity(a.size as usize);
        self.copy_attachment(&a, &mut bytes)?;
        let Some(small) = make(&bytes, format) else {
            return Ok(None);
        };
        let sealed = aead::seal(self.scope_key(), &aad(&name), &small);
        self.store.put_cache(&name, &[], &sealed)?;
        Ok(Some(small))
    }

    /// Whether [`Journal::thumbnail`] can make one for this attachment.
    pub fn has_thumbnail(a: &Attachment) -> bool {
        decodable(&a.media_type).is_some()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_big_photo_becomes_a_small_jpeg_and_junk_none() {
        let big = image::RgbImage::from_fn(1200, 800, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut png = Cursor::new(Vec::new());
        big.write_to(&mut png, ImageFormat::Png).unwrap();
        let small = make(png.get_ref(), ImageFormat::Png).unwrap();
        let back = image::load_from_memory(&small).unwrap();
        assert_eq!((back.width(), back.height()), (320, 213));
        assert!(make(b"not a picture", ImageFormat::Jpeg).is_none());
        assert!(decodable("image/heic").is_none());
    }
}
