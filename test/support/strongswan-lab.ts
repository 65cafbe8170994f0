/**
 * A two-host IPsec lab for end-to-end tests: two network namespaces joined by a veth pair (TEST-NET addresses
 * only, nothing leaves the machine), one strongSwan `charon` per namespace with its own `/run` (a private tmpfs
 * inside `unshare -m`, since charon always writes /var/run/charon.pid) and its own vici socket.
 *
 * The kernel here has no ESP/XFRM data plane, so charon uses the userspace `kernel-libipsec` plugin (a TUN
 * device), loaded before `kernel-netlink`. Everything started is torn down by {@link StrongswanLab.destroy},
 * also from a process exit hook if a test run is interrupted.
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CHARON_CANDIDATES = ['/usr/lib/ipsec/charon', '/usr/libexec/ipsec/charon', '/usr/libexec/strongswan/charon'];
const PLUGINS =
  'random nonce openssl aes sha1 sha2 hmac gcm kdf pem pkcs1 x509 pubkey kernel-libipsec kernel-netlink socket-default vici';

/** Finds an executable on the PATH (plus the sbin directories), or `undefined`. */
function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Paths of the tools the lab runs. */
export interface LabTools {
  /** The IKE daemon. */
  readonly charon: string;
  /** Its vici control tool. */
  readonly swanctl: string;
  /** iproute2. */
  readonly ip: string;
  /** iputils ping. */
  readonly ping: string;
  /** util-linux unshare (private /run per charon). */
  readonly unshare: string;
}

/** The tools, or why the lab cannot run here (not root, or a binary missing). */
export function labTools(): { tools?: LabTools; skipReason?: string } {
  if (process.getuid?.() !== 0)
    return { skipReason: 'not running as root (network namespaces and TUN devices need CAP_NET_ADMIN)' };
  const charon = CHARON_CANDIDATES.find((f) => fs.existsSync(f));
  const found = { charon, swanctl: which('swanctl'), ip: which('ip'), ping: which('ping'), unshare: which('unshare') };
  const missing = Object.entries(found)
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length > 0) {
    return {
      skipReason: `missing ${missing.join(', ')} (apt-get install strongswan strongswan-swanctl libcharon-extra-plugins iproute2 iputils-ping)`,
    };
  }
  return { tools: found as LabTools };
}

/** One side of the lab. */
export interface LabSide {
  /** Network namespace name. */
  readonly ns: string;
  /** Directory with strongswan.conf, the vici socket and the charon log. */
  readonly dir: string;
  /** The running charon, when started. */
  charon?: ChildProcess;
}

/** Result of a command. */
export interface RunResult {
  /** Exit code (1 when killed by the timeout). */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

const live = new Set<StrongswanLab>();
process.on('exit', () => {
  for (const lab of live) lab.destroySync();
});

/**
 * The lab: `cgw` (the office, 203.0.113.10, private 192.168.1.1) and `aws` (tunnel endpoints 198.51.100.1 and
 * 198.51.100.2, private 10.30.10.5), each with a charon.
 */
export class StrongswanLab {
  /** The office side. */
  public readonly cgw: LabSide;
  /** The emulated AWS side. */
  public readonly aws: LabSide;
  private readonly root: string;
  private readonly swanctlConf: string;
  private readonly veth: readonly [string, string];

