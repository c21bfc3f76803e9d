//! The `hearth-file` URI scheme: how the window shows photos. An `<img>`
//! whose source is `hearth-file://localhost/ID` (on Windows and Android,
//! `http://hearth-file.localhost/ID`; the window's `convertFileSrc` makes
//! the right one) gets the photo with that content hash from the open
//! journal, and `…/ID?thumb` its thumbnail (a small JPEG, made the first
//! time and kept sealed). Photo bytes never travel over IPC as JSON.
//!
//! Only photos are served, only while the journal is open (403 when it is
//! locked), only by their full id (404 for anything else), and with
//! `Cache-Control: no-store`, so the web view keeps no copy on disk.

use crate::session::Session;
use std::sync::Arc;
use tauri::http::{Method, Request, Response, StatusCode, header};

/// The scheme's name; the content security policy's `img-src` allows it.
pub const SCHEME: &str = "hearth-file";

/// Media types an `<img>` may be given. SVG is left out (it is a document,
/// not a photo), as is everything that is not an image.
fn showable(media_type: &str) -> bool {
    media_type.starts_with("image/") && !media_type.contains("svg")
}

/// What the request asks for.
#[derive(Debug, PartialEq, Eq)]
enum Want {
    Photo(String),
    Thumbnail(String),
}

fn parse(request: &Request<Vec<u8>>) -> Option<Want> {
    let id = request.uri().path().trim_start_matches('/');
    if id.len() != 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let id = id.to_ascii_lowercase();
    match request.uri().query() {
        None | Some("") => Some(Want::Photo(id)),
        Some("thumb") => Some(Want::Thumbnail(id)),
        Some(_) => None,
    }
}

fn reply(status: StatusCode, media_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let response = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, media_type)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, "default-src 'none'")
        .body(body);
    // Only a malformed header could fail, and these are fixed.
    response.unwrap_or_else(|_| Response::new(Vec::new()))
}

fn refuse(status: StatusCode, why: &str) -> Response<Vec<u8>> {
    reply(status, "text/plain; charset=utf-8", why.as_bytes().to_vec())
}

/// Answer one request from the open journal. Reading a photo is not the
/// person's activity: it does not hold off auto-lock.
pub fn respond(session: &Session, request: &Request<Vec<u8>>) -> Response<Vec<u8>> {
    if request.method() != Method::GET {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "only GET");
    }
    let Some(want) = parse(request) else {
        return refuse(StatusCode::NOT_FOUND, "no such photo");
    };
    if !session.is_unlocked() {
        return refuse(StatusCode::FORBIDDEN, "the journal is locked");
    }
    let found = session.quietly(|j| {
        let photo = |id: &str| {
            j.find_attachment(id)
                .ok()
                .filter(|a| a.id == id && showable(&a.media_type))
        };
        Ok(match &want {
            Want::Photo(id) => match photo(id) {
                None => None,
                Some(_) => {
                    let (a, bytes) = j.attachment_bytes(id)?;
                    Some((a.media_type, bytes))
                }
            },
            Want::Thumbnail(id) => match photo(id) {
                None => None,
                Some(_) => j.thumbnail(id)?.map(|t| ("image/jpeg".to_string(), t)),
            },
        })
    });
    match found {
        Ok(Some((media_type, bytes))) => reply(StatusCode::OK, &media_type, bytes),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "no such photo"),
        Err(e) if e.kind == crate::error::ErrorKind::Locked => {
            refuse(StatusCode::FORBIDDEN, "the journal is locked")
        }
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.message),
    }
}

