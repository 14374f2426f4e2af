// A model folder's generation_config.json sets `warmup generate`'s sampling defaults (flags win),
// and a malformed one is named in a one-line error.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGenerationConfig } from '../src/generation-config.ts';

const root = path.resolve(__dirname, '../../..');
const bin = path.join(root, 'apps/cli/bin/warmup.js');
const folder = (gc: unknown): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warmup-gencfg-'));
  cpSync(path.join(root, 'fixtures/qwen2-tiny'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify(gc));
  return dir;
};
const gen = (dir: string, ...more: string[]) => {
  const r = spawnSync(
    process.execPath,
    [
      bin,
      'generate',
      '--model',
      dir,
      '--prompt-ids',
      '[1,40,41]',
      '--max-new-tokens',
      '6',
      '--json',
      '--backend',
      'cpu',
      ...more,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  return { code: r.status, ids: r.status === 0 ? (JSON.parse(r.stdout) as { ids: number[] }).ids : [], err: r.stderr };
};

describe('generation_config.json', () => {
  it('parses the sampling keys and rejects bad values naming the file', () => {
    const dir = folder({ do_sample: true, temperature: 0.6, top_p: 0.9, top_k: 20, eos_token_id: [2, 7] });
    expect(readGenerationConfig(dir)).toMatchObject({ temperature: 0.6, topP: 0.9, topK: 20, eosTokenIds: [2, 7] });
    expect(readGenerationConfig('kk-tiny')).toBeUndefined();
    const bad = folder({ top_p: 2 });
    expect(() => readGenerationConfig(bad)).toThrow(/generation_config\.json: "top_p" must be a valid number, got 2/);
  });

  it('do_sample false makes generate greedy (same ids whatever the seed, as --greedy), and says so', () => {
    const dir = folder({ do_sample: false });
    const a = gen(dir, '--seed', '1');
    const b = gen(dir, '--seed', '2');
    expect(a.code, a.err).toBe(0);
    expect(a.err).toMatch(/sampling defaults from .*generation_config\.json: do_sample false/);
    expect(a.ids).toEqual(b.ids);
    expect(gen(folder({}), '--greedy').ids).toEqual(a.ids);
    // an explicit sampling flag wins over the file
    expect(gen(dir, '--temperature', '1', '--seed', '1').err).not.toMatch(/sampling defaults/);
  });
});
