// The Python sandbox against hostile programs: each attack must end by its timeout, leave no
// process behind, leave the host untouched, and (as a code-task candidate) grade wrong.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTagged, PythonSandbox, toolkitRoot } from '../src/index.ts';
import { createCodeTask, type CodeExample } from '@warmup/tasks';

const sandbox = new PythonSandbox();
const UID = 65534;

/** Live (non-zombie) processes this test's sandbox started: carrying the per-run environment tag
 *  that every sandboxed process inherits, with this process's pid in it (so the check can fail
 *  without root too, and other test files grading code at the same time do not count), or, as
 *  root, owned by the sandbox uid with no run tag at all (a process that shed its environment). */
function sandboxProcesses(): number[] {
  const ours = `WARMUP_SANDBOX_RUN=${process.pid}-`;
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      let environ = '';
      try {
        environ = readFileSync(`/proc/${d}/environ`, 'latin1');
      } catch {
        // another user's process
      }
      const tagged = environ.includes(ours);
      const untagged = !environ.includes('WARMUP_SANDBOX_RUN=');
      if (((root && Number(uid) === UID && untagged) || tagged) && state !== 'Z') out.push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

async function expectNoStrays(): Promise<void> {
  for (let i = 0; i < 20 && sandboxProcesses().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(sandboxProcesses()).toEqual([]);
}

// a HumanEval-style problem whose right answer is `return x + 1`
const problem: CodeExample = {
  id: 'inc',
  prompt: 'def inc(x):\n    """Return x + 1."""\n',
  entryPoint: 'inc',
  canonicalSolution: '    return x + 1\n',
  test: 'def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(-5) == -4\n',
};
const task = createCodeTask({ sandbox, timeoutMs: 2000 });
const asCompletion = (code: string): string => `<think>ok</think> <answer>\`\`\`python\n${code}\n\`\`\`</answer>`;

const root = typeof process.getuid === 'function' && process.getuid() === 0;

describe('PythonSandbox', () => {
  beforeAll(() => {
    // nothing of ours may be left from before, or the stray check means nothing
    expect(sandboxProcesses()).toEqual([]);
  });
  afterAll(expectNoStrays);

  it('runs a program and captures stdout, stderr and the exit code', async () => {
    const r = await sandbox.run('import sys\nprint("out")\nprint("err", file=sys.stderr)\nsys.exit(3)', 5000);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err');
    expect(r.exitCode).toBe(3);
    expect(r.ok).toBe(false);
    expect(r.timedOut).toBe(false);
  });

  it.runIf(root)('runs the code as the unprivileged uid in a fresh working directory', async () => {
    const r = await sandbox.run(
      'import os\nprint(os.getuid(), os.geteuid(), os.getgid())\nopen("scratch.txt", "w").write("x")\nprint(sorted(os.listdir(".")))',
      5000,
    );
    expect(r.ok).toBe(true);
    const [ids, listing] = r.stdout.trim().split('\n');
    expect(ids).toBe(`${UID} ${UID} ${UID}`);
    expect(listing).toContain('scratch.txt');
  });

  it('kills an infinite loop at the timeout', async () => {
    // How close to the limit it stops: scripts/bench-guards.ts (no wall clock in unit tests).
    const r = await sandbox.run('while True:\n    pass\n', 1500);
    expect(r.timedOut).toBe(true);
    expect(r.ok).toBe(false);
    await expectNoStrays();
    const g = await task.grade(problem, asCompletion('def inc(x):\n    while True:\n        pass\n'));
    expect(g.correct).toBe(false);
    expect(g.reward).toBe(-1);
    expect(g.detail).toMatch(/timed out/);
    await expectNoStrays();
  });

  it('contains a fork bomb and leaves no process behind', async () => {
    const bomb = 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n';
    const r = await sandbox.run(bomb, 2000);
    expect(r.ok).toBe(false);
    await expectNoStrays();
    const g = await task.grade(problem, asCompletion(`${bomb}\ndef inc(x):\n    return x + 1\n`));
    expect(g.correct).toBe(false);
    await expectNoStrays();
  });

  it('refuses a 10 GB allocation', async () => {
    const r = await sandbox.run('x = bytearray(10 * 1024 ** 3)\nprint("allocated")', 5000);
    expect(r.ok).toBe(false);
    expect(r.stdout).not.toContain('allocated');
    expect(r.stderr).toContain('MemoryError');
    const g = await task.grade(problem, asCompletion('x = bytearray(10 * 1024 ** 3)\ndef inc(x):\n    return x + 1\n'));
    expect(g.correct).toBe(false);
  });

  it.runIf(root)('cannot write outside its temp directory', async () => {
    const inToolkit = path.join(toolkitRoot(), `.sandbox-escape-${process.pid}`);
    const inTmp = `/tmp/.sandbox-escape-${process.pid}`;
    try {
      const code = `open(${JSON.stringify(inToolkit)}, "w").write("pwned")\n`;
      const r = await sandbox.run(code, 5000);
      expect(r.ok).toBe(false);
      expect(r.stderr).toMatch(/PermissionError|FileNotFoundError|Read-only/);
      expect(existsSync(inToolkit)).toBe(false);
      // /tmp is world-writable on the host; inside the sandbox it is a private tmpfs
      const r2 = await sandbox.run(`open(${JSON.stringify(inTmp)}, "w").write("pwned")\n`, 5000);
      if (sandbox.info.level === 'namespaces') expect(existsSync(inTmp)).toBe(false);
      else expect(r2.ok).toBe(true); // rlimits-only mode: documented gap
      const g = await task.grade(
        problem,
        asCompletion(`def inc(x):\n    open(${JSON.stringify(inToolkit)}, "w").write("pwned")\n    return x + 1\n`),
      );
      expect(g.correct).toBe(false);
      expect(existsSync(inToolkit)).toBe(false);
    } finally {
      rmSync(inToolkit, { force: true });
      rmSync(inTmp, { force: true });
    }
  });

  it.runIf(root)('cannot read the toolkit files', async () => {
    const target = path.join(toolkitRoot(), 'package.json');
    expect(existsSync(target)).toBe(true);
    const r = await sandbox.run(`print(open(${JSON.stringify(target)}).read())`, 5000);
    expect(r.ok).toBe(false);
    expect(r.stdout).toBe('');
  });

  it('cannot open a network socket', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const attempts = [
        `import socket\nsocket.create_connection(("127.0.0.1", ${port}), timeout=1)\nprint("connected")`,
        `import _socket\ns = _socket.socket()\ns.connect(("127.0.0.1", ${port}))\nprint("connected")`,
      ];
      for (const code of attempts) {
        const r = await sandbox.run(code, 5000);
        expect(r.ok).toBe(false);
        expect(r.stdout).not.toContain('connected');
      }
      const g = await task.grade(
        problem,
        asCompletion(
          `import socket\ndef inc(x):\n    socket.create_connection(("127.0.0.1", ${port}), timeout=1)\n    return x + 1\n`,
        ),
      );
      expect(g.correct).toBe(false);
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  it('a program that forks a sleeper and exits leaves nothing running', async () => {
    const r = await sandbox.run(
      'import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint("parent done")',
      3000,
    );
    // with namespaces the fork is allowed and the PID namespace takes the child down; without, the
    // guard refuses the fork and the tag sweep would catch any child that got through
    if (sandbox.info.level === 'namespaces') expect(r.stdout).toContain('parent done');
    await expectNoStrays();
  });
});

describe('PythonSandbox without namespaces (rlimits and the socket guard only)', () => {
  const weak = new PythonSandbox({ isolation: 'rlimits' });
  afterAll(expectNoStrays);

  it('still kills a loop, refuses 10 GB, blocks sockets and contains a fork bomb', async () => {
    expect(weak.info.level).toBe('rlimits');
    const loop = await weak.run('while True:\n    pass\n', 1000);
    expect(loop.timedOut).toBe(true);
    const mem = await weak.run('x = bytearray(10 * 1024 ** 3)', 5000);
    expect(mem.stderr).toContain('MemoryError');
    const sock = await weak.run('import socket\nsocket.socket()\nprint("opened")', 5000);
    expect(sock.ok).toBe(false);
    expect(sock.stderr).toContain('network access is disabled');
    const bomb = await weak.run(
      'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n',
      1500,
    );
    expect(bomb.ok).toBe(false);
    await expectNoStrays();
  });

  it('blocks raw sockets, setsid children, and files outside its folder', async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const raw = await weak.run(
        `import _socket\n_socket.SocketType(2, 1).connect(("127.0.0.1", ${port}))\nprint("connected")`,
        5000,
      );
      expect(raw.stdout).not.toContain('connected');
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
    const sleeper = await weak.run(
      'import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint("parent done")',
      3000,
    );
    expect(sleeper.ok).toBe(false);
    await expectNoStrays();
    const data = path.join(toolkitRoot(), 'data', 'humaneval-sample.jsonl');
    for (const code of [
      `print(open(${JSON.stringify(data)}).read()[:20])`,
      `print(open("/usr/../${data.slice(1)}").read()[:20])`,
      `import os\nos.symlink(${JSON.stringify(data)}, "x")\nprint(open("x").read()[:20])`,
      `import os.path\nos.path.realpath = lambda p, **k: "/tmp/ok"\nprint(open(${JSON.stringify(data)}).read()[:20])`,
    ]) {
      const r = await weak.run(code, 5000);
      expect(r.ok, code).toBe(false);
      expect(r.stdout, code).not.toContain('task_id');
    }
    // its own folder and the standard library stay usable
    const ok = await weak.run(
      'import json, fractions\nopen("scratch.txt", "w").write("x")\nprint(open("scratch.txt").read())',
      5000,
    );
    expect(ok.stdout).toBe('x\n');
  });
});

describe('the sweep after a run', () => {
  it('kills a process that left the group with setsid, found by the per-run tag', async () => {
    const value = `sweep-test-${process.pid}`;
    const tagged = (): number[] =>
      readdirSync('/proc')
        .filter((d) => {
          try {
            return (
              /^\d+$/.test(d) &&
              readFileSync(`/proc/${d}/environ`, 'latin1').split('\0').includes(`WARMUP_SANDBOX_RUN=${value}`)
            );
          } catch {
            return false;
          }
        })
        .map(Number);
    // setsid forks when it leads a group (detached makes it one): its child sleeps on in a session of
    // its own. -w keeps the first process waiting on it, so nothing depends on how this machine's
    // init treats orphans; what the sweep must find is the child outside the group.
    const starter = spawn('setsid', ['-w', 'sleep', '30'], {
      env: { ...process.env, WARMUP_SANDBOX_RUN: value },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let why = '';
    starter.on('error', (e) => {
      why += `spawn failed: ${e.message}`;
    });
    starter.stderr?.on('data', (b: Buffer) => {
      why += b.toString();
    });
    starter.on('exit', (code, signal) => {
      why += ` setsid exited early (code ${code}, signal ${signal})`;
    });
    const sessionOf = (pid: number): string | undefined => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[3];
      } catch {
        return undefined;
      }
    };
    // The fork shows up in /proc before the child's setsid() call returns, so wait for the state the
    // sweep must handle, not just for two processes: two tagged processes in two different sessions.
    let seen: number[] = [];
    let sessions: (string | undefined)[] = [];
    for (let i = 0; i < 200 && why === ''; i++) {
      seen = tagged();
      sessions = seen.map(sessionOf);
      if (seen.length === 2 && new Set(sessions).size === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // the waiting setsid and its sleeping child, in another session than the starter's group
    expect(seen.length, `tagged processes ${JSON.stringify(seen)}; ${why || 'no error from setsid'}`).toBe(2);
    expect(new Set(sessions).size, `session ids ${JSON.stringify(sessions)}`).toBe(2);
    expect(killTagged(`WARMUP_SANDBOX_RUN=${value}`)).toBeGreaterThan(0);
    for (let i = 0; i < 50 && tagged().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(tagged()).toEqual([]);
  });
});

describe.runIf(root)('PythonSandbox as root, the namespace mode', () => {
  it('shows no host data: the data folder with the reference solutions does not exist inside', async () => {
    const data = path.join(toolkitRoot(), 'data', 'humaneval-sample.jsonl');
    const r = await sandbox.run(
      `import os\nprint(os.path.exists(${JSON.stringify(data)}), sorted(os.listdir("/")))`,
      5000,
    );
    expect(r.stdout.trim().startsWith('False')).toBe(true);
    expect(r.stdout).not.toContain("'work'");
  });
});
