// Runs untrusted Python (model-written code) in a python3 subprocess: rlimits, an unprivileged uid,
// no network, a throwaway working directory, and a wall-clock timeout that kills the whole
// process group (and, with namespaces, every process the code started).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp, readdirSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CodeSandbox, SandboxResult } from '@warmup/tasks';
import { PYTHON_BOOTSTRAP } from './bootstrap.ts';
import { defaultHiddenPaths, probeIsolation, type IsolationInfo } from './isolation.ts';

export interface PythonSandboxOptions {
  /** Address-space limit per process (RLIMIT_AS). Default 512 MiB. */
  memoryBytes?: number;
  /** Largest file the code may write (RLIMIT_FSIZE). Default 16 MiB. */
  fileBytes?: number;
  /** RLIMIT_NPROC for the sandbox uid. Default 16. */
  maxProcesses?: number;
  /** uid/gid the code runs as when we are root. Default 65534 (nobody). */
  uid?: number;
  gid?: number;
  /** Extra folders to hide from the code (namespaces only). */
  hidePaths?: string[];
  /** Captured bytes per stream; the rest is dropped. Default 1 MiB. */
  maxOutputBytes?: number;
  /** Force the weaker mode (tests of the fallback). */
  isolation?: 'auto' | 'rlimits';
  python?: string;
}

/** System folders the sandbox's new root shows (read-only); everything else on the host, data files
 *  with reference solutions included, does not exist for the code. */
const ROOT_DIRS = ['usr', 'bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32', 'etc'];

/** The shell prologue inside the namespaces: an empty tmpfs root with read-only binds of the system
 *  folders (and the interpreter's prefix), a private /tmp, /proc and four /dev nodes, then chroot.
 *  The mounts are private to the sandbox and vanish with it. */
export function namespaceScript(hidden: string[], python: string, uid: number, gid: number): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  let prefix = '';
  try {
    prefix = path.dirname(path.dirname(realpathSync(python)));
  } catch {
    // a bare command name: found on PATH inside the new root
  }
  const extra =
    prefix !== '' && !ROOT_DIRS.some((d) => prefix === `/${d}` || prefix.startsWith(`/${d}/`)) ? [prefix] : [];
  const lines = [
    'set -e',
    'R="$PWD/root"',
    'mkdir "$R"',
    'mount -t tmpfs -o size=40m,mode=755 tmpfs "$R"',
    `for d in ${ROOT_DIRS.join(' ')}; do`,
    '  if [ -L "/$d" ]; then ln -s "$(readlink "/$d")" "$R/$d";',
    '  elif [ -d "/$d" ]; then mkdir "$R/$d"; mount --rbind "/$d" "$R/$d"; mount -o remount,bind,ro "$R/$d"; fi',
    'done',
    ...extra.map(
      (d) => `mkdir -p "$R"${q(d)}; mount --rbind ${q(d)} "$R"${q(d)}; mount -o remount,bind,ro "$R"${q(d)}`,
    ),
    'mkdir "$R/proc" "$R/dev" "$R/tmp"',
    'mount -t proc proc "$R/proc"',
    'for n in null zero random urandom; do touch "$R/dev/$n"; mount --bind "/dev/$n" "$R/dev/$n"; done',
    'mount -t tmpfs -o size=32m,mode=1777 tmpfs "$R/tmp"',
    ...hidden.map((d) => `if [ -d "$R"${q(d)} ]; then mount -t tmpfs -o size=64k,mode=755 tmpfs "$R"${q(d)}; fi`),
    'mkdir "$R/tmp/work"',
    'cp bootstrap.py program.py "$R/tmp/work/"',
    `chown -R ${uid}:${gid} "$R/tmp/work"`,
    'chmod 700 "$R/tmp/work"',
    `exec chroot "$R" /bin/sh -c 'cd /tmp/work && exec "$0" -I -B bootstrap.py "$1"' ${q(python)} "$1"`,
  ];
  return lines.join('\n');
}

const SWEEP_VAR = 'WARMUP_SANDBOX_RUN';

/** SIGKILL every process whose initial environment holds `tag` (Linux /proc; a no-op elsewhere). */
export function killTagged(tag: string): number {
  let killed = 0;
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid);
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(tag)) continue;
      process.kill(Number(pid), 'SIGKILL');
      killed++;
    } catch {
      // gone, or not ours to read
    }
  }
  return killed;
}

