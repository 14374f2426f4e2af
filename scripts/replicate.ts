// The replication of issue #15: five arms (base, warmup, base+RLVR ≤100, warmup+RLVR ≤100, base+RLVR
// on the full toy train split) × the toy domains × seeds, every RLVR model also evaluated on the
// other domains. Stages are the pipeline's own `warmup sft|grpo|eval` argument lists; every run's
// folder is named by a hash of its settings, so re-runs skip finished runs and changed settings
// make new ones. Writes <out>/results.json, <out>/replication.md and <out>/charts/*.svg.
// Usage: npx tsx scripts/replicate.ts [--out runs/replicate] [--model models/warmup-base] [--seeds 0,1,2]
//        [--jobs 1] [--smoke] [--report-only]   (all flags: --help)
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { barChartSvg, type EvalReport, lineChartSvg } from '@warmup/eval';
import { generateKkPuzzles, generateToy, makeKkSftRecords, TOY_DOMAINS, type ToyDomain } from '@warmup/tasks';
import {
  evalArgs,
  grpoSignal,
  pipelineShape,
  rlvrArgs,
  warmupArgs,
  weightsChanged,
} from '../apps/cli/src/commands/pipeline.ts';
import { TOY_EXPERIMENT } from '../apps/cli/src/toy-experiment.ts';
import { resolveOptions } from '../apps/cli/src/train/options.ts';
import {
  type Aggregate,
  aggregateOverSeeds,
  type Arm,
  type EvalResult,
  groupKey,
  idOf,
  levelOf,
  levelPass1,
  onTarget,
  pct,
  REPLICATION_ARMS,
  RLVR_ARMS,
  type RlvrArm,
  settingsKey,
  strictPass1,
} from './replicate-lib.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'apps/cli/bin/warmup.js');

