// Tells the shell the person is here (typing, clicking), at most once per
// interval, so the idle auto-lock waits for real idleness.

export function throttle(fn: () => void, intervalMs: number, now: () => number = Date.now): () => void {
  let last = -Infinity;
  return () => {
    const t = now();
    if (t - last >= intervalMs) {
      last = t;
      fn();
    }
  };
}
