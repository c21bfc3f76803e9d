// The editor's autosave: a change waits for a quiet moment (about a second
// without typing) and is then saved; saves never overlap, and flush() saves
// at once (when the entry is closed, the journal locked or the window shut).

export type SaveState = 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export class Autosaver {
  state: SaveState = 'idle';
  error: unknown = null;
  private dirty = false;
  private timer: unknown = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly save: () => Promise<void>,
    private readonly delay = 1000,
    private readonly onState: (s: SaveState, error: unknown) => void = () => {},
    private readonly timers: Timers = realTimers,
  ) {}

  /** Something changed: save after the delay, unless more changes come. */
  change(): void {
    this.dirty = true;
    this.set('pending');
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.run();
    }, this.delay);
  }

  /** Whether a change is not saved yet. */
  get unsaved(): boolean {
    return this.dirty || this.running !== null;
  }

  /** Save now if anything is pending, and wait for every save to finish. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      this.timers.clear(this.timer);
      this.timer = null;
    }
    while (this.dirty || this.running) {
      if (this.running) await this.running;
      else await this.run();
    }
  }

  /** Drop pending changes without saving (after a delete). */
  cancel(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.dirty = false;
    this.set('idle');
  }

  private run(): Promise<void> {
    if (this.running) return this.running;
    if (!this.dirty) return Promise.resolve();
    this.dirty = false;
    this.set('saving');
    this.running = this.save()
      .then(
        () => this.set(this.dirty ? 'pending' : 'saved'),
        (e) => {
          this.error = e;
          this.set('error', e);
        },
      )
      .finally(() => {
        this.running = null;
        // Changes made while saving get their own save.
        if (this.dirty && this.timer === null && this.state !== 'error') {
          this.timer = this.timers.set(() => {
            this.timer = null;
            void this.run();
          }, this.delay);
        }
      });
    return this.running;
  }

  private set(s: SaveState, error: unknown = null): void {
    this.state = s;
    if (s !== 'error') this.error = null;
    this.onState(s, error);
  }
}