/// Register the scheme on a builder: each request is answered off the
/// window's thread.
pub fn register<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    use tauri::Manager;
    builder.register_asynchronous_uri_scheme_protocol(SCHEME, |ctx, request, responder| {
        let session = ctx
            .app_handle()
            .try_state::<Arc<Session>>()
            .map(|s| Arc::clone(s.inner()));
        tauri::async_runtime::spawn_blocking(move || {
            responder.respond(match session {
                Some(s) => respond(&s, &request),
                None => refuse(StatusCode::FORBIDDEN, "the journal is locked"),
            });
        });
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::session::tests::{cheap, png};
    use hearth_core::{EntryDraft, Vault};

    fn get(s: &Session, uri: &str) -> Response<Vec<u8>> {
        respond(s, &Request::builder().uri(uri).body(Vec::new()).unwrap())
    }

    fn header(r: &Response<Vec<u8>>, name: header::HeaderName) -> &str {
        r.headers().get(name).unwrap().to_str().unwrap()
    }

    #[test]
    fn requests_are_parsed_strictly() {
        let id = "ab".repeat(32);
        let req = |uri: &str| Request::builder().uri(uri).body(Vec::new()).unwrap();
        let linux = format!("hearth-file://localhost/{id}");
        assert_eq!(parse(&req(&linux)), Some(Want::Photo(id.clone())));
        let windows = format!("http://hearth-file.localhost/{}?thumb", id.to_uppercase());
        assert_eq!(parse(&req(&windows)), Some(Want::Thumbnail(id.clone())));
        for bad in [
            "hearth-file://localhost/abab".to_string(),
            format!("hearth-file://localhost/{id}?size=9"),
            format!("hearth-file://localhost/../{id}"),
            format!("hearth-file://localhost/{}zz", &id[..62]),
        ] {
            assert_eq!(parse(&req(&bad)), None, "{bad}");
        }
    }

    #[test]
    fn photos_and_thumbnails_are_served_while_unlocked_and_only_then() {
        let dir = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let id = j
            .write(EntryDraft {
                body: "Harbour.".into(),
                ..Default::default()
            })
            .unwrap()
            .id
            .to_string();
        let photo = files.path().join("harbour.png");
        std::fs::write(&photo, png(640, 480)).unwrap();
        let notes = files.path().join("notes.txt");
        std::fs::write(&notes, "not a photo").unwrap();
        let added = j.attach(&id, &[photo, notes]).unwrap();
        let (p, n) = (&added[0].id, &added[1].id);

        let s = Session::new(dir.path().to_path_buf());
        let locked = get(&s, &format!("hearth-file://localhost/{p}"));
        assert_eq!(locked.status(), StatusCode::FORBIDDEN);
        assert!(locked.body().starts_with(b"the journal is locked"));
        s.open(j).unwrap();

        let r = get(&s, &format!("hearth-file://localhost/{p}"));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(header(&r, header::CONTENT_TYPE), "image/png");
        assert_eq!(header(&r, header::CACHE_CONTROL), "no-store");
        assert_eq!(header(&r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        assert_eq!(r.body(), &png(640, 480));

        let t = get(&s, &format!("http://hearth-file.localhost/{p}?thumb"));
        assert_eq!(t.status(), StatusCode::OK);
        assert_eq!(header(&t, header::CONTENT_TYPE), "image/jpeg");
        assert_eq!(&t.body()[..3], &[0xFF, 0xD8, 0xFF], "a JPEG");
        assert!(t.body().len() < r.body().len());

        // Not a photo, not known, not a whole id, not GET: nothing.
        for uri in [
            format!("hearth-file://localhost/{n}"),
            format!("hearth-file://localhost/{n}?thumb"),
            format!("hearth-file://localhost/{}", "cd".repeat(32)),
            format!("hearth-file://localhost/{}", &p[..12]),
        ] {
            assert_eq!(get(&s, &uri).status(), StatusCode::NOT_FOUND, "{uri}");
        }
        let post = Request::builder()
            .method(Method::POST)
            .uri(format!("hearth-file://localhost/{p}"))
            .body(Vec::new())
            .unwrap();
        assert_eq!(respond(&s, &post).status(), StatusCode::METHOD_NOT_ALLOWED);

        // Serving photos does not count as the person doing something.
        let before = s.activity(|a| a.last);
        std::thread::sleep(std::time::Duration::from_millis(5));
        get(&s, &format!("hearth-file://localhost/{p}?thumb"));
        assert_eq!(s.activity(|a| a.last), before);

        assert!(s.lock());
        let r = get(&s, &format!("hearth-file://localhost/{p}"));
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
}
