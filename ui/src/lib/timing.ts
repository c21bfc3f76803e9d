// Moments the desktop benchmark reads (window.__hearthTimings): when unlock
// was asked for, when it returned (with the shell's KDF and load times), when
// the list was first painted. A few numbers in memory, nothing else.

export interface Timing {
  at: number;
  [key: string]: number;
}

declare global {
  interface Window {
    __hearthTimings?: Record<string, Timing>;
  }
}

export function timing(name: string, detail: Record<string, number> = {}): void {
  window.__hearthTimings ??= {};
  window.__hearthTimings[name] = { ...detail, at: performance.now() };
}
