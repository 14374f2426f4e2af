// Runs untrusted Python (model-written code) in a python3 subprocess: rlimits, an unprivileged uid,
// no network, a throwaway working directory, and a wall-clock timeout that kills the whole
// process group (and, with namespaces, every process the code started).
import { spawn } from 'node:child_process';
import { promises as fsp, readFileSync } from 'node:fs';
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

/** The shell prologue inside the namespaces: mounts are private to the sandbox and vanish with it. */
function namespaceScript(hidden: string[], python: string, uid: number, gid: number): string {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [
    'set -e',
    'mount -o remount,bind,ro /',
    // the working copy is made on a fresh tmpfs; our host folder stays reachable as the cwd
    'mount -t tmpfs -o size=32m,mode=1777 tmpfs /tmp',
    'for d in /var/tmp /dev/shm /run/lock; do if [ -d "$d" ]; then mount -t tmpfs -o size=8m,mode=1777 tmpfs "$d"; fi; done',
    ...hidden.map((d) => `if [ -d ${q(d)} ]; then mount -t tmpfs -o size=64k,mode=755 tmpfs ${q(d)}; fi`),
    'mkdir /tmp/work',
    'cp bootstrap.py program.py /tmp/work/',
    `chown -R ${uid}:${gid} /tmp/work`,
    'chmod 700 /tmp/work',
    'cd /tmp/work',
    `exec ${q(python)} -I -B bootstrap.py "$1"`,
  ];
  return lines.join('\n');
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
      const env = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', HOME: '/tmp', PYTHONIOENCODING: 'utf-8' };
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
