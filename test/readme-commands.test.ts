// Every command the README shows exists: `warmup …` subcommands and their --flags are in the CLI's
// own definitions (the same ones --help prints), and every `npm run X` is a package.json script.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../apps/cli/src/main.ts';

const ROOT = path.resolve(__dirname, '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** Code blocks' lines and inline code spans: where the README shows commands. */
function codeSegments(md: string): string[] {
  const out: string[] = [];
  for (const [i, block] of md.split('```').entries()) {
    if (i % 2 === 1) out.push(...block.split('\n'));
    else for (const m of block.matchAll(/`([^`\n]+)`/g)) out.push(m[1]);
  }
  return out;
}

const invocations = codeSegments(README)
  .map((s) => s.trim().replace(/^npx /, ''))
  .filter((s) => /^warmup [a-z]/.test(s))
  .map((s) => s.split(/\s+/).slice(1));

/** The command the words name, descending into subcommands (or the default one, as commander does). */
function resolve(program: Command, words: string[]): { cmd: Command; flags: string[] } {
  let cmd = program;
  const flags: string[] = [];
  for (const w of words) {
    if (w.startsWith('--')) flags.push(w.split('=')[0]);
    else if (flags.length === 0) {
      const sub = cmd.commands.find((c) => c.name() === w);
      if (sub) cmd = sub;
      else if (cmd === program) throw new Error(`README: unknown command "warmup ${w}"`);
    }
  }
  const def = (cmd as unknown as { _defaultCommandName?: string })._defaultCommandName;
  if (def && flags.length) cmd = cmd.commands.find((c) => c.name() === def) ?? cmd;
  return { cmd, flags };
}

describe('README commands', () => {
  it('finds the warmup invocations it checks', () => {
    expect(invocations.length).toBeGreaterThan(10);
  });

  it('every `warmup …` command and --flag exists in the CLI', async () => {
    const program = await buildProgram(['node', 'warmup']);
    const problems: string[] = [];
    for (const words of invocations) {
      try {
        const { cmd, flags } = resolve(program, words);
        const known = new Set(cmd.options.map((o) => o.long).concat('--help'));
        for (const f of flags) if (!known.has(f)) problems.push(`warmup ${words.join(' ')}: ${f} is not an option`);
      } catch (e) {
        problems.push((e as Error).message);
      }
    }
    expect(problems).toEqual([]);
    // …and the check itself notices a misspelt flag, a default subcommand's flag and a wrong name.
    const evalRun = resolve(program, ['eval', '--model', 'm']);
    expect(evalRun.cmd.name()).toBe('run');
    expect(evalRun.cmd.options.some((o) => o.long === '--model')).toBe(true);
    expect(resolve(program, ['sft', '--modle']).cmd.options.some((o) => o.long === '--modle')).toBe(false);
    expect(() => resolve(program, ['evaluate'])).toThrow(/unknown command/);
  });

  it('every `npm run X` is a script in package.json', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
        .scripts,
    );
    const named = [...README.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((n) => !scripts.includes(n))).toEqual([]);
  });
});
