// The repository is self-contained: no tracked file reads test data, fixtures or docs from a
// `../shared` folder beside the clone, and what those used to provide is in the repo itself.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const BINARY = /\.(safetensors|wasm|png|jpe?g|gif|ico|zip|gz|bin)$/i;
// Built from parts so that this file does not match its own pattern.
const SIBLING = new RegExp(['(\\.\\./)+', 'shared/', '|/work/', 'shared'].join(''));

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && !BINARY.test(f));
}

describe('self-contained repository', () => {
  it('no tracked file refers to a ../shared folder outside the repo', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    for (const file of files) {
      const abs = path.join(ROOT, file);
      if (!existsSync(abs)) continue; // deleted in the work tree, not yet committed
      readFileSync(abs, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SIBLING.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the fixtures, data samples and method notes the tests cite are in the repo', () => {
    for (const rel of [
      'fixtures/qwen2-tiny/model.safetensors',
      'fixtures/qwen2-tiny/expected.json',
      'data/SOURCES.md',
      'data/kk/train_sample_people3.jsonl',
      'data/math-sample.jsonl',
      'docs/METHOD.md',
    ]) {
      expect(existsSync(path.join(ROOT, rel)), rel).toBe(true);
    }
  });
});
