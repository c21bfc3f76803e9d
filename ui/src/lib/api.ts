// Every command the window sends to the shell, typed with the declarations
// generated from Rust (./bindings). Nothing here holds state.

import { Channel, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { Attachment } from './bindings/Attachment';
import type { BudgetEvent } from './bindings/BudgetEvent';
import type { CalendarMonth } from './bindings/CalendarMonth';
import type { CircleDetail } from './bindings/CircleDetail';
import type { CircleFeed } from './bindings/CircleFeed';
import type { CircleInput } from './bindings/CircleInput';
import type { CircleInvitation } from './bindings/CircleInvitation';
import type { CircleJoin } from './bindings/CircleJoin';
import type { CircleSummary } from './bindings/CircleSummary';
import type { CrisisLines } from './bindings/CrisisLines';
import type { Device } from './bindings/Device';
import type { EntryInput } from './bindings/EntryInput';
import type { EntryQuery } from './bindings/EntryQuery';
import type { EntryView } from './bindings/EntryView';
import type { FormatInfo } from './bindings/FormatInfo';
import type { ImportSummary } from './bindings/ImportSummary';
import type { IpcError } from './bindings/IpcError';
import type { ListPage } from './bindings/ListPage';
import type { LockedEvent } from './bindings/LockedEvent';
import type { MoodSeries } from './bindings/MoodSeries';
import type { Preferences } from './bindings/Preferences';
import type { Reply } from './bindings/Reply';
import type { Report } from './bindings/Report';
import type { SearchResult } from './bindings/SearchResult';
import type { SharedEntry } from './bindings/SharedEntry';
import type { Status } from './bindings/Status';
import type { Support } from './bindings/Support';
import type { TransferProgress } from './bindings/TransferProgress';
import type { UnlockInfo } from './bindings/UnlockInfo';
import type { WritingAids } from './bindings/WritingAids';
import type { EntrySummary } from './bindings/EntrySummary';
import type { JoinInfo } from './bindings/JoinInfo';
import type { NetConfig } from './bindings/NetConfig';
import type { NetNotice } from './bindings/NetNotice';
import type { SyncOutcome } from './bindings/SyncOutcome';
import type { SyncStatus } from './bindings/SyncStatus';

export const LOCKED_EVENT = 'hearth://locked';
export const BUDGET_EVENT = 'hearth://budget';
export const NET_EVENT = 'hearth://net';

export const api = {
  status: () => invoke<Status>('status'),
  createJournal: (passphrase: string) => invoke<UnlockInfo>('create_journal', { passphrase }),
  unlock: (passphrase: string) => invoke<UnlockInfo>('unlock', { passphrase }),
  lock: () => invoke<void>('lock'),
  changePassphrase: (current: string, next: string) =>
    invoke<void>('change_passphrase', { current, next }),
  recover: (recoveryKey: string, next: string) => invoke<UnlockInfo>('recover', { recoveryKey, next }),
  hasRecoveryKey: () => invoke<boolean>('has_recovery_key'),
  newRecoveryKey: () => invoke<string>('new_recovery_key'),
  noteActivity: () => invoke<void>('note_activity'),
  sinceLaunch: () => invoke<number>('since_launch'),

  listEntries: (query: EntryQuery) => invoke<ListPage>('list_entries', { query }),
  getEntry: (id: string) => invoke<EntryView>('get_entry', { id }),
  saveEntry: (input: EntryInput) => invoke<EntryView>('save_entry', { input }),
  trashEntry: (id: string) => invoke<void>('trash_entry', { id }),
  untrashEntry: (id: string) => invoke<EntryView>('untrash_entry', { id }),
  searchEntries: (query: EntryQuery) => invoke<SearchResult[]>('search_entries', { query }),
  prepareSearch: () => invoke<void>('prepare_search'),

  /** The checks attaching makes (exists, a file, at most 100 MiB, readable), adding nothing. */
  checkFiles: (paths: string[]) => invoke<void>('check_files', { paths }),
  /** Files picked or dropped, by path; every one is checked before any is added. */
  attachFiles: (entry: string, paths: string[]) => invoke<Attachment[]>('attach_files', { entry, paths }),
  /** A pasted picture's bytes. */
  attachBytes: (entry: string, name: string, bytes: number[]) =>
    invoke<Attachment>('attach_bytes', { entry, name, bytes }),
  /** Also takes it out of the text; returns the entry as it is now. */
  detachAttachment: (entry: string, attachment: string) =>
    invoke<EntryView>('detach_attachment', { entry, attachment }),
  /** Never replaces a file; returns where it was written. */
  saveAttachment: (id: string, path: string) => invoke<string>('save_attachment', { id, path }),

  calendarMonth: (year: number, month: number) =>
    invoke<CalendarMonth>('calendar_month', { year, month }),
  onThisDay: () => invoke<EntrySummary[]>('on_this_day'),
  moodSeries: (days: number) => invoke<MoodSeries>('mood_series', { days }),

  getPreferences: () => invoke<Preferences>('get_preferences'),
  setPreferences: (preferences: Preferences) =>
    invoke<Preferences>('set_preferences', { preferences }),
  getWritingAids: () => invoke<WritingAids>('get_writing_aids'),
  setWritingAids: (aids: WritingAids) => invoke<WritingAids>('set_writing_aids', { aids }),
  getCrisisLines: () => invoke<CrisisLines>('get_crisis_lines'),
  setCrisisLines: (lines: CrisisLines) => invoke<CrisisLines>('set_crisis_lines', { lines }),
  defaultCrisisLines: () => invoke<CrisisLines>('default_crisis_lines'),

  formats: () => invoke<FormatInfo[]>('formats'),
  importEntries: (formatName: string, pathText: string, progress: (p: TransferProgress) => void) => {
    const onProgress = new Channel<TransferProgress>();
    onProgress.onmessage = progress;
    return invoke<ImportSummary>('import_entries', { formatName, pathText, onProgress });
  },
  exportEntries: (formatName: string, pathText: string) =>
    invoke<number>('export_entries', { formatName, pathText }),

  devicesList: () => invoke<Device[]>('devices_list'),
  deviceRename: (id: string, name: string) => invoke<Device>('device_rename', { id, name }),
  deviceRemove: (id: string) => invoke<Device>('device_remove', { id }),

  syncStatus: () => invoke<SyncStatus>('sync_status'),
  syncNow: () => invoke<SyncOutcome[]>('sync_now'),
  netConfig: () => invoke<NetConfig>('net_config'),
  setNetConfig: (config: NetConfig) => invoke<NetConfig>('set_net_config', { config }),
  addSyncWindow: (text: string) => invoke<NetConfig>('add_sync_window', { text }),

  pairInvite: () => invoke<string>('pair_invite'),
  pairClose: () => invoke<void>('pair_close'),
  pairAnswer: (id: number, matches: boolean) => invoke<void>('pair_answer', { id, matches }),
  defaultDeviceName: () => invoke<string>('default_device_name'),
  joinJournal: (ticket: string, name: string, passphrase: string) =>
    invoke<JoinInfo>('join_journal', { ticket, name, passphrase }),

  listCircles: () => invoke<CircleSummary[]>('list_circles'),
  showCircle: (idOrName: string) => invoke<CircleDetail>('show_circle', { idOrName }),
  createCircle: (input: CircleInput) => invoke<CircleSummary>('create_circle', { input }),
  inviteToCircle: (circle: string) => invoke<CircleInvitation>('invite_to_circle', { circle }),
  joinCircle: (ticket: string, asName: string) => invoke<CircleJoin>('join_circle', { ticket, asName }),
  answerCircleQuestion: (id: number, accept: boolean) => invoke<void>('answer_circle_question', { id, accept }),
  shareEntry: (entry: string, circle: string, warning: string | null) =>
    invoke<SharedEntry>('share_entry', { entry, circle, warning }),
  unshareEntry: (entry: string, circle: string) => invoke<void>('unshare_entry', { entry, circle }),
  /** Records the visit: the next feed without `all` starts after it. */
  circleFeed: (circle: string, all: boolean) => invoke<CircleFeed>('circle_feed', { circle, all }),
  readShared: (id: string) => invoke<SharedEntry>('read_shared', { id }),
  replyToShared: (id: string, text: string | null, support: Support | null) =>
    invoke<Reply>('reply_to_shared', { id, text, support }),
  /** Admins only; a new key epoch begins. Returns the person's name. */
  removeMember: (circle: string, member: string) => invoke<string>('remove_member', { circle, member }),
  setMemberRole: (circle: string, member: string, admin: boolean) =>
    invoke<string>('set_member_role', { circle, member, admin }),
  leaveCircle: (circle: string) => invoke<string>('leave_circle', { circle }),
  /** For the person alone: nobody is told. */
  muteMember: (circle: string, member: string, mute: boolean) =>
    invoke<string>('mute_member', { circle, member, mute }),
  reportItem: (circle: string, item: string, reason: string) =>
    invoke<void>('report_item', { circle, item, reason }),
  circleReports: (circle: string) => invoke<Report[]>('circle_reports', { circle }),
  /** `until` null: back. Returns the circles told, by name. */
  setAway: (until: string | null, note: string | null, offline: boolean) =>
    invoke<string[]>('set_away', { until, note, offline }),

  onLocked: (f: (e: LockedEvent) => void): Promise<UnlistenFn> =>
    listen<LockedEvent>(LOCKED_EVENT, (e) => f(e.payload)),
  onBudget: (f: (e: BudgetEvent) => void): Promise<UnlistenFn> =>
    listen<BudgetEvent>(BUDGET_EVENT, (e) => f(e.payload)),
  onNet: (f: (n: NetNotice) => void): Promise<UnlistenFn> => listen<NetNotice>(NET_EVENT, (e) => f(e.payload)),
};

/** A person-readable message for whatever a command threw. */
export function message(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e) return String((e as IpcError).message);
  return String(e);
}

/** The kind of an IPC error, when it is one. */
export function kind(e: unknown): IpcError['kind'] | null {
  if (e && typeof e === 'object' && 'kind' in e) return (e as IpcError).kind;
  return null;
}
