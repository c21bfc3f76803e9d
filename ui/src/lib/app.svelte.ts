// The window's shared state: which screen and view are showing, the
// preferences, the toasts, the editors' pending saves (flushed before the
// journal locks or the window closes), and which entries another device
// just changed.

import { api, message } from './api';
import type { Preferences } from './bindings/Preferences';
import type { UnlockInfo } from './bindings/UnlockInfo';

export type Screen = 'loading' | 'setup' | 'unlock' | 'main';
export type View = 'journal' | 'calendar' | 'mood' | 'writing' | 'circles' | 'devices' | 'settings' | 'help';

export const VIEWS: { id: View; label: string }[] = [
  { id: 'journal', label: 'Journal' },
  { id: 'calendar', label: 'Calendar' },
  { id: 'mood', label: 'Mood' },
  { id: 'writing', label: 'Prompts & templates' },
  { id: 'circles', label: 'Circles' },
  { id: 'devices', label: 'Devices' },
  { id: 'settings', label: 'Settings' },
  { id: 'help', label: 'Help' },
];

export interface RemoteChange {
  seq: number;
  changed: string[];
  purged: string[];
  all: boolean;
}

export interface Toast {
  id: number;
  text: string;
  action?: { label: string; run: () => void | Promise<void> };
}

export const DEFAULT_PREFERENCES: Preferences = {
  theme: 'system',
  autoLockMinutes: 10,
  dailyBudgetMinutes: 0,
  feelings: ['calm', 'grateful', 'hopeful', 'content', 'tired', 'anxious', 'sad', 'lonely', 'angry', 'overwhelmed'],
};

const THEME_KEY = 'hearth.theme';

class AppState {
  screen = $state<Screen>('loading');
  view = $state<View>('journal');
  prefs = $state<Preferences>({ ...DEFAULT_PREFERENCES });
  home = $state('');
  lockedReason = $state<string | null>(null);
  nudgeMinutes = $state<number | null>(null);
  toasts = $state<Toast[]>([]);
  /** An entry another view asked the journal to open (id null: a new one,
   *  on `day` when given). */
  openRequest = $state<{ id: string | null; day?: string } | null>(null);
  /** Whether the import/export dialog is open, and for which. */
  transfer = $state<'import' | 'export' | null>(null);
  /** Bumped when entries change outside the journal view (import, or
   *  another device): the views that show entries read them again. */
  revision = $state(0);
  /** The last entries another device changed (`all`: it is not known
   *  which, so everything shown is read again). */
  remote = $state<RemoteChange>({ seq: 0, changed: [], purged: [], all: false });
  unlockInfo = $state<UnlockInfo | null>(null);
  /** The theme shown before unlock (the sealed preference is unreadable then). */
  lockScreenTheme = $state<Preferences['theme']>(readTheme());

  private flushers = new Set<() => Promise<void>>();
  private nextToast = 1;

  /** Register an editor's flush; returns the unregister function. */
  onFlush(f: () => Promise<void>): () => void {
    this.flushers.add(f);
    return () => this.flushers.delete(f);
  }

  /** Save everything pending. */
  async flush(): Promise<void> {
    await Promise.all([...this.flushers].map((f) => f().catch(() => {})));
  }

  async refreshStatus(): Promise<void> {
    const s = await api.status();
    this.home = s.home;
    this.screen = s.unlocked ? 'main' : s.hasJournal ? 'unlock' : 'setup';
    if (s.unlocked) await this.loadPreferences();
  }

  async opened(info: UnlockInfo): Promise<void> {
    this.unlockInfo = info;
    this.lockedReason = null;
    await this.loadPreferences();
    this.view = 'journal';
    this.screen = 'main';
    if (info.damaged.length > 0) {
      this.toast(
        `${info.damaged.length === 1 ? 'One entry is' : 'Some entries are'} damaged and cannot be shown; the rest of your journal is fine.`,
      );
    }
  }

  async loadPreferences(): Promise<void> {
    try {
      this.prefs = await api.getPreferences();
      this.rememberTheme();
    } catch (e) {
      this.toast(`Could not read your settings: ${message(e)}`);
    }
  }

  async savePreferences(next: Preferences): Promise<boolean> {
    const before = this.prefs;
    this.prefs = next;
    try {
      this.prefs = await api.setPreferences(next);
      this.rememberTheme();
      return true;
    } catch (e) {
      this.prefs = before;
      this.toast(`Not saved: ${message(e)}`);
      return false;
    }
  }

  async lock(reason: string | null = null): Promise<void> {
    await this.flush();
    try {
      await api.lock();
    } finally {
      this.locked(reason);
    }
  }

  /** The shell locked (or the window asked it to). */
  locked(reason: string | null): void {
    this.lockedReason = reason;
    this.nudgeMinutes = null;
    this.transfer = null;
    this.screen = 'unlock';
  }

  /** Another device's changes reached these entries (the journal in
   *  memory has them already). */
  remoteChanged(changed: string[], purged: string[], all = false): void {
    this.remote = { seq: this.remote.seq + 1, changed, purged, all };
    this.revision += 1;
  }

  open(id: string | null, day?: string): void {
    this.openRequest = { id, day };
    this.view = 'journal';
  }

  toast(text: string, action?: Toast['action'], ms = 8000): number {
    const id = this.nextToast++;
    this.toasts = [...this.toasts, { id, text, action }];
    setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  private rememberTheme(): void {
    this.lockScreenTheme = this.prefs.theme;
    try {
      localStorage.setItem(THEME_KEY, this.prefs.theme);
    } catch {
      // No storage: the lock screen follows the system theme.
    }
  }
}

function readTheme(): Preferences['theme'] {
  try {
    const t = localStorage.getItem(THEME_KEY);
    if (t === 'light' || t === 'dark' || t === 'system') return t;
  } catch {
    // Ignore: follow the system.
  }
  return 'system';
}

export const app = new AppState();
