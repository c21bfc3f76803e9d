import { describe, expect, it } from 'vitest';
import { Autosaver, type Timers } from '../../src/lib/autosave';

/** Timers the test moves by hand. */
function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: Timers = {
    set: (fn, ms) => {
      const id = next++;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (h) => void pending.delete(h as number),
  };
  async function advance(ms: number) {
    now += ms;
    for (const [id, t] of [...pending]) {
      if (t.at <= now) {
        pending.delete(id);
        t.fn();
      }
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  return { timers, advance, pending };
}

describe('autosave', () => {
  it('waits for a quiet second, then saves once', async () => {
    const t = fakeTimers();
    let saves = 0;
    const s = new Autosaver(async () => void saves++, 1000, () => {}, t.timers);
    s.change();
    await t.advance(500);
    s.change();
    await t.advance(500);
    expect(saves).toBe(0);
    expect(s.state).toBe('pending');
    await t.advance(500);
    expect(saves).toBe(1);
    expect(s.state).toBe('saved');
  });

  it('flush saves at once and waits', async () => {
    const t = fakeTimers();
    let saves = 0;
    const s = new Autosaver(async () => void saves++, 1000, () => {}, t.timers);
    s.change();
    await s.flush();
    expect(saves).toBe(1);
    expect(t.pending.size).toBe(0);
    await s.flush();
    expect(saves).toBe(1);
  });

  it('never runs two saves at once; changes made during a save get their own', async () => {
    const t = fakeTimers();
    let running = 0;
    let most = 0;
    let saves = 0;
    let release: () => void = () => {};
    const s = new Autosaver(
      () => {
        running++;
        most = Math.max(most, running);
        return new Promise<void>((r) => {
          release = () => {
            running--;
            saves++;
            r();
          };
        });
      },
      1000,
      () => {},
      t.timers,
    );
    s.change();
    await t.advance(1000);
    expect(running).toBe(1);
    s.change();
    const flushed = s.flush();
    release();
    await new Promise((r) => setTimeout(r, 0));
    release();
    await flushed;
    expect(saves).toBe(2);
    expect(most).toBe(1);
    expect(s.unsaved).toBe(false);
  });

  it('reports errors and cancel drops pending work', async () => {
    const t = fakeTimers();
    const states: string[] = [];
    const s = new Autosaver(async () => { throw new Error('disk full'); }, 1000, (st) => states.push(st), t.timers);
    s.change();
    await s.flush();
    expect(s.state).toBe('error');
    expect(states).toContain('saving');
    s.change();
    s.cancel();
    expect(s.unsaved).toBe(false);
    expect(s.state).toBe('idle');
  });
});
