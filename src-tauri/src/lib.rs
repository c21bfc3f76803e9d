//! The Hearth desktop shell: a Tauri 2 window around hearth-core. This is
//! the only crate that imports tauri.
//!
//! - [`commands`]: what the window invokes, each a thin call into the core,
//!   run off the window's thread.
//! - [`dto`], [`error`]: the shapes and the one error that cross the IPC
//!   boundary; [`bindings`] generates their TypeScript declarations.
//! - [`session`]: the open journal, shared with its node, and activity
//!   tracking.
//! - [`node`]: this device's node (sync and pairing) while the journal is
//!   open; [`notify`] tells the window what happens on the network;
//!   [`confirm`] asks the person whether a pairing code matches and
//!   [`circle_ask`] whether they accept a circle's agreements, both
//!   through [`question`].
//! - [`idle`]: auto-lock and the daily time budget, told to the window as
//!   events.
//! - [`prefs`]: the desktop's sealed settings and their defaults.
//! - [`insights`]: calendar, "on this day" and mood chart data.
//! - [`home`]: where the journal lives.
//! - [`files`]: the `hearth-file` URI scheme, through which the window
//!   shows photos (and their thumbnails) from the open journal; [`sample`]
//!   makes pictures for tests and the benchmark journal.

pub mod bindings;
pub mod circle_ask;
pub mod commands;
pub mod confirm;
pub mod dto;
pub mod error;
pub mod files;
pub mod home;
pub mod idle;
pub mod insights;
pub mod node;
pub mod notify;
pub mod prefs;
pub mod question;
pub mod sample;
pub mod session;

use session::Session;
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tauri::Manager;

/// When the program started, for the launch-time benchmark.
pub static LAUNCHED: OnceLock<Instant> = OnceLock::new();

/// Open the window and run until it closes.
pub fn run() -> Result<(), String> {
    LAUNCHED.get_or_init(Instant::now);
    let home = home::data_dir()?;
    let app = files::register(tauri::Builder::default())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            let handle = app.handle().clone();
            let session = Arc::new(Session::networked(home, notify::to_window(handle.clone())));
            app.manage(Arc::clone(&session));
            idle::spawn(handle, session);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::vault::status,
            commands::vault::create_journal,
            commands::vault::unlock,
            commands::vault::lock,
            commands::vault::change_passphrase,
            commands::vault::recover,
            commands::vault::has_recovery_key,
            commands::vault::new_recovery_key,
            commands::vault::note_activity,
            commands::vault::since_launch,
            commands::entries::list_entries,
            commands::entries::get_entry,
            commands::entries::save_entry,
            commands::entries::trash_entry,
            commands::entries::untrash_entry,
            commands::entries::search_entries,
            commands::entries::prepare_search,
            commands::attachments::check_files,
            commands::attachments::attach_files,
            commands::attachments::attach_bytes,
            commands::attachments::detach_attachment,
            commands::attachments::save_attachment,
            commands::insights::calendar_month,
            commands::insights::on_this_day,
            commands::insights::mood_series,
            commands::settings::get_preferences,
            commands::settings::set_preferences,
            commands::settings::get_writing_aids,
            commands::settings::set_writing_aids,
            commands::settings::get_crisis_lines,
            commands::settings::set_crisis_lines,
            commands::settings::default_crisis_lines,
            commands::transfer::formats,
            commands::transfer::import_entries,
            commands::transfer::export_entries,
            commands::devices::devices_list,
            commands::devices::device_rename,
            commands::devices::device_remove,
            commands::network::sync_status,
            commands::network::net_config,
            commands::network::set_net_config,
            commands::network::add_sync_window,
            commands::network::sync_now,
            commands::pairing::pair_invite,
            commands::pairing::pair_close,
            commands::pairing::pair_answer,
            commands::pairing::default_device_name,
            commands::pairing::join_journal,
            commands::circles::list_circles,
            commands::circles::show_circle,
            commands::circles::create_circle,
            commands::circles::invite_to_circle,
            commands::circles::join_circle,
            commands::circles::answer_circle_question,
            commands::circles::share_entry,
            commands::circles::unshare_entry,
            commands::circles::circle_feed,
            commands::circles::read_shared,
            commands::circles::reply_to_shared,
            commands::moderation::remove_member,
            commands::moderation::set_member_role,
            commands::moderation::leave_circle,
            commands::moderation::mute_member,
            commands::moderation::report_item,
            commands::moderation::circle_reports,
            commands::moderation::set_away,
        ])
        .build(tauri::generate_context!())
        .map_err(|e| e.to_string())?;
    app.run(|app, event| {
        // Quitting stops the node (its sockets close) and drops the keys.
        if let tauri::RunEvent::Exit = event
            && let Some(session) = app.try_state::<Arc<Session>>()
        {
            session.lock();
        }
    });
    Ok(())
}
