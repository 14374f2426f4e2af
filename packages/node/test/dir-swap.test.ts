// The checkpoint swap after a crash: whatever moment replaceDirAtomic was killed at, recoverDirSwap
// leaves one whole copy in place (the new one when it was complete) and no temp folders.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { recoverDirSwap, replaceDirAtomic } from '../src/index.ts';

function folder(dir: string, text: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'state.txt'), text);
}
const read = (dir: string): string => readFileSync(path.join(dir, 'state.txt'), 'utf8');

describe('recoverDirSwap', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'warmup-swap-'));
  let n = 0;
  const fresh = (): { parent: string; target: string } => {
    const parent = path.join(root, String(n++));
    mkdirSync(parent);
    return { parent, target: path.join(parent, 'checkpoint') };
  };

  it('completes a swap killed between the two renames', async () => {
    const { parent, target } = fresh();
    folder(path.join(parent, '.checkpoint.ready-11-1000'), 'new');
    folder(path.join(parent, '.checkpoint.ready-11-1000.old'), 'old');
    folder(path.join(parent, '.checkpoint.tmp-11-900'), 'half-written');
    expect(recoverDirSwap(target)).toBe('completed');
    expect(read(target)).toBe('new');
    expect(readdirSync(parent)).toEqual(['checkpoint']);
  });

  it('rolls back to the old copy when the new one never finished (also the pre-fix layout)', () => {
    const { parent, target } = fresh();
    folder(path.join(parent, '.checkpoint.tmp-11-1000'), 'half-written');
    folder(path.join(parent, '.checkpoint.tmp-11-1000.old'), 'old');
    expect(recoverDirSwap(target)).toBe('rolled back');
    expect(read(target)).toBe('old');
    expect(readdirSync(parent)).toEqual(['checkpoint']);
  });

  it('keeps a whole checkpoint and only deletes the leftovers of a crashed build', async () => {
    const { parent, target } = fresh();
    folder(target, 'current');
    folder(path.join(parent, '.checkpoint.tmp-12-5'), 'half-written');
    expect(recoverDirSwap(target)).toBeUndefined();
    expect(read(target)).toBe('current');
    expect(readdirSync(parent)).toEqual(['checkpoint']);
    await replaceDirAtomic(target, async (tmp) => writeFileSync(path.join(tmp, 'state.txt'), 'next'));
    expect(read(target)).toBe('next');
    expect(readdirSync(parent)).toEqual(['checkpoint']);
    expect(existsSync(path.join(root, 'nothing'))).toBe(false);
  });
});