/** Direct children of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((x) => x !== '')
      .map(Number);
  } catch {
    return [];
  }
}

export class PythonSandbox implements CodeSandbox {
  readonly info: IsolationInfo;
  private readonly opts: Required<Omit<PythonSandboxOptions, 'hidePaths' | 'python' | 'isolation'>> & {
    hidePaths: string[];
  };

  constructor(options: PythonSandboxOptions = {}) {
    const probed = probeIsolation();
    this.info = {
      ...probed,
      level: options.isolation === 'rlimits' ? 'rlimits' : probed.level,
      python: options.python ?? probed.python,
    };
    this.opts = {
      memoryBytes: options.memoryBytes ?? 512 * 1024 * 1024,
      fileBytes: options.fileBytes ?? 16 * 1024 * 1024,
      maxProcesses: options.maxProcesses ?? 16,
      uid: options.uid ?? 65534,
      gid: options.gid ?? 65534,
      maxOutputBytes: options.maxOutputBytes ?? 1024 * 1024,
      hidePaths: [...defaultHiddenPaths(this.info.python), ...(options.hidePaths ?? [])],
    };
  }

  async run(program: string, timeoutMs: number): Promise<SandboxResult> {
    const base = await fsp.mkdtemp(path.join(os.tmpdir(), 'warmup-sbx-'));
    try {
      await fsp.writeFile(path.join(base, 'bootstrap.py'), PYTHON_BOOTSTRAP);
      await fsp.writeFile(path.join(base, 'program.py'), program);
      const root = this.info.root;
      if (root && this.info.level === 'rlimits') {
        // no private tmpfs: the unprivileged uid needs a folder of its own to write in
        await fsp.chmod(base, 0o755);
        await fsp.chown(base, this.opts.uid, this.opts.gid);
      }
      const config = JSON.stringify({
        memoryBytes: this.opts.memoryBytes,
        fileBytes: this.opts.fileBytes,
        maxProcesses: this.opts.maxProcesses,
        cpuSeconds: Math.max(1, Math.ceil(timeoutMs / 1000) + 1),
        uid: root ? this.opts.uid : null,
        gid: root ? this.opts.gid : null,
        // no namespaces: the audit-hook guard is all that keeps the code off files, sockets, processes
        guard: this.info.level !== 'namespaces',
      });
      const [cmd, args] =
        this.info.level === 'namespaces'
          ? [
              'unshare',
              [
                '--mount',
                '--net',
                '--pid',
                '--fork',
                '--kill-child',
                '--mount-proc',
                '/bin/sh',
                '-c',
                namespaceScript(this.opts.hidePaths, this.info.python, this.opts.uid, this.opts.gid),
                'sandbox',
                config,
              ],
            ]
          : [this.info.python, ['-I', '-B', 'bootstrap.py', config]];
      return await this.spawnWithTimeout(cmd, args as string[], base, timeoutMs);
    } finally {
      await fsp.rm(base, { recursive: true, force: true });
    }
  }

  private spawnWithTimeout(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<SandboxResult> {
    return new Promise((resolve) => {
      // a per-run tag in the environment: every process the run starts inherits it, including one that
      // left the process group with setsid, so the sweep after the run finds them all. It starts
      // with our pid so a check can tell this process's runs from another grader's on the machine.
      const tag = `${SWEEP_VAR}=${process.pid}-${randomBytes(12).toString('hex')}`;
      const env = {
        PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
        LANG: 'C.UTF-8',
        HOME: '/tmp',
        PYTHONIOENCODING: 'utf-8',
        [SWEEP_VAR]: tag.slice(SWEEP_VAR.length + 1),
      };
      // detached: the child leads a new process group, so kill(-pid) reaches everything it forked
      const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const cap = this.opts.maxOutputBytes;
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      child.stdout.on('data', (b: Buffer) => {
        if (outBytes < cap) out.push(b.subarray(0, cap - outBytes));
        outBytes += b.length;
      });
      child.stderr.on('data', (b: Buffer) => {
        if (errBytes < cap) err.push(b.subarray(0, cap - errBytes));
        errBytes += b.length;
      });
      let timedOut = false;
      let exited = false;
      const killGroup = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
        killTagged(tag);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        // With namespaces, kill the namespace's init first: `unshare` stays alive to reap it (and the
        // kernel kills everything else in the namespace), so no orphan is left for the host's init.
        // The group kill follows for whatever remains.
        const pid = child.pid;
        const inner = pid !== undefined && this.info.level === 'namespaces' ? childrenOf(pid) : [];
        for (const p of inner) {
          try {
            process.kill(p, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        if (inner.length === 0) killGroup();
        else setTimeout(() => exited || killGroup(), 500).unref();
      }, timeoutMs);
      let exitCode: number | null = null;
      let spawnError: Error | undefined;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const stderr = Buffer.concat(err).toString('utf8') + (spawnError ? `\nsandbox: ${spawnError.message}` : '');
        resolve({
          ok: !timedOut && exitCode === 0 && !spawnError,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr,
          timedOut,
          exitCode: timedOut ? null : exitCode,
        });
      };
      child.on('error', (e) => {
        spawnError = e;
        finish();
      });
      child.on('exit', (code) => {
        exited = true;
        exitCode = code;
        // leftovers in the group (the rlimits mode has no PID namespace to reap them)
        killGroup();
        // a process that left the group may still hold the pipes open: stop waiting for it
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish();
        }, 1000).unref();
      });
      child.on('close', finish);
    });
  }
}
