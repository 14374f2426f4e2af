// Node file adapters: atomic writes (write a temp file in the same folder, then rename) so a
// crash or bad input never leaves a half-written output behind.
import { promises as fsp, existsSync, readdirSync, renameSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import path from 'node:path';

function tempPath(target: string): string {
  const dir = path.dirname(target);
  return path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${Date.now()}`);
}

export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(path.resolve(target)), { recursive: true });
  const tmp = tempPath(target);
  try {
    const fh = await fsp.open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(tmp, target);
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}

export function writeFileAtomicSync(target: string, data: string | Uint8Array): void {
  const tmp = tempPath(target);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, target);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}

/** Kill this process between the two renames of a directory swap, on the Nth swap, when the
 *  environment asks for it: how the tests reproduce a crash at the worst moment. */
function crashPointForTests(): void {
  const m = /^between-renames(?::(\d+))?$/.exec(process.env.WARMUP_CRASH_TEST ?? '');
  if (!m) return;
  swaps++;
  if (swaps >= Number(m[1] ?? 1)) process.kill(process.pid, 'SIGKILL');
}
let swaps = 0;

const stamp = (name: string): number => Number(/-(\d+)(?:\.old)?$/.exec(name)?.[1] ?? 0);

/** Bring `target` back to a whole state after a crash inside replaceDirAtomic: a complete new copy
 *  (`.NAME.ready-*`) is swapped in, else a previous copy left as `*.old` is put back; then the temp
 *  folders of interrupted writes are deleted. Returns what it did, if anything. */
export function recoverDirSwap(target: string): 'completed' | 'rolled back' | undefined {
  const parent = path.dirname(path.resolve(target));
  const prefix = `.${path.basename(target)}.`;
  if (!existsSync(parent)) return undefined;
  const ours = (): string[] => readdirSync(parent).filter((n) => n.startsWith(prefix));
  const ready = ours()
    .filter((n) => n.startsWith(`${prefix}ready-`) && !n.endsWith('.old'))
    .sort((a, b) => stamp(a) - stamp(b));
  const olds = ours()
    .filter((n) => n.endsWith('.old'))
    .sort((a, b) => stamp(a) - stamp(b));
  let done: 'completed' | 'rolled back' | undefined;
  const newest = ready[ready.length - 1];
  if (newest !== undefined) {
    if (existsSync(target)) renameSync(target, path.join(parent, `${newest}.old`));
    renameSync(path.join(parent, newest), target);
    done = 'completed';
  } else if (!existsSync(target) && olds.length > 0) {
    renameSync(path.join(parent, olds[olds.length - 1]), target);
    done = 'rolled back';
  }
  for (const n of ours())
    if (n.startsWith(`${prefix}tmp-`) || n.startsWith(`${prefix}ready-`))
      rmSync(path.join(parent, n), { recursive: true, force: true });
  return done;
}

/** Replace a directory atomically: build it under a temp name, mark it complete with a rename,
 *  then swap it in. A crash at any point leaves either the old or the new copy, which
 *  recoverDirSwap (run here first, and by readers) puts back in place. */
export async function replaceDirAtomic(target: string, build: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = path.dirname(path.resolve(target));
  await fsp.mkdir(parent, { recursive: true });
  recoverDirSwap(target);
  const id = `${process.pid}-${Date.now()}`;
  const tmp = path.join(parent, `.${path.basename(target)}.tmp-${id}`);
  const ready = path.join(parent, `.${path.basename(target)}.ready-${id}`);
  await fsp.mkdir(tmp);
  try {
    await build(tmp);
    await fsp.rename(tmp, ready);
  } catch (e) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = `${ready}.old`;
  if (existsSync(target)) await fsp.rename(target, old);
  crashPointForTests();
  await fsp.rename(ready, target);
  await fsp.rm(old, { recursive: true, force: true });
}