  constructor(public readonly tools: LabTools) {
    const id = `vpn${process.pid % 100000}`;
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'ipsec-lab-'));
    this.cgw = { ns: `${id}-cgw`, dir: path.join(this.root, 'cgw') };
    this.aws = { ns: `${id}-aws`, dir: path.join(this.root, 'aws') };
    this.swanctlConf = path.join(this.root, 'swanctl-strongswan.conf');
    this.veth = [`${id}c`, `${id}a`];
    live.add(this);
  }

  /** Creates the namespaces, the veth pair, addresses and routes. */
  public setUp(): void {
    if (!fs.existsSync('/dev/net/tun')) {
      throw new Error(
        '/dev/net/tun is absent: kernel-libipsec needs a TUN device (modprobe tun, or give the container --device /dev/net/tun)',
      );
    }
    const { cgw, aws } = this;
    const [vc, va] = this.veth;
    this.removeNetworking(); // leftovers of an earlier run that was killed with the same pid
    fs.writeFileSync(this.swanctlConf, 'swanctl {\n  load = pem pkcs1 x509 pubkey\n}\n');
    const steps: string[][] = [
      ['netns', 'add', cgw.ns],
      ['netns', 'add', aws.ns],
      ['link', 'add', vc, 'type', 'veth', 'peer', 'name', va],
      ['link', 'set', vc, 'netns', cgw.ns],
      ['link', 'set', va, 'netns', aws.ns],
      ['-n', cgw.ns, 'link', 'set', 'lo', 'up'],
      ['-n', aws.ns, 'link', 'set', 'lo', 'up'],
      ['-n', cgw.ns, 'addr', 'add', '203.0.113.10/32', 'peer', '198.51.100.1/32', 'dev', vc],
      ['-n', cgw.ns, 'addr', 'add', '203.0.113.10/32', 'peer', '198.51.100.2/32', 'dev', vc],
      ['-n', aws.ns, 'addr', 'add', '198.51.100.1/32', 'peer', '203.0.113.10/32', 'dev', va],
      ['-n', aws.ns, 'addr', 'add', '198.51.100.2/32', 'peer', '203.0.113.10/32', 'dev', va],
      ['-n', cgw.ns, 'link', 'set', vc, 'up'],
      ['-n', aws.ns, 'link', 'set', va, 'up'],
      ['-n', cgw.ns, 'addr', 'add', '192.168.1.1/32', 'dev', 'lo'],
      ['-n', aws.ns, 'addr', 'add', '10.30.10.5/32', 'dev', 'lo'],
      // Tunnel endpoint traffic stays on the uplink even when a 0.0.0.0/0 CHILD_SA routes everything else into
      // the TUN device (what XFRM interfaces give a real customer gateway for free).
      ['-n', cgw.ns, 'route', 'add', 'throw', '198.51.100.0/24', 'table', '220'],
      ['-n', aws.ns, 'route', 'add', 'throw', '203.0.113.0/24', 'table', '220'],
    ];
    for (const args of steps) execFileSync(this.tools.ip, args, { stdio: 'pipe', timeout: 5000 });
    for (const side of [cgw, aws]) {
      fs.mkdirSync(side.dir, { recursive: true });
      fs.writeFileSync(
        path.join(side.dir, 'strongswan.conf'),
        [
          'charon {',
          `  load = ${PLUGINS}`,
          '  filelog {',
          '    charon {',
          `      path = ${path.join(side.dir, 'charon.log')}`,
          '      time_format = %T',
          '      flush_line = yes',
          '      default = 1',
          '      ike = 2',
          '      cfg = 2',
          '    }',
          '  }',
          `  plugins { vici { socket = unix://${path.join(side.dir, 'charon.vici')} } }`,
          '}',
          '',
        ].join('\n'),
      );
    }
  }

  /** Starts (or restarts) the charon of `side` and waits for its vici socket. */
  public async startCharon(side: LabSide): Promise<void> {
    await this.stopCharon(side);
    const socket = path.join(side.dir, 'charon.vici');
    fs.rmSync(socket, { force: true });
    const child = spawn(
      this.tools.ip,
      [
        'netns',
        'exec',
        side.ns,
        this.tools.unshare,
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount -t tmpfs tmpfs /run && exec "$0"',
        this.tools.charon,
      ],
      {
        env: { ...process.env, STRONGSWAN_CONF: path.join(side.dir, 'strongswan.conf') },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    side.charon = child;
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(socket)) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`charon in ${side.ns} exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`);
      if (Date.now() > deadline)
        throw new Error(`charon in ${side.ns} did not open its vici socket within 5 s: ${stderr.trim()}`);
      await sleep(25);
    }
  }

  /** Stops the charon of `side` (TERM, then KILL after a second). */
  public async stopCharon(side: LabSide): Promise<void> {
    const child = side.charon;
    side.charon = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(timer);
  }

  /** Runs `swanctl` against the charon of `side`. */
  public swanctl(side: LabSide, args: readonly string[], timeoutMs = 8000): Promise<RunResult> {
    return run(
      this.tools.swanctl,
      [...args, '--uri', `unix://${path.join(side.dir, 'charon.vici')}`],
      { STRONGSWAN_CONF: this.swanctlConf },
      timeoutMs,
    );
  }

  /** Loads a swanctl.conf text (connections and secrets) into the charon of `side`, replacing what it had. */
  public async load(side: LabSide, name: string, text: string): Promise<void> {
    const file = path.join(side.dir, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    const r = await this.swanctl(side, ['--load-all', '--noprompt', '--file', file]);
    if (r.code !== 0 || /failed/.test(r.stdout))
      throw new Error(`swanctl --load-all ${name} in ${side.ns} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  }

  /** `swanctl --list-sas` of `side`. */
  public async listSas(side: LabSide): Promise<string> {
    return (await this.swanctl(side, ['--list-sas'])).stdout;
  }

  /** Polls `--list-sas` until `predicate` holds (or throws with the last listing after `timeoutMs`). */
  public async waitForSas(side: LabSide, predicate: (sas: string) => boolean, timeoutMs = 6000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sas = await this.listSas(side);
      if (predicate(sas)) return sas;
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for SAs in ${side.ns}; last --list-sas:\n${sas}\ncharon log tail:\n${this.logTail(side)}`,
        );
      await sleep(100);
    }
  }

  /** Runs a command inside the namespace of `side`. */
  public exec(side: LabSide, command: readonly string[], timeoutMs = 5000): Promise<RunResult> {
    return run(this.tools.ip, ['netns', 'exec', side.ns, ...command], {}, timeoutMs);
  }

  /** Pings `to` from `from` (an address of `side`), up to `attempts` single-packet tries; true on the first reply. */
  public async ping(side: LabSide, from: string, to: string, attempts = 5): Promise<boolean> {
    for (let i = 0; i < attempts; i++) {
      const r = await this.exec(side, [this.tools.ping, '-c', '1', '-W', '1', '-I', from, to]);
      if (r.code === 0) return true;
    }
    return false;
  }

  /** The last lines of the charon log of `side` (for failure messages). */
  public logTail(side: LabSide, lines = 40): string {
    try {
      return fs.readFileSync(path.join(side.dir, 'charon.log'), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** Stops both charons, deletes both namespaces (and with them the veth pair) and the temp directory. */
  public async destroy(): Promise<void> {
    await Promise.all([this.stopCharon(this.cgw), this.stopCharon(this.aws)]);
    this.destroySync();
  }

  /** Synchronous teardown (also used by the exit hook): kill, delete namespaces, remove files. */
  public destroySync(): void {
    for (const side of [this.cgw, this.aws]) {
      if (side.charon && side.charon.exitCode === null && side.charon.signalCode === null) side.charon.kill('SIGKILL');
      side.charon = undefined;
    }
    this.removeNetworking();
    fs.rmSync(this.root, { recursive: true, force: true });
    live.delete(this);
  }

  /** Deletes both namespaces and the veth pair (if set-up stopped before moving it into them); ignores what is gone. */
  private removeNetworking(): void {
    const attempts = [
      ['netns', 'del', this.cgw.ns],
      ['netns', 'del', this.aws.ns],
      ['link', 'del', this.veth[0]],
    ];
    for (const args of attempts) {
      try {
        execFileSync(this.tools.ip, args, { stdio: 'ignore', timeout: 5000 });
      } catch {
        // already gone
      }
    }
  }

  /** True when a namespace of this lab still exists (for cleanup assertions). */
  public namespacesExist(): boolean {
    const list = execFileSync(this.tools.ip, ['netns', 'list'], { encoding: 'utf8' });
    return list.split('\n').some((l) => l.startsWith(this.cgw.ns) || l.startsWith(this.aws.ns));
  }
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { env: { ...process.env, ...env }, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
