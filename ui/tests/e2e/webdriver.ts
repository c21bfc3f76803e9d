// A small W3C WebDriver client (fetch + JSON) for driving the real app
// through tauri-driver and WebKitWebDriver, plus the process plumbing:
// start tauri-driver with a private home (inside a loopback-only network
// namespace, see netns.ts), wait until it answers, stop it; and the
// `hearth` terminal program the sync and circle tests run beside the app.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Netns } from './netns';

/** The W3C element reference in a find result (its one key). */
function elementId(v: unknown): string {
  const ref = v as Record<string, string>;
  const id = ref['element-6066-11e4-a52f-4a52f4a52f4a'] ?? Object.values(ref)[0];
  if (!id) throw new Error(`no element in ${JSON.stringify(v)}`);
  return id;
}

export interface Driver {
  process: ChildProcess;
  port: number;
  home: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createConnection({ port, host: '127.0.0.1' }, () => {
      s.end();
      ok(true);
    });
    s.on('error', () => ok(false));
  });
}

/** Whether the driver at `port` answers `GET /status` as ready for a session. */
async function ready(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/status`, { signal: AbortSignal.timeout(5_000) });
    return ((await res.json()) as { value?: { ready?: boolean } }).value?.ready === true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start tauri-driver with HOME and XDG_* in a temporary folder, and
 *  HEARTH_HOME there too unless `hearthHome` is given. With `netns`, the
 *  driver, WebKitWebDriver and the app run inside that namespace, and
 *  `port` here is bridged to the driver's port there. */
export async function startDriver(port = 4444, hearthHome?: string, netns?: Netns): Promise<Driver> {
  const home = await mkdtemp(join(tmpdir(), 'hearth-e2e-'));
  for (const d of ['data', 'config', 'cache', 'state', 'runtime']) await mkdir(join(home, d), { recursive: true, mode: 0o700 });
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_STATE_HOME: join(home, 'state'),
    XDG_RUNTIME_DIR: join(home, 'runtime'),
    HEARTH_HOME: hearthHome ?? join(home, 'hearth'),
  };
  const driver = process.env.HEARTH_TAURI_DRIVER ?? 'tauri-driver';
  // WebKitWebDriver listens on the next port (tauri-driver's default, 4445,
  // would clash with a second driver).
  const native = port + 1;
  const args = ['--port', String(port), '--native-port', String(native), '--native-driver', '/usr/bin/WebKitWebDriver'];
  const options = { env, stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[] };
  const child = netns ? netns.spawn(driver, args, options) : spawn(driver, args, options);
  const closeBridge = netns ? await netns.bridge(port) : async () => {};
  // Keep the start and the latest of what the driver and the app print.
  let head = '';
  let tail = '';
  const keep = (b: Buffer) => {
    if (head.length < 16_384) head += b.toString();
    else tail = (tail + b.toString()).slice(-16_384);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const log = () => `${head}${tail ? `\n…\n${tail}` : ''}`;
  // tauri-driver listens as soon as it has started WebKitWebDriver, before
  // that one listens, and closes the connection of any request it cannot
  // forward: ready is when a request goes through both.
  const until = Date.now() + 30_000;
  while (!(await ready(port))) {
    if (child.exitCode !== null) {
      await closeBridge();
      throw new Error(`tauri-driver exited: ${log()}`);
    }
    if (Date.now() > until) {
      child.kill('SIGTERM');
      await closeBridge();
      throw new Error(`tauri-driver not ready after 30 s: ${log()}`);
    }
    await sleep(100);
  }
  return {
    process: child,
    port,
    home,
    env,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await writeFile(join(home, 'tauri-driver.log'), log()).catch(() => {});
      if (process.env.HEARTH_E2E_DEBUG) console.log(`e2e: driver log in ${join(home, 'tauri-driver.log')}`);
      // tauri-driver SIGKILLs WebKitWebDriver and exits without waiting for
      // it, so the native port can stay taken a moment: the next
      // WebKitWebDriver would fail to listen there, and the next tauri-driver
      // would forward to the dying one.
      await closeBridge();
      const until = Date.now() + 10_000;
      while (netns ? netns.listening(native) : await portOpen(native)) {
        if (Date.now() > until) throw new Error(`port ${native} still taken after tauri-driver exited`);
        await sleep(50);
      }
    },
  };
}

export class Session {
  private constructor(
    private readonly base: string,
    readonly id: string,
  ) {}

  static async create(port: number, application: string): Promise<Session> {
    const base = `http://127.0.0.1:${port}`;
    const res = await call(base, 'POST', '/session', {
      capabilities: { alwaysMatch: { 'tauri:options': { application } } },
    });
    return new Session(base, (res as { sessionId: string }).sessionId);
  }

  private req(method: string, path: string, body?: unknown) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  async find(css: string): Promise<Element> {
    return new Element(this, elementId(await this.req('POST', '/element', { using: 'css selector', value: css })));
  }

  async findX(xpath: string): Promise<Element> {
    return new Element(this, elementId(await this.req('POST', '/element', { using: 'xpath', value: xpath })));
  }

  /** A button by its visible text. */
  button(text: string): Promise<Element> {
    return this.findX(`//button[normalize-space(.)=${JSON.stringify(text)}]`);
  }

  execute<T>(script: string, ...args: unknown[]): Promise<T> {
    return this.req('POST', '/execute/sync', { script, args }) as Promise<T>;
  }

  /** Poll `script` (a function body returning truthy) until it holds. */
  async waitFor(script: string, what: string, timeoutMs = 20_000): Promise<unknown> {
    const until = Date.now() + timeoutMs;
    let last: unknown = null;
    while (Date.now() < until) {
      try {
        last = await this.execute(script);
        if (last) return last;
      } catch (e) {
        last = e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out waiting for ${what} (last: ${String(last)})`);
  }

  /**
   * Wait two animation frames (so the last input is painted), then take a
   * PNG of the X display (ImageMagick's `import`), trimmed to the window.
   * WebDriver's own screenshot hangs when WebKit runs without its DMA-BUF
   * renderer, which is how Hearth runs (see src-tauri/src/main.rs).
   */
  async screenshot(): Promise<Buffer> {
    await this.execute('return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))));');
    const png = spawnSync('import', ['-window', 'root', '-trim', '+repage', 'png:-'], { maxBuffer: 64 << 20 });
    if (png.status !== 0) throw new Error(`import failed: ${png.stderr?.toString() ?? png.error}`);
    return png.stdout;
  }

  async close(): Promise<void> {
    await this.req('DELETE', '').catch(() => {});
  }
}

export class Element {
  constructor(
    private readonly s: Session,
    readonly id: string,
  ) {}

  private req(method: string, path: string, body?: unknown) {
    return (this.s as unknown as { req(m: string, p: string, b?: unknown): Promise<unknown> }).req(
      method,
      `/element/${this.id}${path}`,
      body,
    );
  }

  click(): Promise<unknown> {
    return this.req('POST', '/click', {});
  }

  type(text: string): Promise<unknown> {
    return this.req('POST', '/value', { text });
  }

  clear(): Promise<unknown> {
    return this.req('POST', '/clear', {});
  }

  async text(): Promise<string> {
    return (await this.req('GET', '/text')) as string;
  }
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(base + path, {
    method,
    signal: AbortSignal.timeout(60_000),
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as { value?: unknown };
  if (!res.ok) {
    const v = json.value as { error?: string; message?: string } | undefined;
    throw new Error(`${method} ${path}: ${res.status} ${v?.error ?? ''} ${v?.message ?? ''}`);
  }
  return json.value;
}

const TARGET = resolve(dirname(fileURLToPath(import.meta.url)), '../../..', process.env.CARGO_TARGET_DIR ?? 'target');

/** The terminal program: HEARTH_BIN, else the newer of target/release/hearth
 *  and target/debug/hearth (built from the same sources as the app). */
export function cliPath(): string {
  if (process.env.HEARTH_BIN) return process.env.HEARTH_BIN;
  const built = ['release/hearth', 'debug/hearth'].map((p) => join(TARGET, p)).filter((p) => existsSync(p));
  built.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!built[0]) throw new Error(`no hearth binary in ${TARGET}: build it with cargo build --release -p hearth-cli`);
  return built[0];
}

/** A `hearth` running in the background, its output read line by line. */
export class Running {
  readonly out: string[] = [];
  readonly err: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', (l) => this.out.push(l));
    createInterface({ input: child.stderr! }).on('line', (l) => this.err.push(l));
    this.exited = new Promise((ok) => child.once('exit', (code) => ok(code)));
  }

  /** The first line of standard output (or error) that `test` accepts. */
  async line(test: (l: string) => boolean, what: string, stream: 'out' | 'err' = 'out', ms = 60_000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const found = this[stream].find(test);
      if (found !== undefined) return found;
      if (Date.now() > until || this.child.exitCode !== null) {
        throw new Error(`hearth did not print ${what}: stdout ${this.out.join('\n')} stderr ${this.err.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
