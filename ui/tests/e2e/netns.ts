// Network tests stay on this machine. The app runs a sync node while its
// journal is open (and looks for devices on the local network), so every
// end-to-end test runs the app, tauri-driver and any `hearth` process of
// its own inside a network namespace that holds only loopback (`unshare
// -n`, then `ip link set lo up`; processes enter it with `nsenter`). The
// test itself stays outside and reaches tauri-driver through a bridge: a
// listener on this machine's loopback that carries each connection into
// the namespace. Needs root (the test machines run as root).
import {
  spawn,
  spawnSync,
  type ChildProcess,
  type SpawnSyncOptionsWithStringEncoding,
  type SpawnSyncReturns,
} from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { createInterface } from 'node:readline';

/** Run inside the namespace: connect to 127.0.0.1:PORT there, and pipe it
 *  to standard input and output. */
const CONNECT = `
const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
process.stdin.pipe(s);
s.pipe(process.stdout);
s.on('error', () => process.exit(1));
s.on('close', () => process.exit(0));
`;

/** Run inside the namespace: exit 0 when something listens on 127.0.0.1:PORT. */
const PROBE = `
const s = require('node:net').connect(Number(process.argv[1]), '127.0.0.1');
s.on('connect', () => { s.destroy(); process.exit(0); });
s.on('error', () => process.exit(1));
`;

export class Netns {
  private readonly bridges: (() => Promise<void>)[] = [];

  private constructor(private readonly holder: ChildProcess) {}

  /** A new loopback-only namespace, held open by a sleeping process. */
  static async create(): Promise<Netns> {
    const holder = spawn('unshare', ['-n', '--', 'sh', '-c', 'ip link set lo up && echo up && exec sleep 86400'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    holder.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const first = await new Promise<string | null>((ok) => {
      const lines = createInterface({ input: holder.stdout! });
      lines.once('line', (l) => ok(l));
      holder.once('exit', () => ok(null));
    });
    if (first?.trim() !== 'up') {
      holder.kill('SIGKILL');
      throw new Error(
        `cannot make a network namespace (unshare -n; needs root), and the app must not reach beyond this machine: ${err.trim()}`,
      );
    }
    return new Netns(holder);
  }

  private get enter(): string[] {
    return ['nsenter', `--net=/proc/${this.holder.pid}/ns/net`, '--'];
  }

  /** Start `command args` inside the namespace. */
  spawn(command: string, args: string[], options: Parameters<typeof spawn>[2] = {}): ChildProcess {
    const [nsenter, ...rest] = this.enter;
    return spawn(nsenter, [...rest, command, ...args], options);
  }

  /** Run `command args` inside the namespace to its end. */
  run(command: string, args: string[], options: SpawnSyncOptionsWithStringEncoding): SpawnSyncReturns<string> {
    const [nsenter, ...rest] = this.enter;
    return spawnSync(nsenter, [...rest, command, ...args], options);
  }

  /** Whether something listens on `port` inside the namespace. */
  listening(port: number): boolean {
    const [nsenter, ...rest] = this.enter;
    return spawnSync(nsenter, [...rest, process.execPath, '-e', PROBE, String(port)], { timeout: 10_000 }).status === 0;
  }

  /** Carry connections to 127.0.0.1:`port` here into 127.0.0.1:`port`
   *  there; returns how to close the bridge. */
  async bridge(port: number): Promise<() => Promise<void>> {
    const open = new Set<Socket>();
    const server = createServer((outside: Socket) => {
      open.add(outside);
      const inside = this.spawn(process.execPath, ['-e', CONNECT, String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
      outside.pipe(inside.stdin!);
      inside.stdout!.pipe(outside);
      const end = () => {
        open.delete(outside);
        outside.destroy();
        if (inside.exitCode === null) inside.kill('SIGTERM');
      };
      inside.on('exit', end);
      outside.on('close', end);
      outside.on('error', end);
      inside.stdin!.on('error', end);
    });
    await new Promise<void>((ok, fail) => {
      server.once('error', fail);
      server.listen(port, '127.0.0.1', () => ok());
    });
    const close = () =>
      new Promise<void>((ok) => {
        for (const s of open) s.destroy();
        server.close(() => ok());
      });
    this.bridges.push(close);
    return close;
  }

  /** Close the bridges and the namespace (its processes should be gone). */
  async close(): Promise<void> {
    await Promise.all(this.bridges.map((close) => close()));
    this.holder.kill('SIGKILL');
  }
}
