// Sync as the window knows it: where it stands (read again on every
// network notice and every half minute), this device's network settings,
// the pairing under way on the Devices screen, and the code to compare
// while two devices pair. The shell's notices arrive through handle().

import { api, message } from './api';
import { app } from './app.svelte';
import { newIn } from './circles';
import type { CirclePreview } from './bindings/CirclePreview';
import type { CodeQuestion } from './bindings/CodeQuestion';
import type { NetConfig } from './bindings/NetConfig';
import type { NetNotice } from './bindings/NetNotice';
import type { SyncStatus } from './bindings/SyncStatus';

/** How long a pairing ticket works (the core's DEFAULT_INVITE_TTL). */
export const INVITE_MINUTES = 10;

export type Pairing =
  | { phase: 'idle' }
  | { phase: 'opening' }
  | { phase: 'waiting'; ticket: string; expiresAt: number }
  | { phase: 'paired'; name: string }
  | { phase: 'failed'; reason: string };

class SyncState {
  status = $state<SyncStatus | null>(null);
  config = $state<NetConfig | null>(null);
  /** Why the node stopped, while it is stopped. */
  failed = $state<string | null>(null);
  question = $state<CodeQuestion | null>(null);
  pairing = $state<Pairing>({ phase: 'idle' });
  /** A circle being joined, shown for the person to accept or decline. */
  circleQuestion = $state<{ id: number; preview: CirclePreview } | null>(null);
  /** Counts people joining this device's circles: the Circles screen
   *  reads its list again when it changes. */
  circlesJoined = $state(0);
  /** Counts finished syncs: a circle's feed reads again when it changes
   *  (what members shared and replied arrives with them). */
  synced = $state(0);
  /** The circles another device's changes last reached (shared entries,
   *  replies, members): a circle's feed on screen reads again. */
  circlesChanged = $state<{ seq: number; circles: string[] }>({ seq: 0, circles: [] });

  private refreshing: Promise<void> | null = null;
  private again = false;
  private expiry: ReturnType<typeof setTimeout> | undefined;

  /** Read where sync stands (only while the journal is open). */
  refresh(): Promise<void> {
    if (app.screen !== 'main') return Promise.resolve();
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          this.status = await api.syncStatus();
        } catch {
          // Locked meanwhile: the header is gone with it.
        }
      } while (this.again);
    })().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  async loadConfig(): Promise<void> {
    try {
      this.config = await api.netConfig();
    } catch (e) {
      app.toast(`Could not read the network settings: ${message(e)}`);
    }
  }

  /** Store the network settings; the node follows within a second. */
  async saveConfig(next: NetConfig): Promise<boolean> {
    const before = this.config;
    this.config = next;
    try {
      this.config = await api.setNetConfig(next);
      void this.refresh();
      return true;
    } catch (e) {
      this.config = before;
      app.toast(`Not saved: ${message(e)}`);
      return false;
    }
  }

  async toggleOffline(): Promise<void> {
    // Turned by hand, offline mode holds until turned off again: an away
    // note's end date goes.
    if (this.config) await this.saveConfig({ ...this.config, offline: !this.config.offline, offline_until: undefined });
  }

  /** Forget everything (the journal locked). */
  reset(): void {
    clearTimeout(this.expiry);
    this.status = this.config = this.failed = null;
    this.pairing = { phase: 'idle' };
    this.circleQuestion = null;
  }

  handle(n: NetNotice): void {
    switch (n.kind) {
      case 'entriesChanged':
        app.remoteChanged(n.changed, n.purged);
        break;
      case 'circlesChanged':
        this.circlesChanged = { seq: this.circlesChanged.seq + 1, circles: n.circles };
        // Inside the quiet hours nothing is shown; the feed still reads.
        if (!n.quiet) void this.tellNew(n.circles);
        break;
      case 'missed':
        app.remoteChanged([], [], true);
        void this.refresh();
        break;
      case 'synced':
        if (n.report) this.synced++;
        void this.refresh();
        break;
      case 'up':
      case 'closed':
        this.failed = null;
        void this.refresh();
        break;
      case 'failed':
        this.failed = n.reason;
        void this.refresh();
        break;
      case 'paired':
        clearTimeout(this.expiry);
        this.pairing = { phase: 'paired', name: n.name };
        if (app.view !== 'devices') app.toast(`Paired with “${n.name}”. It is taking in the journal now.`);
        void this.refresh();
        break;
      case 'pairingFailed':
        clearTimeout(this.expiry);
        this.pairing = { phase: 'failed', reason: n.reason };
        if (app.view !== 'devices') app.toast(`Pairing failed: ${n.reason}. Nothing was changed.`);
        break;
      case 'codeQuestion':
        this.question = n.question;
        break;
      case 'codeClosed':
        if (this.question?.id === n.id) this.question = null;
        break;
      case 'circleJoined':
        this.circlesJoined++;
        app.toast(n.joined);
        break;
      case 'circleQuestion':
        this.circleQuestion = { id: n.id, preview: n.preview };
        break;
      case 'circleQuestionClosed':
        if (this.circleQuestion?.id === n.id) this.circleQuestion = null;
        break;
    }
  }

  /** A gentle notice naming the circles something new arrived in (no
   *  counts), dismissable; the ids are looked up among the person's
   *  circles, and circles they left are not named. */
  private async tellNew(ids: string[]): Promise<void> {
    try {
      const circles = await api.listCircles();
      const names = ids
        .map((id) => circles.find((c) => c.id === id && c.role !== null)?.name)
        .filter((n): n is string => Boolean(n));
      if (names.length > 0) app.toast(newIn(names), undefined, 15000);
    } catch {
      // Locked meanwhile: nothing to tell.
    }
  }

  /** Open an invitation for a new device. */
  async invite(): Promise<void> {
    this.pairing = { phase: 'opening' };
    try {
      const ticket = await api.pairInvite();
      const ms = INVITE_MINUTES * 60_000;
      this.pairing = { phase: 'waiting', ticket, expiresAt: Date.now() + ms };
      clearTimeout(this.expiry);
      this.expiry = setTimeout(() => {
        if (this.pairing.phase === 'waiting' && this.pairing.ticket === ticket) {
          this.pairing = { phase: 'failed', reason: 'the ticket expired before a device used it' };
        }
      }, ms);
    } catch (e) {
      this.pairing = { phase: 'failed', reason: message(e) };
    }
  }

  /** Stop pairing: the invitation closes. */
  async stopInvite(): Promise<void> {
    clearTimeout(this.expiry);
    this.pairing = { phase: 'idle' };
    try {
      await api.pairClose();
    } catch (e) {
      app.toast(`Could not close the invitation: ${message(e)}`);
    }
  }

  /** Back to the start after pairing ended. */
  settle(): void {
    this.pairing = { phase: 'idle' };
  }

  /** The person's answer to the open code question. */
  async answer(matches: boolean): Promise<void> {
    const q = this.question;
    if (!q) return;
    this.question = null;
    try {
      await api.pairAnswer(q.id, matches);
    } catch (e) {
      app.toast(message(e));
    }
  }

  /** The person's answer to the open circle question: accept its
   *  agreements and join, or decline. */
  async answerCircle(accept: boolean): Promise<void> {
    const q = this.circleQuestion;
    if (!q) return;
    this.circleQuestion = null;
    try {
      await api.answerCircleQuestion(q.id, accept);
    } catch (e) {
      app.toast(message(e));
    }
  }
}

export const sync = new SyncState();
