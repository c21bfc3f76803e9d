import { describe, expect, it } from 'vitest';
import { at, deviceLine, deviceState, summarize, when } from '../../src/lib/syncstate';
import type { DeviceSync } from '../../src/lib/bindings/DeviceSync';
import type { NodeReport } from '../../src/lib/bindings/NodeReport';
import type { SyncStatus } from '../../src/lib/bindings/SyncStatus';

// Vitest runs with TZ=UTC, so local times are the UTC ones.
const now = new Date('2026-06-01T15:00:00Z');

const running: NodeReport = { state: 'running', pid: 42, opens_at: null, ticket: 'endpointabc' };

function device(name: string, fields: Partial<DeviceSync> = {}): DeviceSync {
  return {
    id: name.toLowerCase().padEnd(64, '0'),
    name,
    last_seen: '2026-06-01T12:40:00Z',
    last_synced: '2026-06-01T12:40:00Z',
    equal_then: true,
    unconfirmed: 0,
    ...fields,
  };
}

const status = (devices: DeviceSync[], node: NodeReport = running): SyncStatus => ({ node, devices });

describe('the header line', () => {
  it('says up to date only when both held the same and every change here is confirmed, and when', () => {
    const s = summarize(status([device('Laptop')]), null, now);
    expect(s).toMatchObject({ text: 'Up to date with Laptop (12:40)', tone: 'ok' });
    expect(s.detail).toContain('Laptop: Up to date at 12:40');
    const two = summarize(status([device('Laptop'), device('Phone', { last_synced: '2026-06-01T09:05:00.5Z' })]), null, now);
    expect(two.text).toBe('Up to date with Laptop and Phone (09:05)');
    const three = summarize(status([device('A'), device('B'), device('C', { last_synced: '2026-05-30T08:00:00Z' })]), null, now);
    expect(three.text).toBe('Up to date with 3 devices (30 May 08:00)');
  });

  it('counts the changes a device has not confirmed, the most behind first', () => {
    const s = summarize(status([device('Laptop', { unconfirmed: 3 }), device('Phone', { unconfirmed: 1 })]), null, now);
    expect(s).toMatchObject({ text: '3 changes not yet on Laptop and 1 other device', tone: 'pending' });
    expect(summarize(status([device('Laptop', { unconfirmed: 1 })]), null, now).text).toBe('1 change not yet on Laptop');
    // Equal then but unconfirmed since: not up to date.
    expect(summarize(status([device('Laptop', { equal_then: true, unconfirmed: 2 })]), null, now).tone).toBe('pending');
  });

  it('never claims a sync that did not happen', () => {
    const s = summarize(status([device('Laptop', { last_synced: null, equal_then: null })]), null, now);
    expect(s).toMatchObject({ text: 'Not synced yet with Laptop', tone: 'pending' });
    const uneven = summarize(status([device('Laptop', { equal_then: false })]), null, now);
    expect(uneven).toMatchObject({ text: 'Partly synced with Laptop (12:40)', tone: 'pending' });
    expect(summarize(null, null, now).text).toBe('Checking sync…');
  });

  it('says offline, when the next window opens, and when sync stopped', () => {
    const offline = summarize(status([device('Laptop', { unconfirmed: 3 })], { ...running, state: 'offline' }), null, now);
    expect(offline).toMatchObject({ text: 'Offline', tone: 'off' });
    expect(offline.detail).toContain('Nothing is lost');
    expect(offline.detail).toContain('3 changes from this device not yet on it');
    const waiting = (opens: string) =>
      summarize(status([], { ...running, state: 'waiting', opens_at: opens }), null, now).text;
    expect(waiting('2026-06-01T19:00:00Z')).toBe('Sync opens at 19:00');
    expect(waiting('2026-06-02T07:00:00Z')).toBe('Sync opens tomorrow at 07:00');
    const failed = summarize(status([device('Laptop')]), 'could not bind a socket', now);
    expect(failed).toMatchObject({ text: 'Sync stopped', tone: 'problem' });
    expect(failed.detail).toContain('could not bind a socket');
    expect(summarize(status([], { ...running, state: 'stopped' }), null, now).text).toBe('Sync is not running');
    expect(summarize(status([]), null, now).text).toBe('No other devices yet');
  });
});

describe('a device line', () => {
  it('says what is known of the last exchange', () => {
    expect(deviceState(device('A', { equal_then: null, last_synced: null }))).toBe('never');
    expect(deviceLine(device('A', { equal_then: null, last_synced: null }), now)).toBe('Not synced yet');
    expect(deviceLine(device('A', { equal_then: null, last_synced: null, unconfirmed: 4 }), now)).toBe(
      'Not synced yet: 4 changes from this device not on it',
    );
    expect(deviceLine(device('A', { unconfirmed: 2 }), now)).toBe('2 changes from this device not yet on it (last sync 12:40)');
    expect(deviceLine(device('A', { equal_then: false }), now)).toBe('The last sync (12:40) ended before everything had moved');
    expect(deviceLine(device('A'), now)).toMatch(/^Up to date at 12:40/);
  });

  it('names the day when it was not today', () => {
    expect(when('2026-05-31T23:10:00Z', now)).toBe('31 May 23:10');
    expect(at('2026-06-04T07:00:00Z', now)).toBe('on 4 Jun at 07:00');
  });
});
