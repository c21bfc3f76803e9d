//! Circles: small groups the person shares chosen entries with. Making
//! one, listing them, and showing one whole (inviting and sharing come
//! later, in the core first).

use super::blocking;
use crate::dto::CircleInput;
use crate::error::IpcResult;
use crate::session::Session;
use hearth_core::Journal;
use hearth_core::circles::{CircleDetail, CircleSummary};
use std::sync::Arc;
use tauri::State;

/// Every circle the person is in (or was), by name.
#[tauri::command]
pub async fn list_circles(state: State<'_, Arc<Session>>) -> IpcResult<Vec<CircleSummary>> {
    blocking(state, |s| s.with(|j| Ok(j.circles()?))).await
}

/// One circle, whole: its purpose, agreements, members and key epoch.
#[tauri::command]
pub async fn show_circle(
    state: State<'_, Arc<Session>>,
    id_or_name: String,
) -> IpcResult<CircleDetail> {
    blocking(state, move |s| s.with(|j| Ok(j.circle(&id_or_name)?))).await
}

/// Make a circle the person owns; nothing is shared with it.
#[tauri::command]
pub async fn create_circle(
    state: State<'_, Arc<Session>>,
    input: CircleInput,
) -> IpcResult<CircleSummary> {
    blocking(state, move |s| s.with(|j| create(j, input))).await
}

fn create(j: &mut Journal, input: CircleInput) -> IpcResult<CircleSummary> {
    Ok(j.create_circle(&input.into())?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::error::{ErrorKind, IpcError};
    use crate::session::tests::cheap;
    use hearth_core::Vault;
    use hearth_core::circles::CircleRole;
    use serde_json::json;

    fn input(name: &str, as_name: &str) -> CircleInput {
        serde_json::from_value(json!({
            "name": name,
            "about": "  Walking on Sundays. ",
            "agreements": "What is said here stays here.\nBe kind.",
            "asName": as_name,
        }))
        .unwrap()
    }

    #[test]
    fn a_made_circle_is_listed_and_shown_with_its_owner() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        assert!(j.circles().unwrap().is_empty());
        let made = create(&mut j, input(" Sunday walkers ", " Fern ")).unwrap();
        assert_eq!(made.name, "Sunday walkers");
        assert_eq!(made.role, Some(CircleRole::Owner));
        assert_eq!(made.id.len(), 32);
        assert_eq!(j.circles().unwrap(), vec![made.clone()]);

        let shown = j.circle(&made.id).unwrap();
        assert_eq!(shown.name, "Sunday walkers");
        assert_eq!(shown.about, "Walking on Sundays.");
        assert_eq!(shown.agreements, "What is said here stays here.\nBe kind.");
        assert_eq!(shown.role, Some(CircleRole::Owner));
        assert_eq!((shown.epoch, shown.waiting), (0, 0));
        let [me] = shown.members.as_slice() else {
            panic!("one member: {:?}", shown.members)
        };
        assert_eq!(
            (me.name.as_str(), me.role, me.you),
            ("Fern", CircleRole::Owner, true)
        );
        assert_eq!(j.circle("sunday walkers").unwrap(), shown);
    }

    #[test]
    fn the_form_arrives_in_camel_case() {
        let c: CircleInput = serde_json::from_value(json!({ "name": "A", "asName": "B" })).unwrap();
        assert_eq!((c.name.as_str(), c.as_name.as_str()), ("A", "B"));
        assert!(c.about.is_empty() && c.agreements.is_empty());
    }

    #[test]
    fn a_bad_name_is_refused_and_nothing_is_made() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let e = create(&mut j, input("   ", "Fern")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert_eq!(
            e.message,
            "a circle's name is one line of 1 to 100 bytes; nothing was changed"
        );
        let e = create(&mut j, input(&"x".repeat(101), "Fern")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid, "{}", e.message);
        let e = create(&mut j, input("Walkers", "")).unwrap_err();
        assert_eq!(
            e.message,
            "how you appear to the circle is one line of 1 to 100 bytes; nothing was changed"
        );
        assert!(j.circles().unwrap().is_empty());
    }

    #[test]
    fn an_unknown_circle_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let j = Vault::create(dir.path(), b"pw", cheap()).unwrap();
        let e = IpcError::from(j.circle("nowhere").unwrap_err());
        assert_eq!(e.kind, ErrorKind::Invalid);
        assert!(e.message.contains("no circle called"), "{}", e.message);
    }
}
