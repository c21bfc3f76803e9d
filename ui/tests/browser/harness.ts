// The browser-test harness: serves the built UI (dist/) on loopback, starts
// Debian's headless Chromium through playwright-core (no browser download),
// and opens pages with the Tauri IPC mocked by @tauri-apps/api/mocks and the
// fake shell in fake-backend.js. Every test saves a screenshot under
// test-results/screenshots/.
import { createServer, type Server } from 'node:http';
import { readFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { png } from '../png';

const here = dirname(fileURLToPath(import.meta.url));
const ui = resolve(here, '../..');
const dist = join(ui, 'dist');
export const SHOTS = join(ui, 'test-results', 'screenshots');
const CHROMIUM = process.env.HEARTH_CHROMIUM ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface Scenario {
  journal?: 'none' | 'locked' | 'unlocked';
  empty?: boolean;
  passphrase?: string;
  delay?: number;
  theme?: 'light' | 'dark' | 'system';
}

export interface Harness {
  browser: Browser;
  url: string;
  page(scenario?: Scenario, opts?: { dark?: boolean }): Promise<Page>;
  close(): Promise<void>;
}

function serve(): Promise<{ server: Server; url: string }> {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error('ui/dist is missing: build the UI first (npm run build)');
  }
  const photos = new Map<string, Buffer>();
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // The shell's hearth-file scheme, as the fake's convertFileSrc points
    // at it: a picture for any attachment id (its thumbnail when asked).
    const photo = /^\/__hearth-file\/([0-9a-f]{64})$/.exec(url.pathname);
    if (photo) {
      const thumb = url.search === '?thumb';
      const key = `${photo[1]}${thumb ? '?thumb' : ''}`;
      if (!photos.has(key)) photos.set(key, thumb ? png(80, 60, photos.size) : png(640, 420, photos.size));
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(photos.get(key));
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname));
    const file = join(dist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dist)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      ok({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

async function initScripts(): Promise<string> {
  // The mocks module is self-contained ESM; turn its export line into a
  // global so it runs as a classic init script.
  const mocksPath = fileURLToPath(import.meta.resolve('@tauri-apps/api/mocks'));
  const mocks = (await readFile(mocksPath, 'utf8')).replace(
    /export\s*\{([^}]*)\};?\s*$/m,
    (_m, names: string) => `window.__tauriMocks = {${names}};`,
  );
  const fake = await readFile(join(here, 'fake-backend.js'), 'utf8');
  return `(function(){${mocks}\n})();\n${fake}`;
}

export async function start(): Promise<Harness> {
  const { server, url } = await serve();
  // Chromium writes under the home directory: give it a temporary one.
  const home = await mkdtemp(join(tmpdir(), 'hearth-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache'), XDG_DATA_HOME: join(home, 'data') },
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
  });
  const scripts = await initScripts();
  await mkdir(SHOTS, { recursive: true });
  return {
    browser,
    url,
    async page(scenario: Scenario = { journal: 'unlocked' }, opts = {}) {
      const context = await browser.newContext({
        viewport: { width: 1200, height: 800 },
        colorScheme: opts.dark ? 'dark' : 'light',
        reducedMotion: 'reduce',
      });
      await context.addInitScript(`window.__hearthScenario = ${JSON.stringify(scenario)};\n${scripts}`);
      const page = await context.newPage();
      page.setDefaultTimeout(8000);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      (page as Page & { errors?: string[] }).errors = errors;
      await page.goto(url);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((ok) => server.close(() => ok(null)));
    },
  };
}

/** Save a screenshot of the page as test-results/screenshots/NAME.png. */
/** A page with an unlocked journal (and `scenario`), on the main
 *  navigation's `view`. */
export async function openView(h: Harness, view: string, scenario: Scenario = {}): Promise<Page> {
  const page = await h.page({ journal: 'unlocked', ...scenario });
  await page.getByRole('heading', { name: 'Today' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: view, exact: true }).click();
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Errors the page threw (none expected). */
export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/** The fake shell's log of calls to one command. */
export function calls(page: Page, cmd: string): Promise<{ cmd: string; args: Record<string, unknown> }[]> {
  return page.evaluate((c) => (window as unknown as { __hearthFake: { calls(c: string): never } }).__hearthFake.calls(c), cmd);
}

/** Emit an event as the shell would. */
export function emit(page: Page, event: string, payload: unknown): Promise<void> {
  return page.evaluate(
    ([e, p]) => (window as unknown as { __hearthFake: { emit(e: string, p: unknown): Promise<void> } }).__hearthFake.emit(e as string, p),
    [event, payload] as const,
  );
}