const { values: f } = parseArgs({
  options: {
    model: { type: 'string', default: TOY_EXPERIMENT.model },
    out: { type: 'string', default: 'runs/replicate' },
    seeds: { type: 'string', default: '0,1,2' },
    domains: { type: 'string', default: TOY_DOMAINS.join(',') },
    backend: { type: 'string', default: 'wasm' },
    'sft-steps': { type: 'string', default: String(TOY_EXPERIMENT.warmup.steps) },
    'warmup-count': { type: 'string', default: String(TOY_EXPERIMENT.warmup.count) },
    'grpo-steps': { type: 'string', default: String(TOY_EXPERIMENT.grpo.steps) },
    'full-steps': { type: 'string', default: String(2 * TOY_EXPERIMENT.grpo.steps) },
    'target-limit': { type: 'string', default: String(TOY_EXPERIMENT.target.limit) },
    'eval-limit': { type: 'string', default: String(TOY_EXPERIMENT.eval.limit) },
    samples: { type: 'string', default: '4' },
    'max-new-tokens': { type: 'string', default: String(TOY_EXPERIMENT.eval.maxNewTokens) },
    jobs: { type: 'string', default: '1' },
    'sft-per-seed': { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    'report-only': { type: 'boolean', default: false },
    doc: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (f.help) {
  process.stdout.write(
    `${readFileSync(import.meta.filename, 'utf8')
      .split('\n')
      .slice(0, 8)
      .join('\n')}\n`,
  );
  process.exit(0);
}

function fail(msg: string): never {
  process.stderr.write(`replicate: ${msg}\n`);
  process.exit(2);
}
const int = (name: string, v: string | undefined, min = 1): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
};
// --smoke: tiny settings that exercise every stage in a few minutes (numbers meaningless).
const S = f.smoke
  ? { sft: 2, warmupCount: 8, grpo: 1, full: 2, target: 4, evalLimit: 2, samples: 2, tokens: 16 }
  : {
      sft: int('sft-steps', f['sft-steps']),
      warmupCount: int('warmup-count', f['warmup-count']),
      grpo: int('grpo-steps', f['grpo-steps']),
      full: int('full-steps', f['full-steps']),
      target: int('target-limit', f['target-limit']),
      evalLimit: int('eval-limit', f['eval-limit']),
      samples: int('samples', f.samples),
      tokens: int('max-new-tokens', f['max-new-tokens']),
    };
const seeds = (f.seeds ?? '').split(',').map((s) => int('seeds', s.trim(), 0));
const domains = (f.domains ?? '').split(',').map((d) => d.trim()) as ToyDomain[];
for (const d of domains) if (!(TOY_DOMAINS as readonly string[]).includes(d)) fail(`--domains: no toy domain "${d}"`);
const jobs = int('jobs', f.jobs);
const out = path.resolve(f.out ?? 'runs/replicate');
const baseGiven = path.resolve(f.model ?? TOY_EXPERIMENT.model);
if (!existsSync(path.join(baseGiven, 'model.safetensors'))) fail(`--model: no model.safetensors in ${baseGiven}`);
const baseHash = createHash('sha256');
for (const file of ['model.safetensors', 'config.json', 'tokenizer.json', 'tokenizer_config.json'])
  if (existsSync(path.join(baseGiven, file))) baseHash.update(file).update(readFileSync(path.join(baseGiven, file)));
const baseSha = baseHash.digest('hex');
// Every run reads a snapshot of the base, so a base shipped in the middle of a run changes nothing.
const base = path.join(out, `base-${baseSha.slice(0, 12)}`);
if (!existsSync(path.join(base, 'model.safetensors'))) cpSync(baseGiven, base, { recursive: true });
const git = (...a: string[]): string => spawnSync('git', a, { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
const baseInfo = {
  path: path.relative(ROOT, baseGiven),
  snapshot: path.relative(ROOT, base),
  sha256: baseSha,
  commit: git('log', '-1', '--format=%H %cI %s', '--', baseGiven) || 'not in git',
  dirty: git('status', '--porcelain', '--', baseGiven) !== '',
};

/** The pipeline's option object for one seed and target domain: the stage arguments come from it. */
function opts(seed: number, domain: ToyDomain, over: { targetLimit?: number; grpoSteps?: number } = {}) {
  return resolveOptions(pipelineShape, {
    model: base,
    backend: f.backend,
    seed,
    sftSteps: S.sft,
    warmupCount: S.warmupCount,
    targetTask: domain,
    targetLimit: over.targetLimit ?? S.target,
    grpoSteps: over.grpoSteps ?? S.grpo,
    evalLimit: S.evalLimit,
    samples: S.samples,
    maxNewTokens: S.tokens,
  });
}

interface Stage {
  id: string;
  dir: string;
  done: string;
  deps: string[];
  args?: string[];
  run?: () => void;
  /** Lower runs first, so that what finishes before a deadline is the most informative part. */
  priority?: number;
  /** For an RLVR model's evaluation: the run folder of its start model's evaluation, reused when the
   *  RLVR run left the weights byte-identical (no learning signal: same weights, same seed, same output). */
  reuse?: { from: string; to: string; evalDir: string };
}
const stages = new Map<string, Stage>();

/** A stage whose folder is <out>/<group>/<name>-<key>, the key hashing its settings and inputs. */
function stage(
  group: string,
  name: string,
  deps: string[],
  settings: unknown,
  make: (dir: string) => Omit<Stage, 'id' | 'dir' | 'deps'>,
): Stage {
  const probe = make('@DIR@');
  const key = settingsKey({ settings, args: probe.args, baseSha, deps: deps.map((d) => stages.get(d)?.dir) });
  const dir = path.join(out, group, `${name}-${key}`);
  const st: Stage = { id: `${group}/${name}`, dir, deps, ...make(dir) };
  stages.set(st.id, st);
  return st;
}

interface EvalPlan {
  stage: Stage;
  seed: number;
  arm: Arm;
  trainedOn?: ToyDomain;
  evalDomain: ToyDomain;
  data: string;
}
const evals: EvalPlan[] = [];
const grpos: { stage: Stage; from: string; seed: number; arm: RlvrArm; domain: ToyDomain }[] = [];
const fullCount = Object.fromEntries(
  domains.map((d) => [d, generateToy(d, { split: 'train', count: Infinity, seed: 0 }).length]),
);

let sharedSft: Stage | undefined;
for (const seed of seeds) {
  const o0 = opts(seed, domains[0]);
  const dataSettings = { seed, S, domains, fullCount, people: o0.warmupPeople, style: o0.traceStyle };
  const data = stage('data', `s${seed}`, [], dataSettings, (dir) => ({
    priority: 0,
    done: path.join(dir, 'done'),
    run: () => {
      mkdirSync(dir, { recursive: true });
      const write = (file: string, rs: readonly object[]): void =>
        writeFileSync(path.join(dir, file), rs.map((r) => JSON.stringify(r)).join('\n') + '\n');
      // the same K&K warmup traces as `warmup pipeline` (its data stage: seed + 1, short traces)
      const [a, b] = o0.warmupPeople.split('..').map(Number);
      const people = b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
      const puzzles = generateKkPuzzles({ people, count: o0.warmupCount, seed: seed + 1 });
      write('warmup-sft.jsonl', makeKkSftRecords(puzzles, o0.promptStyle, { style: o0.traceStyle }));
      for (const d of domains) {
        write(
          `target-${d}.jsonl`,
          generateToy(d, { split: 'train', count: S.target, seed }).map((i) => i.record),
        );
        write(
          `full-${d}.jsonl`,
          generateToy(d, { split: 'train', count: Infinity, seed }).map((i) => i.record),
        );
        write(
          `eval-${d}.jsonl`,
          generateToy(d, { split: 'test', count: S.evalLimit, seed }).map((i) => i.record),
        );
      }
      writeFileSync(path.join(dir, 'done'), '');
    },
  }));
  const file = (n: string): string => path.join(data.dir, n);
  // The warmup SFT never sees target data, so it is shared by the domains; by default also by the
  // seeds (the first seed's run: the SFT is the longest stage), with --sft-per-seed one per seed.
  const sft =
    sharedSft && !f['sft-per-seed']
      ? sharedSft
      : stage('sft', `warmup-s${seed}`, [data.id], {}, (dir) => ({
          priority: 1,
          done: path.join(dir, 'final', 'config.json'),
          args: warmupArgs(o0, base, file('warmup-sft.jsonl'), dir),
        }));
  sharedSft ??= sft;
  const warm = path.join(sft.dir, 'final');
  const models: { arm: Arm; trainedOn?: ToyDomain; from?: string; model: string; deps: string[] }[] = [
    { arm: 'base', model: base, deps: [data.id] },
    { arm: 'warmup', model: warm, deps: [data.id, sft.id] },
  ];
  for (const d of domains) {
    for (const arm of RLVR_ARMS) {
      const full = arm === 'base-rlvr-full';
      const o = full ? opts(seed, d, { targetLimit: fullCount[d], grpoSteps: S.full }) : opts(seed, d);
      const from = arm === 'warmup-rlvr' ? warm : base;
      const deps = arm === 'warmup-rlvr' ? [data.id, sft.id] : [data.id];
      const g = stage('grpo', `${arm}-${d}-s${seed}`, deps, {}, (dir) => ({
        priority: { 'warmup-rlvr': 3, 'base-rlvr': 5, 'base-rlvr-full': 8 }[arm],
        done: path.join(dir, 'final', 'config.json'),
        args: rlvrArgs(o, from, file(`${full ? 'full' : 'target'}-${d}.jsonl`), dir),
      }));
      grpos.push({ stage: g, from, seed, arm, domain: d });
      models.push({ arm, trainedOn: d, from, model: path.join(g.dir, 'final'), deps: [data.id, g.id] });
    }
  }
  // base first on each domain: the others' difficulty buckets use its per-question solve rates
  for (const ed of domains) {
    const baseEval = `eval/base-on-${ed}-s${seed}`;
    for (const m of models) {
      const name = `${m.arm}${m.trainedOn ? `@${m.trainedOn}` : ''}-on-${ed}-s${seed}`;
      const ref = m.arm === 'base' ? undefined : stages.get(baseEval)?.dir;
      const startEval = m.from === base ? baseEval : `eval/warmup-on-${ed}-s${seed}`;
      const rlvr = m.trainedOn !== undefined;
      const st = stage(
        'eval',
        name,
        [...m.deps, ...(ref ? [baseEval] : []), ...(rlvr ? [startEval] : [])],
        {},
        (dir) => ({
          priority: !rlvr ? 2 : m.arm === 'warmup-rlvr' ? (m.trainedOn === ed ? 4 : 7) : m.arm === 'base-rlvr' ? 6 : 9,
          reuse: rlvr && m.from ? { from: m.from, to: m.model, evalDir: stages.get(startEval)?.dir ?? '' } : undefined,
          done: path.join(dir, 'report.json'),
          args: evalArgs(opts(seed, ed), m.model, file(`eval-${ed}.jsonl`), dir, { task: ed, reference: ref }),
        }),
      );
      evals.push({
        stage: st,
        seed,
        arm: m.arm,
        trainedOn: m.trainedOn,
        evalDomain: ed,
        data: file(`eval-${ed}.jsonl`),
      });
    }
  }
}

// ---- running: up to --jobs stages at once, each as its own `warmup` process -------------------

const timingsFile = path.join(out, 'timings.json');
const timings: Record<string, number> = existsSync(timingsFile) ? JSON.parse(readFileSync(timingsFile, 'utf8')) : {};
const isDone = (st: Stage): boolean => existsSync(st.done);
const failed = new Set<string>();

function runStage(st: Stage): Promise<void> {
  const t0 = Date.now();
  // `warmup sft|grpo|eval` resume an interrupted run in their --out folder; only the data stage restarts
  if (st.run) rmSync(st.dir, { recursive: true, force: true });
  mkdirSync(path.dirname(st.dir), { recursive: true });
  const finish = (ok: boolean): void => {
    const s = (Date.now() - t0) / 1000;
    if (ok) timings[path.basename(st.dir)] = s;
    else failed.add(st.id);
    writeFileSync(timingsFile, JSON.stringify(timings, null, 1));
    process.stderr.write(`replicate: ${ok ? 'done' : 'FAILED'} ${st.id} in ${s.toFixed(0)} s\n`);
  };
  if (st.reuse && weightsChanged(st.reuse.from, st.reuse.to) === false) {
    mkdirSync(st.dir, { recursive: true });
    for (const file of ['completions.jsonl', 'report.json'])
      cpSync(path.join(st.reuse.evalDir, file), path.join(st.dir, file));
    const why = `RLVR left the weights of ${st.reuse.from} byte-identical in ${st.reuse.to}: this is ${st.reuse.evalDir}'s evaluation (same weights, data, seed and sampling)`;
    writeFileSync(path.join(st.dir, 'reused.json'), `${JSON.stringify({ reason: why }, null, 1)}\n`);
    finish(true);
    return Promise.resolve();
  }
  if (st.run) {
    try {
      st.run();
      finish(true);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      finish(false);
    }
    return Promise.resolve();
  }
  const log = createWriteStream(`${st.dir}.log`);
  log.write(`$ warmup ${(st.args ?? []).join(' ')}\n`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...(st.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.pipe(log, { end: false });
    p.stderr.pipe(log, { end: false });
    p.on('close', (code) => {
      log.end();
      finish(code === 0 && isDone(st));
      resolve();
    });
  });
}

async function runAll(): Promise<void> {
  const all = [...stages.values()].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  const todo = all.filter((s) => !isDone(s));
  process.stderr.write(
    `replicate: ${all.length} runs, ${all.length - todo.length} finished already, ${todo.length} to do, ${jobs} at a time; base ${baseInfo.commit}\n`,
  );
  const running = new Map<string, Promise<void>>();
  const started = new Set<string>();
  const t0 = Date.now();
  for (;;) {
    const blocked = (s: Stage): boolean =>
      s.deps.some((d) => failed.has(d) || (stages.get(d) && !isDone(stages.get(d) as Stage)));
    for (const s of todo) if (!started.has(s.id) && s.deps.some((d) => failed.has(d))) failed.add(s.id);
    const ready = todo.filter((s) => !started.has(s.id) && !failed.has(s.id) && !blocked(s));
    while (running.size < jobs && ready.length) {
      const s = ready.shift() as Stage;
      started.add(s.id);
      const left = todo.filter((t) => !started.has(t.id) && !failed.has(t.id)).length;
      process.stderr.write(
        `replicate: start ${s.id} (${left} waiting, ${((Date.now() - t0) / 60000).toFixed(1)} min)\n`,
      );
      running.set(
        s.id,
        runStage(s).then(() => {
          running.delete(s.id);
        }),
      );
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
}

// ---- results -------------------------------------------------------------------------------

function readJsonl(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function collect(): EvalResult[] {
  const results: EvalResult[] = [];
  for (const e of evals) {
    if (!isDone(e.stage)) continue;
    const rep = JSON.parse(readFileSync(e.stage.done, 'utf8')) as EvalReport;
    const levels = new Map(readJsonl(e.data).map((r) => [idOf(r), levelOf(r) ?? 0]));
    const samples = readJsonl(path.join(e.stage.dir, 'completions.jsonl')) as unknown as {
      id: string;
      correct: boolean;
      format_ok?: boolean;
    }[];
    results.push({
      seed: e.seed,
      arm: e.arm,
      trainedOn: e.trainedOn,
      evalDomain: e.evalDomain,
      pass1: rep.pass1.mean,
      strictPass1: strictPass1(samples),
      passk: rep.passk,
      levels: levelPass1(samples, levels),
      formatFailureRate: rep.format_failure_rate,
    });
  }
  return results;
}

const cell = (a: Aggregate | undefined): string =>
  a ? `${pct(a.pass1)} (${a.pass1.values.map((v) => (100 * v).toFixed(0)).join(' / ')})` : '–';

/** The paper's reported pass@1 (%) for Qwen2.5-3B, as restated in docs/METHOD.md; undefined: not reported there. */
const PAPER: Record<ToyDomain, { bench: string } & Partial<Record<Arm, number>>> = {
  math: { bench: 'MATH-500', base: 43.8, warmup: 54.0, 'warmup-rlvr': 64.5, 'base-rlvr-full': 63.2 },
  mcq: { bench: 'MMLU-Pro', base: 29.2, warmup: 38.2 },
  code: { bench: 'HumanEval+', base: 32.5, warmup: 47.8 },
};

function report(results: EvalResult[]): string {
  const aggs = aggregateOverSeeds(results);
  const L: string[] = [];
  L.push(
    '## Beside the paper (pass@1, %)\n',
    'Ours: toy domain, mean ± sample std over seeds. Paper: Qwen2.5-3B on the real benchmark as restated in docs/METHOD.md (– = not given there).\n',
    `| arm | ${domains.map((d) => `toy-${d} (ours) | ${PAPER[d].bench} (paper)`).join(' | ')} |`,
    `|---|${domains.map(() => '---:|---:|').join('')}`,
    ...REPLICATION_ARMS.map(
      (a) =>
        `| ${a} | ${domains.map((d) => `${pct(onTarget(aggs, a, d)?.pass1)} | ${PAPER[d][a]?.toFixed(1) ?? '–'}`).join(' | ')} |`,
    ),
    '',
  );
  L.push(
    '## pass@1 on the target domain (%, mean ± sample std over seeds; per-seed values in brackets)\n',
    `RLVR arms are trained on the column's domain. ${S.evalLimit} held-out questions × ${S.samples} samples per seed.\n`,
    `| arm | ${domains.map((d) => `toy-${d}`).join(' | ')} |`,
    `|---|${domains.map(() => '---:|').join('')}`,
    ...REPLICATION_ARMS.map((a) => `| ${a} | ${domains.map((d) => cell(onTarget(aggs, a, d))).join(' | ')} |`),
    '',
  );
  L.push(
    '## pass@1 counting only completions that pass the format gate (%, mean ± std over seeds, target domain)\n',
    'The GRPO reward gives −2 to any completion without `<think>…</think> <answer>…</answer>`; the pass@1 above grades the last answer of the whole completion regardless.\n',
    `| arm | ${domains.map((d) => `toy-${d}`).join(' | ')} |`,
    `|---|${domains.map(() => '---:|').join('')}`,
    ...REPLICATION_ARMS.map(
      (a) => `| ${a} | ${domains.map((d) => pct(onTarget(aggs, a, d)?.strictPass1)).join(' | ')} |`,
    ),
    '',
  );
  const ks = [...new Set(results.flatMap((r) => Object.keys(r.passk)))].sort((a, b) => Number(a) - Number(b));
  L.push('## pass@k on the target domain (%, mean over seeds)\n');
  L.push(`| arm | ${domains.flatMap((d) => ks.map((k) => `${d} @${k}`)).join(' | ')} |`);
  L.push(`|---|${domains.flatMap(() => ks.map(() => '---:|')).join('')}`);
  for (const a of REPLICATION_ARMS)
    L.push(
      `| ${a} | ${domains.flatMap((d) => ks.map((k) => pctMean(onTarget(aggs, a, d)?.passk[k]?.mean))).join(' | ')} |`,
    );
  L.push('');
  L.push('## pass@1 by difficulty level on the target domain (%, mean over seeds)\n');
  for (const d of domains) {
    const ls = [...new Set(REPLICATION_ARMS.flatMap((a) => Object.keys(onTarget(aggs, a, d)?.levels ?? {})))].sort();
    L.push(
      `**toy-${d}**\n`,
      `| arm | ${ls.map((l) => `level ${l}`).join(' | ')} |`,
      `|---|${ls.map(() => '---:|').join('')}`,
    );
    for (const a of REPLICATION_ARMS)
      L.push(`| ${a} | ${ls.map((l) => pctMean(onTarget(aggs, a, d)?.levels[l]?.mean)).join(' | ')} |`);
    L.push('');
  }
  L.push('## Cross-domain: pass@1 after single-domain RLVR (%, mean ± std over seeds)\n');
  L.push('Rows: the model (RLVR arm @ the domain it was trained on); columns: the domain evaluated.\n');
  L.push(`| model | ${domains.map((d) => `on ${d}`).join(' | ')} |`, `|---|${domains.map(() => '---:|').join('')}`);
  for (const start of ['base', 'warmup'] as const) {
    L.push(
      `| ${start} (no RLVR) | ${domains.map((ed) => pct(aggs.get(groupKey(start, undefined, ed))?.pass1)).join(' | ')} |`,
    );
    for (const a of RLVR_ARMS.filter((x) => x.startsWith(start)))
      for (const td of domains)
        L.push(`| ${a} @${td} | ${domains.map((ed) => pct(aggs.get(groupKey(a, td, ed))?.pass1)).join(' | ')} |`);
  }
  L.push('');
  L.push('## Format failures (% of completions, mean over seeds, target domain)\n');
  L.push(`| arm | ${domains.join(' | ')} |`, `|---|${domains.map(() => '---:|').join('')}`);
  for (const a of REPLICATION_ARMS)
    L.push(`| ${a} | ${domains.map((d) => pctMean(onTarget(aggs, a, d)?.formatFailureRate.mean)).join(' | ')} |`);
  L.push('');
  return L.join('\n');
}
const pctMean = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '–' : (100 * x).toFixed(1));

function charts(results: EvalResult[]): string[] {
  const aggs = aggregateOverSeeds(results);
  const dir = path.join(out, 'charts');
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const save = (name: string, svg: string): void => {
    writeFileSync(path.join(dir, name), svg);
    written.push(name);
  };
  save(
    'pass1-target.svg',
    barChartSvg(
      'pass@1 on the target domain (mean over seeds)',
      'pass@1 (%)',
      domains.map((d) => `toy-${d}`),
      REPLICATION_ARMS.map((a) => ({ name: a, values: domains.map((d) => onTarget(aggs, a, d)?.pass1.mean ?? null) })),
    ),
  );
  for (const d of domains) {
    save(
      `passk-${d}.svg`,
      lineChartSvg(
        `pass@k — toy-${d} (mean over seeds)`,
        'k (samples)',
        'pass@k (%)',
        REPLICATION_ARMS.map((a) => ({
          name: a,
          points: Object.entries(onTarget(aggs, a, d)?.passk ?? {}).map(([k, m]) => ({ x: Number(k), y: m.mean })),
        })),
      ),
    );
    const ls = [...new Set(REPLICATION_ARMS.flatMap((a) => Object.keys(onTarget(aggs, a, d)?.levels ?? {})))].sort();
    save(
      `levels-${d}.svg`,
      barChartSvg(
        `pass@1 by level — toy-${d} (mean over seeds)`,
        'pass@1 (%)',
        ls.map((l) => `level ${l}`),
        REPLICATION_ARMS.map((a) => ({
          name: a,
          values: ls.map((l) => onTarget(aggs, a, d)?.levels[l]?.mean ?? null),
        })),
      ),
    );
  }
  return written;
}

if (!f['report-only']) await runAll();
const results = collect();
const signals = grpos
  .filter((g) => isDone(g.stage))
  .map((g) => ({ seed: g.seed, arm: g.arm, domain: g.domain, ...grpoSignal(g.stage.dir, g.from) }));
const settings = { ...S, seeds, domains, backend: f.backend, fullCount, smoke: f.smoke };
const aggs = aggregateOverSeeds(results);
writeFileSync(
  path.join(out, 'results.json'),
  JSON.stringify(
    {
      created: new Date().toISOString(),
      base: baseInfo,
      settings,
      runs: [...stages.values()].map((s) => ({
        id: s.id,
        dir: path.relative(ROOT, s.dir),
        done: isDone(s),
        args: s.args,
      })),
      timings_s: timings,
      grpo_signal: signals,
      results,
      aggregate: [...aggs.values()],
    },
    null,
    1,
  ),
);
const chartFiles = charts(results);
const groups = ['data', 'sft', 'grpo', 'eval'].map((g) => {
  const runs = [...stages.values()].filter((st) => st.id.startsWith(`${g}/`));
  const secs = runs.map((st) => timings[path.basename(st.dir)]).filter((x): x is number => x !== undefined);
  return `${g} ${runs.filter(isDone).length}/${runs.length} finished, ${(secs.reduce((a, b) => a + b, 0) / 60).toFixed(1)} min`;
});
const reused = evals.filter((e) => existsSync(path.join(e.stage.dir, 'reused.json'))).length;
const generated = [
  `Base: \`${baseInfo.path}\` (snapshot sha256 ${baseSha.slice(0, 12)}), last commit ${baseInfo.commit}${baseInfo.dirty ? ' (UNCOMMITTED changes)' : ''}.`,
  `Settings: \`${JSON.stringify(settings)}\`.`,
  `Runs (sum of each run's own wall time${f['report-only'] ? '' : `, ${jobs} at a time`}): ${groups.join('; ')}. ` +
    `${reused} evaluations of RLVR models whose weights RLVR left byte-identical are their start model's evaluation (reused, not re-run).\n`,
  report(results),
  '## GRPO learning signal (per run)\n',
  ...signals.map(
    (s) => `- ${s.arm} @${s.domain} seed ${s.seed}: ${s.lines.join(' ')}${s.noSignal ? ' — NO LEARNING SIGNAL' : ''}`,
  ),
  '',
  '## Charts\n',
  ...chartFiles.map((c) => `![${c}](charts/${c})`),
  '',
].join('\n');
const md = `# Replication results (generated by scripts/replicate.ts)\n\n${generated}`;
writeFileSync(path.join(out, 'replication.md'), md);
if (f.doc) {
  // the doc keeps its prose; only the block between the markers is the run's output
  const doc = readFileSync(f.doc, 'utf8');
  const [begin, end] = ['<!-- replicate:begin -->', '<!-- replicate:end -->'];
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) fail(`--doc ${f.doc}: needs the lines ${begin} and ${end}`);
  const chartDir = path.join(path.dirname(f.doc), 'replication');
  mkdirSync(chartDir, { recursive: true });
  for (const c of chartFiles) cpSync(path.join(out, 'charts', c), path.join(chartDir, c));
  const block = generated.replaceAll('](charts/', '](replication/').replace(/^## /gm, '### ');
  writeFileSync(f.doc, `${doc.slice(0, i + begin.length)}\n${block}\n${doc.slice(j)}`);
}
process.stdout.write(md);
if (failed.size) {
  process.stderr.write(
    `replicate: ${failed.size} runs failed or were skipped: ${[...failed].join(', ')} (logs: <run dir>.log)\n`,
  );
  process.exit(1);
}
