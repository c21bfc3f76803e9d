//! The command line, as clap sees it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Hearth: a private, encrypted journal.
#[derive(Debug, Parser)]
#[command(name = "hearth", version, about, long_about = None)]
pub struct Cli {
    /// The data directory [default: $HEARTH_HOME, else the platform's data directory]
    #[arg(long, global = true, value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Say more on standard error: -v what was done, -vv how (RUST_LOG, when
    /// set, chooses instead). Entries' contents are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new journal (asks for a passphrase twice) and show its recovery key
    Init(InitArgs),
    /// Add an entry; the body is TEXT, else standard input, else $EDITOR
    ///
    /// The editor's draft is kept in memory: a file of mode 0600 in
    /// $HEARTH_DRAFT_DIR, $XDG_RUNTIME_DIR or /dev/shm (whichever is a tmpfs),
    /// removed when the editor closes. Where there is none, hearth asks before
    /// putting the draft on disk.
    Write(WriteArgs),
    /// List entries, newest first
    List(ListArgs),
    /// Show one entry
    Show(ShowArgs),
    /// Change an entry
    Edit(EditArgs),
    /// Move an entry to the trash
    Delete(IdArg),
    /// Search entries by relevance: words, prefix*, "a phrase"
    Search(SearchArgs),
    /// Mood per day and how often each feeling was named
    Mood(MoodArgs),
    /// Change the passphrase (entries are not re-encrypted)
    Passwd(KdfArgs),
    /// Forgot the passphrase? Set a new one with the recovery key
    Recover,
    /// Replace the recovery key: `recovery-key new`
    RecoveryKey(RecoveryKeyArgs),
    /// Write the whole journal, history included, to one encrypted file; `backup verify FILE` checks one
    Backup(BackupArgs),
    /// Restore a backup into an empty data directory (--home, $HEARTH_HOME or the default)
    Restore(RestoreArgs),
    /// Import entries from a file or folder (with their photos and files); --dry-run shows what it would keep
    Import(ImportArgs),
    /// Export every entry to a file or folder
    Export(TransferArgs),
    /// Add photos or files to an entry (JPEG, PNG, HEIC, WebP, GIF, PDF, audio...; up to 100 MiB each)
    Attach(AttachArgs),
    /// List an entry's photos and files
    Attachments(AttachmentsArgs),
    /// One attachment: `attachment save ID PATH` writes it out
    Attachment(AttachmentArgs),
    /// Take a photo or file out of an entry (its history keeps it)
    Detach(DetachArgs),
    /// Every saved version of an entry
    History(HistoryArgs),
    /// List the entries in the trash
    Trash(TrashArgs),
    /// Bring an entry back from the trash
    Undelete(IdArg),
    /// This journal's devices: `devices rename ID NAME` names one
    Devices(DevicesArgs),
    /// Pair a new device: `pair invite` here, then `pair join TICKET` there
    Pair(PairArgs),
    /// Exchange what is missing with your other devices
    Sync(SyncArgs),
    /// Keep a node running: accept your devices and push every change to them
    Serve(ServeArgs),
    /// Where sync stands: the node, and each device (last exchange, what it has not confirmed)
    Status(JsonArg),
    /// Network settings: offline, relay, lan-discovery, sync-window
    Config(ConfigArgs),
    /// Circles: small groups you share chosen entries with (create, invite, join, list, show, feed, read)
    Circle(CircleArgs),
    /// Share one of your entries with a circle; later edits follow it
    Share(ShareArgs),
    /// Stop sharing an entry with a circle (what members received cannot be recalled)
    Unshare(UnshareArgs),
    /// Answer an entry shared with you: words, or a supportive response
    Reply(ReplyArgs),
    /// Tell your circles you are taking a break until a date (so no one worries); `--back` when you return
    Away(AwayArgs),
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    /// The entry's id (or a unique prefix)
    pub entry: String,
    /// The files to add
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print JSON: the attachments added
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AttachmentsArgs {
    /// The entry's id (or a unique prefix)
    pub entry: String,
    /// Print JSON: [{"id", "name", "media_type", "size", "added_at"}]
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AttachmentArgs {
    #[command(subcommand)]
    pub action: AttachmentAction,
}

#[derive(Debug, Subcommand)]
pub enum AttachmentAction {
    /// Write an attachment to a new file (or into a folder, under its own name)
    Save {
        /// The attachment's id (4 or more of its hex digits, as `hearth attachments ENTRY` shows them)
        id: String,
        /// Where to write it; an existing file is never replaced
        path: PathBuf,
        /// Print JSON: {"id", "name", "path", "size"}
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DetachArgs {
    /// The entry's id (or a unique prefix)
    pub entry: String,
    /// The attachment's id (a unique prefix) or its file name
    pub attachment: String,
    /// Print JSON: the attachment taken out
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct AwayArgs {
    /// The day (or moment) you expect to be back: YYYY-MM-DD, YYYY-MM-DD HH:MM or RFC 3339
    #[arg(long, value_name = "DATE", required_unless_present = "back")]
    pub until: Option<String>,
    /// A short note your circles see (one line, up to 200 bytes)
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Also turn offline mode on until then (after telling your circles)
    #[arg(long)]
    pub offline: bool,
    /// You are back: your away note is taken down
    #[arg(long, conflicts_with_all = ["until", "note", "offline"])]
    pub back: bool,
    /// Print JSON: {"circles": [...], "until", "offline"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShareArgs {
    /// The entry's id (or a unique prefix)
    pub entry: String,
    /// The circle's id (4 or more of its hex digits) or its name
    pub circle: String,
    /// A content warning members see first; they open the entry on purpose
    #[arg(long, value_name = "TEXT")]
    pub warning: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UnshareArgs {
    /// The entry's id (or a unique prefix)
    pub entry: String,
    /// The circle's id (4 or more of its hex digits) or its name
    pub circle: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReplyArgs {
    /// The shared entry's id, as `hearth circle feed` shows it (or a unique prefix)
    pub entry: String,
    /// What you say
    pub text: Option<String>,
    /// A supportive response instead of words: hear-you, thinking-of-you, here-for-you, proud-of-you
    #[arg(long, value_name = "RESPONSE")]
    pub support: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonArg {
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub action: Option<ConfigAction>,
    /// Print the settings as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Offline mode: `on` opens no socket at all until it is `off`
    Offline { value: OnOff },
    /// Relays: `off` (the default), `n0` (iroh's public relays), or the URL of your own
    Relay { value: String },
    /// Find your devices on the local network (mDNS): on (the default) or off
    LanDiscovery { value: OnOff },
    /// When the node may be up, e.g. 19:00-20:00 (several allowed); `none` clears them
    SyncWindow {
        #[arg(required = true)]
        windows: Vec<String>,
    },
    /// When the desktop app holds back circle notifications, e.g. 22:00-08:00; `off` clears them
    QuietHours { value: String },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Debug, Args)]
pub struct PairArgs {
    #[command(subcommand)]
    pub action: PairAction,
}

#[derive(Debug, Subcommand)]
pub enum PairAction {
    /// Print a one-time pairing ticket (and its QR code) and wait for the new device
    Invite(PairInviteArgs),
    /// On the new device: join the journal of the device that printed TICKET
    Join(PairJoinArgs),
}

#[derive(Debug, Args)]
pub struct PairInviteArgs {
    /// Minutes the ticket stays valid
    #[arg(long, default_value_t = 10, value_name = "MINUTES")]
    pub expires: u64,
    /// Accept the code without asking (for scripts; compare it anyway)
    #[arg(long)]
    pub yes: bool,
    /// Print JSON lines: {"ticket": "..."} first, then what happened
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct PairJoinArgs {
    /// The ticket `hearth pair invite` printed on the other device
    pub ticket: String,
    /// This device's name, as your other devices will show it (default: the machine's name)
    #[arg(long)]
    pub name: Option<String>,
    /// Accept the code without asking (for scripts; compare it anyway)
    #[arg(long)]
    pub yes: bool,
    /// Print JSON: {"recovery_key", "code", "device", "received"}
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub kdf: KdfArgs,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Dial this device's address ticket (`hearth serve` prints it) instead of the known addresses
    #[arg(long, value_name = "TICKET")]
    pub peer: Option<String>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Print JSON lines: {"ticket": "..."} first, then one line per exchange
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

#[derive(Debug, Args)]
pub struct NetArgs {
    /// The UDP port to listen on (default: any free port)
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
}

#[derive(Debug, Args)]
pub struct DevicesArgs {
    #[command(subcommand)]
    pub action: Option<DevicesAction>,
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum DevicesAction {
    /// Remove a lost or sold device: your other devices refuse it from then on, and it cannot read what is written after
    Remove {
        /// The device's id (a unique prefix of 4 or more digits is enough)
        id: String,
        /// Do not ask first (for scripts)
        #[arg(long)]
        yes: bool,
    },
    /// Give a device a new name (it reaches your other devices when they sync)
    Rename {
        /// The device's id (a unique prefix of 4 or more digits is enough)
        id: String,
        /// The new name: one line, up to 100 bytes
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Entry id (a unique prefix is enough)
    pub id: String,
    /// Show version N as a word diff against the version before it
    #[arg(long, value_name = "N")]
    pub diff: Option<usize>,
    /// Print JSON
    #[arg(long, conflicts_with = "diff")]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TrashArgs {
    #[command(subcommand)]
    pub action: Option<TrashAction>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TrashAction {
    /// Delete every entry in the trash for good
    Empty,
}

#[derive(Debug, Args)]
pub struct KdfArgs {
    /// Argon2id memory in MiB [default: 64 at init; unchanged by passwd]
    #[arg(long, value_name = "N")]
    pub kdf_memory_mib: Option<u32>,
    /// Argon2id iterations [default: 3 at init; unchanged by passwd]
    #[arg(long, value_name = "N")]
    pub kdf_iterations: Option<u32>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    #[command(flatten)]
    pub kdf: KdfArgs,
    /// Print only {"recovery_key": "..."}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RecoveryKeyArgs {
    #[command(subcommand)]
    pub action: RecoveryKeyAction,
}

#[derive(Debug, Subcommand)]
pub enum RecoveryKeyAction {
    /// Make a new recovery key; the old one stops working (needs the passphrase)
    New(RecoveryKeyNewArgs),
}

#[derive(Debug, Args)]
pub struct RecoveryKeyNewArgs {
    /// Print only {"recovery_key": "..."}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EntryFieldArgs {
    /// The entry's title
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// Mood from 1 (low) to 5 (high)
    #[arg(long, value_name = "1..5")]
    pub mood: Option<u8>,
    /// A feeling (repeatable), e.g. calm, anxious, grateful
    #[arg(long = "feeling", value_name = "WORD")]
    pub feelings: Vec<String>,
    /// A tag (repeatable)
    #[arg(long = "tag", value_name = "WORD")]
    pub tags: Vec<String>,
    /// When it happened: RFC 3339, or YYYY-MM-DD HH:MM in local time
    #[arg(long, value_name = "DATETIME")]
    pub at: Option<String>,
    /// Star the entry
    #[arg(long)]
    pub star: bool,
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The body; omit it to read standard input (or open $EDITOR in a terminal)
    pub text: Vec<String>,
    #[command(flatten)]
    pub fields: EntryFieldArgs,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Entry id (a unique prefix is enough)
    pub id: String,
    /// New body; standard input is read when it is not a terminal
    #[arg(long, value_name = "TEXT")]
    pub body: Option<String>,
    #[command(flatten)]
    pub fields: EntryFieldArgs,
    /// Remove a tag (repeatable)
    #[arg(long = "remove-tag", value_name = "WORD")]
    pub remove_tags: Vec<String>,
    /// Clear the mood
    #[arg(long, conflicts_with = "mood")]
    pub no_mood: bool,
    /// Remove the star
    #[arg(long, conflicts_with = "star")]
    pub unstar: bool,
}

#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Show at most N entries
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only entries with this tag
    #[arg(long, value_name = "T")]
    pub tag: Option<String>,
    /// Only entries with this mood
    #[arg(long, value_name = "N")]
    pub mood: Option<u8>,
    /// Only entries on or after DATE
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Only entries on or before DATE
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Entry id (a unique prefix is enough)
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct IdArg {
    /// Entry id (a unique prefix is enough)
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for
    #[arg(required = true)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct MoodArgs {
    /// How many days back, today included
    #[arg(long, default_value_t = 30)]
    pub days: u32,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Hearth's lossless JSON backup
    Hearth,
    /// A folder of Markdown files with YAML front matter
    Markdown,
    /// jrnl's plain-text journal file
    Jrnl,
    /// What `jrnl --export json` writes
    JrnlJson,
    /// Day One's JSON export, or its zip (import only)
    Dayone,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    /// The file format
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file (or folder, for markdown)
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The file format
    #[arg(long, value_enum)]
    pub format: FormatArg,
    /// The file (or folder, for markdown; the export zip, for dayone)
    pub path: PathBuf,
    /// Read and check everything, say what would be kept and dropped, write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print JSON: {"imported", "duplicates", "kept": [{"what", "entries"}], "dropped": [{"what", "entries", "why"}], "dry_run"}
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct BackupArgs {
    #[command(subcommand)]
    pub action: Option<BackupAction>,
    /// The backup file to write; it must not exist yet
    #[arg(value_name = "FILE", required = true)]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BackupAction {
    /// Check every byte of a backup without restoring it
    Verify(VerifyArgs),
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The backup file
    #[arg(value_name = "FILE")]
    pub path: PathBuf,
    #[command(flatten)]
    pub key: BackupKeyArgs,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup file, made by `hearth backup`; with --version, an entry id
    #[arg(value_name = "FILE|ID")]
    pub path: PathBuf,
    /// Bring back version N of the entry ID (see `hearth history ID`) as a new edit
    #[arg(long, value_name = "N", conflicts_with = "recovery_key")]
    pub version: Option<usize>,
    #[command(flatten)]
    pub key: BackupKeyArgs,
}

#[derive(Debug, Args)]
pub struct BackupKeyArgs {
    /// Open the backup with the recovery key ($HEARTH_RECOVERY_KEY, else asked) instead of the passphrase; setting $HEARTH_RECOVERY_KEY does the same
    #[arg(long)]
    pub recovery_key: bool,
}

#[derive(Debug, Args)]
pub struct CircleArgs {
    #[command(subcommand)]
    pub action: CircleAction,
    /// Print JSON
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum CircleAction {
    /// Make a circle; you are its owner. Nothing is shared with it until you share an entry
    Create {
        /// The circle's name (one line, up to 100 bytes)
        name: String,
        /// What the circle is for (up to 2,000 bytes)
        #[arg(long, default_value = "")]
        about: String,
        /// A text file with the circle's agreements: how its members treat each other (up to 16 KiB)
        #[arg(long, value_name = "FILE")]
        agreements: Option<PathBuf>,
        /// How you appear to the circle's members
        #[arg(long = "as", value_name = "NAME")]
        as_name: String,
    },
    /// Print a one-time invitation (ticket and QR code) for a person to join; admins only
    Invite {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// Hours the invitation stays open
        #[arg(long, default_value_t = 24, value_name = "HOURS")]
        expires: u64,
    },
    /// Join the circle an invitation is for: its purpose and agreements are shown first
    Join {
        /// The ticket `hearth circle invite` printed
        ticket: String,
        /// How you appear to the circle's members
        #[arg(long, value_name = "NAME")]
        name: String,
        /// Accept the circle's agreements without asking (for scripts; read them anyway)
        #[arg(long)]
        yes: bool,
    },
    /// What is new in a circle since your last visit: shared entries and replies
    Feed {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// Everything shared, not only what is new
        #[arg(long)]
        all: bool,
    },
    /// One shared entry whole, with its replies (content warning or not)
    Read {
        /// The shared entry's id, as `hearth circle feed` shows it (or a unique prefix)
        entry: String,
    },
    /// Remove a member (admins): the circle moves to a new key they do not hold, and their later writes are refused
    Remove {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The member's id (4 or more of its hex digits) or their name in the circle
        member: String,
    },
    /// Make a member an admin (admins)
    Promote {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The member's id (4 or more of its hex digits) or their name in the circle
        member: String,
    },
    /// Make an admin a member again (admins; nobody demotes the owner)
    Demote {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The member's id (4 or more of its hex digits) or their name in the circle
        member: String,
    },
    /// Leave a circle: what you received stays with you, nothing new reaches you
    Leave {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
    },
    /// Hide a member's shared entries and replies, for you alone
    Mute {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The member's id (4 or more of its hex digits) or their name in the circle
        member: String,
    },
    /// Show a muted member's entries and replies again
    Unmute {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The member's id (4 or more of its hex digits) or their name in the circle
        member: String,
    },
    /// Tell the circle's admins, and only them, about a shared entry or a reply
    Report {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
        /// The shared entry's or reply's id, as `hearth circle feed --json` shows it
        item: String,
        /// Why
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// The reports members sent you about a circle (admins)
    Reports {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
    },
    /// The circles you are in
    List,
    /// One circle: its purpose and agreements, its members and their roles, its key epoch
    Show {
        /// The circle's id (4 or more of its hex digits) or its name
        circle: String,
    },
}
