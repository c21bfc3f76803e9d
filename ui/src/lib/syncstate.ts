// Where sync stands, in words: the header's one line and each device's.
// Pure functions of the core's SyncStatus, unit-tested. They never say
// "up to date" unless the core knows it: the last exchange ended with both
// devices holding the same, and the other device has confirmed every change
// made here; and they always say when that was.

import type { DeviceSync } from './bindings/DeviceSync';
import type { SyncStatus } from './bindings/SyncStatus';
import { dayKey } from './dates';

/** How the header shows it: all is known to be in step, something is on
 *  its way, the network is off by choice, or something is wrong. */
export type Tone = 'ok' | 'pending' | 'off' | 'problem';

export interface SyncSummary {
  /** A few words for the header. */
  text: string;
  tone: Tone;
  /** The whole story, a sentence per device, for a tooltip and screen readers. */
  detail: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM` of a moment in local time. */
export function clock(d: Date): string {
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** When something happened: "12:40" today, else "3 Mar 12:40". */
export function when(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (dayKey(d) === dayKey(now)) return clock(d);
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' }).format(d);
  return `${day} ${clock(d)}`;
}

/** When something will happen: "19:00", "tomorrow at 07:00", or "on 3 Mar at 07:00". */
export function at(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  if (dayKey(d) === dayKey(now)) return `at ${clock(d)}`;
  if (dayKey(d) === dayKey(tomorrow)) return `tomorrow at ${clock(d)}`;
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' }).format(d);
  return `on ${day} at ${clock(d)}`;
}

const changes = (n: number) => (n === 1 ? '1 change' : `${n} changes`);

/** Where one device stands. */
export type DeviceState = 'never' | 'behind' | 'uneven' | 'same';

export function deviceState(d: DeviceSync): DeviceState {
  if (d.equal_then === null || d.last_synced === null) return 'never';
  if (d.unconfirmed > 0) return 'behind';
  return d.equal_then ? 'same' : 'uneven';
}

/** One device's line, e.g. "Up to date at 12:40". */
export function deviceLine(d: DeviceSync, now: Date = new Date()): string {
  const last = d.last_synced ? when(d.last_synced, now) : '';
  switch (deviceState(d)) {
    case 'never':
      return d.unconfirmed > 0
        ? `Not synced yet: ${changes(d.unconfirmed)} from this device not on it`
        : 'Not synced yet';
    case 'behind':
      return `${changes(d.unconfirmed)} from this device not yet on it (last sync ${last})`;
    case 'uneven':
      return `The last sync (${last}) ended before everything had moved`;
    case 'same':
      return `Up to date at ${last}: both held the same, and it has every change from this device`;
  }
}

/** "Laptop", "Laptop and Phone", "3 devices". */
function names(ds: DeviceSync[]): string {
  if (ds.length === 1) return ds[0].name;
  if (ds.length === 2) return `${ds[0].name} and ${ds[1].name}`;
  return `${ds.length} devices`;
}

const others = (n: number) => (n === 0 ? '' : n === 1 ? ' and 1 other device' : ` and ${n} other devices`);

/**
 * The header's line. `failed` is why the node stopped, while it is
 * stopped; `status` is null until it is known.
 */
export function summarize(status: SyncStatus | null, failed: string | null = null, now: Date = new Date()): SyncSummary {
  const perDevice = (status?.devices ?? []).map((d) => `${d.name}: ${deviceLine(d, now)}.`).join(' ');
  const detail = (lead: string) => (perDevice ? `${lead} ${perDevice}` : lead);
  if (status === null) return { text: 'Checking sync…', tone: 'pending', detail: 'Reading where sync stands.' };
  const node = status.node;
  if (node.state === 'offline') {
    return {
      text: 'Offline',
      tone: 'off',
      detail: detail('Offline mode is on: Hearth opens no network connection. Nothing is lost; your changes sync when you turn it off.'),
    };
  }
  if (failed) {
    return { text: 'Sync stopped', tone: 'problem', detail: detail(`Sync stopped: ${failed}. Hearth starts it again in a few seconds.`) };
  }
  if (node.state === 'waiting') {
    const opens = node.opens_at ? `Sync opens ${at(node.opens_at, now)}` : 'Sync is closed';
    return { text: opens, tone: 'off', detail: detail(`${opens}: outside your sync windows no connection is open.`) };
  }
  if (node.state === 'stopped') {
    return { text: 'Sync is not running', tone: 'problem', detail: detail('Sync is not running on this device just now.') };
  }
  const devices = status.devices;
  if (devices.length === 0) {
    return { text: 'No other devices yet', tone: 'ok', detail: 'This journal is on this device only. Pair another under Devices.' };
  }
  const by = (s: DeviceState) => devices.filter((d) => deviceState(d) === s);
  const behind = by('behind').sort((a, b) => b.unconfirmed - a.unconfirmed);
  const never = by('never');
  const uneven = by('uneven');
  if (behind.length > 0) {
    const most = behind[0];
    return {
      text: `${changes(most.unconfirmed)} not yet on ${most.name}${others(behind.length - 1)}`,
      tone: 'pending',
      detail: detail('Some changes made here have not reached every device yet.'),
    };
  }
  if (never.length > 0) {
    return {
      text: `Not synced yet with ${never[0].name}${others(never.length - 1)}`,
      tone: 'pending',
      detail: detail('Some devices have not exchanged with this one yet.'),
    };
  }
  if (uneven.length > 0) {
    return {
      text: `Partly synced with ${uneven[0].name} (${when(uneven[0].last_synced ?? '', now)})`,
      tone: 'pending',
      detail: detail('The last sync with it ended before everything had moved; the next one goes on from there.'),
    };
  }
  // Every device: same then, every change here confirmed. Say the oldest time.
  const oldest = devices
    .map((d) => d.last_synced ?? '')
    .reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
  return {
    text: `Up to date with ${names(devices)} (${when(oldest, now)})`,
    tone: 'ok',
    detail: detail('At the last sync each device held the same as this one.'),
  };
}
