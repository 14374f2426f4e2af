// `npm run bench`: issue 16's table in one interleaved run — SFT tokens/s per backend at the JS
// peer's size and kk-10m next to the PyTorch twin (1 thread), and generation tokens/s — then one
// JSON record appended to bench/history.jsonl. Each measurement is its own process (the existing
// scripts/bench-train.ts and scripts/bench-generate.ts with --json), rounds interleaved.
// Usage: npm run bench [-- --quick] [--rounds 3] [--backends wasm,cpu,webgpu] [--torch-threads 1]
//        [--history bench/history.jsonl | --no-history]
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { wasmThreadsSetting } from '@warmup/node';
import { parseChoice, parseIntFlag } from '../apps/cli/src/args.ts';
import { UsageError } from '../apps/cli/src/errors.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** A training shape of the table: a preset (models/ or scripts/bench-presets/) and its batch. */
interface TrainShape {
  label: string;
  preset: string;
  batch: number;
  seq: number;
}

const FULL_SHAPES: TrainShape[] = [
  { label: "1.8M (the peer's size: 4 × 192, vocab 256)", preset: 'peer-1.8m', batch: 8, seq: 128 },
  { label: 'kk-10m', preset: 'kk-10m', batch: 4, seq: 128 },
];

export interface TrainFigure {
  preset: string;
  batch: number;
  seq: number;
  /** Median tokens/s over rounds per backend, with the adapter for WebGPU (e.g. llvmpipe). */
  ours: {
    backend: string;
    adapter?: string;
    tokensPerS: number | null;
    rounds: number[];
    /** Median tokens per CPU-second of the process (all threads), steadier under load. */
    tokensPerCpuS?: number | null;
    error?: string;
  }[];
  torch: { version: string; threads: number; tokensPerS: number; rounds: number[]; tokensPerCpuS?: number } | null;
  torchNote: string | null;
}

export interface GenFigure {
  preset: string;
  batch: number;
  newTokens: number;
  backend: string;
  tokensPerS: { concat?: number; preallocated?: number };
  /** The same per CPU-second of the generating process (steadier than wall time under load). */
  tokensPerCpuS?: { concat?: number; preallocated?: number };
}

export interface BenchRecord {
  date: string;
  quick: boolean;
  commit: string | null;
  machine: { cpu: string; cores: number; memoryGiB: number; platform: string; arch: string };
  node: string;
  wasmThreads: number;
  torchThreads: number;
  loadAverage: { before: number; after: number };
  train: TrainFigure[];
  generation: GenFigure[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Run one of the bench scripts with --json and parse its last stdout line. */
function runJson(script: string, args: string[]): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), ...args, '--json'], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{'))
    throw new Error(`${script} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(last) as Record<string, unknown>;
}

type KvPair = { concat: number; preallocated: number };

interface TrainJson {
  backends: { backend: string; adapter?: string; tokensPerS?: number; cpuSeconds?: number[]; error?: string }[];
  torch: { torch: string; threads: number; tokens_per_s: number; cpu_step_seconds?: number[] } | null;
  torchNote: string | null;
}

interface Options {
  quick: boolean;
  rounds: number;
  backends: string[];
  torchThreads: number;
  history: string | null;
}

function parseOptions(argv: string[]): Options {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        rounds: { type: 'string' },
        backends: { type: 'string' },
        'torch-threads': { type: 'string', default: '1' },
        history: { type: 'string', default: 'bench/history.jsonl' },
        'no-history': { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  const quick = v.quick!;
  return {
    quick,
    rounds: parseIntFlag('--rounds', v.rounds ?? (quick ? '1' : '3'), { min: 1 }),
    backends: (v.backends ?? (quick ? 'wasm' : 'wasm,cpu,webgpu'))
      .split(',')
      .map((b) => parseChoice('--backends', b.trim(), ['wasm', 'cpu', 'webgpu'] as const)),
    torchThreads: parseIntFlag('--torch-threads', v['torch-threads'], { min: 1 }),
    history: v['no-history'] ? null : path.resolve(ROOT, v.history!),
  };
}

function gitCommit(): string | null {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => void process.stdout.write(`${s}\n`);
  // Quick: every piece runs once on tiny shapes, for smoke tests; its figures mean nothing.
  const shapes = o.quick ? FULL_SHAPES.map((s) => ({ ...s, batch: 2, seq: 16 })) : FULL_SHAPES;
  const steps = o.quick ? ['--steps', '1', '--warmup', '0'] : ['--steps', '3', '--warmup', '1'];
  const gen = o.quick ? { batch: 2, newTokens: 8 } : { batch: 8, newTokens: 256 };
  const loadBefore = os.loadavg()[0];
  const perShape = shapes.map(() => ({
    ours: new Map<string, TrainJson['backends'][number][]>(),
    torch: [] as number[],
    torchCpu: [] as number[],
  }));
  let torchInfo: TrainJson['torch'] = null;
  let torchNote: string | null = null;
  const genRounds = new Map<
    string,
    { concat: number[]; preallocated: number[]; cpuConcat: number[]; cpuPreallocated: number[] }
  >();
  for (let r = 0; r < o.rounds; r++) {
    shapes.forEach((s, i) => {
      o.backends.forEach((be, j) => {
        // PyTorch runs in the wasm process's turn (after it), so it too is interleaved.
        const torch = j === 0 ? ['--torch-threads', `${o.torchThreads}`] : ['--no-torch'];
        const base = ['--preset', s.preset, '--batch', `${s.batch}`, '--seq', `${s.seq}`, ...steps];
        let out: TrainJson;
        try {
          out = runJson('bench-train.ts', [...base, '--backends', be, ...torch]) as unknown as TrainJson;
        } catch (e) {
          out = { backends: [{ backend: be, error: (e as Error).message }], torch: null, torchNote: null };
        }
        const res = out.backends[0];
        const list = perShape[i].ours.get(be) ?? [];
        list.push(res);
        perShape[i].ours.set(be, list);
        if (out.torch) {
          perShape[i].torch.push(out.torch.tokens_per_s);
          const c = out.torch.cpu_step_seconds;
          if (c?.length) perShape[i].torchCpu.push((s.batch * s.seq * c.length) / c.reduce((a, b) => a + b, 0));
          torchInfo = out.torch;
        }
        if (j === 0 && out.torchNote) torchNote = out.torchNote;
        const t = out.torch ? `, PyTorch ${out.torch.tokens_per_s.toFixed(0)}` : '';
        log(
          `round ${r + 1}: ${s.preset} ${be} ${res.tokensPerS?.toFixed(0) ?? `unavailable (${res.error})`} tok/s${t}`,
        );
      });
    });
    for (const be of o.backends.filter((b) => b !== 'webgpu')) {
      const g = runJson('bench-generate.ts', [
        '--preset',
        'kk-tiny',
        '--batch',
        `${gen.batch}`,
        '--new-tokens',
        `${gen.newTokens}`,
        '--rounds',
        '1',
        '--backends',
        be,
      ]) as { results: { tokensPerS: KvPair; tokensPerCpuS: KvPair }[] };
      const tps = g.results[0].tokensPerS;
      const cps = g.results[0].tokensPerCpuS;
      const acc = genRounds.get(be) ?? { concat: [], preallocated: [], cpuConcat: [], cpuPreallocated: [] };
      acc.concat.push(tps.concat);
      acc.preallocated.push(tps.preallocated);
      acc.cpuConcat.push(cps.concat);
      acc.cpuPreallocated.push(cps.preallocated);
      genRounds.set(be, acc);
      log(`round ${r + 1}: generation kk-tiny ${be}: ${tps.concat.toFixed(0)} → ${tps.preallocated.toFixed(0)} tok/s`);
    }
  }
  const train: TrainFigure[] = shapes.map((s, i) => ({
    preset: s.preset,
    batch: s.batch,
    seq: s.seq,
    ours: o.backends.map((be) => {
      const runs = perShape[i].ours.get(be) ?? [];
      const ok = runs.filter((x) => x.tokensPerS !== undefined).map((x) => x.tokensPerS!);
      const cpu = runs
        .filter((x) => x.cpuSeconds?.length)
        .map((x) => (s.batch * s.seq * x.cpuSeconds!.length) / x.cpuSeconds!.reduce((a, b) => a + b, 0));
      return {
        backend: be,
        adapter: runs.find((x) => x.adapter)?.adapter,
        tokensPerS: ok.length ? median(ok) : null,
        tokensPerCpuS: cpu.length ? median(cpu) : null,
        rounds: ok,
        error: ok.length ? undefined : runs.find((x) => x.error)?.error,
      };
    }),
    torch:
      torchInfo && perShape[i].torch.length
        ? {
            version: (torchInfo as { torch: string }).torch,
            threads: (torchInfo as { threads: number }).threads,
            tokensPerS: median(perShape[i].torch),
            rounds: perShape[i].torch,
            tokensPerCpuS: perShape[i].torchCpu.length ? median(perShape[i].torchCpu) : undefined,
          }
        : null,
    torchNote,
  }));
  const generation: GenFigure[] = [...genRounds].map(([backend, g]) => ({
    preset: 'kk-tiny',
    ...gen,
    backend,
    tokensPerS: { concat: median(g.concat), preallocated: median(g.preallocated) },
    tokensPerCpuS: { concat: median(g.cpuConcat), preallocated: median(g.cpuPreallocated) },
  }));
  const record: BenchRecord = {
    date: new Date().toISOString(),
    quick: o.quick,
    commit: gitCommit(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.availableParallelism(),
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: os.platform(),
      arch: os.arch(),
    },
    node: process.version,
    wasmThreads: wasmThreadsSetting(),
    torchThreads: o.torchThreads,
    loadAverage: { before: loadBefore, after: os.loadavg()[0] },
    train,
    generation,
  };
  log('');
  log(formatTables(record, shapes));
  if (o.history) {
    mkdirSync(path.dirname(o.history), { recursive: true });
    appendFileSync(o.history, `${JSON.stringify(record)}\n`);
    log(`\nappended to ${path.relative(process.cwd(), o.history)}`);
  }
}

const fmt = (x: number | null | undefined): string => (x == null ? '–' : x >= 100 ? x.toFixed(0) : x.toPrecision(3));

/** The Markdown tables of a record (issue 16's layout), with the machine and settings above them. */
export function formatTables(r: BenchRecord, shapes: { preset: string; label?: string }[] = []): string {
  const backends = r.train[0]?.ours.map((x) => x.backend) ?? [];
  const head = backends.map((b) => {
    const a = r.train.flatMap((t) => t.ours).find((x) => x.backend === b && x.adapter)?.adapter;
    return `ours, ${b}${a ? ` (${a})` : ''}`;
  });
  const torchHead = `PyTorch, ${r.torchThreads} thread${r.torchThreads > 1 ? 's' : ''}`;
  const lines = [
    `${r.date.slice(0, 10)}, ${r.machine.cpu} (${r.machine.cores} cores), Node ${r.node}, wasm threads ${r.wasmThreads}${r.quick ? ', QUICK (smoke test: figures mean nothing)' : ''}; load average ${r.loadAverage.before.toFixed(2)} → ${r.loadAverage.after.toFixed(2)}`,
    '',
    `| model (SFT tokens/s) | ${head.join(' | ')} | ${torchHead} | PyTorch / ours, wasm | the same per CPU-s |`,
    `|---|${head.map(() => '---:|').join('')}---:|---:|---:|`,
  ];
  for (const t of r.train) {
    const label = shapes.find((s) => s.preset === t.preset)?.label ?? t.preset;
    const wasm = t.ours.find((x) => x.backend === 'wasm')?.tokensPerS;
    const ratio = t.torch && wasm ? `**${(t.torch.tokensPerS / wasm).toFixed(2)}×**` : '–';
    const wasmCpu = t.ours.find((x) => x.backend === 'wasm')?.tokensPerCpuS;
    const cpuRatio =
      t.torch?.tokensPerCpuS && wasmCpu
        ? `${(t.torch.tokensPerCpuS / wasmCpu).toFixed(2)}× (${fmt(t.torch.tokensPerCpuS)} / ${fmt(wasmCpu)})`
        : '–';
    const cells = t.ours.map((x) => (x.tokensPerS == null ? 'unavailable' : fmt(x.tokensPerS)));
    lines.push(
      `| ${label}, batch ${t.batch} × ${t.seq} | ${cells.join(' | ')} | ${fmt(t.torch?.tokensPerS)} | ${ratio} | ${cpuRatio} |`,
    );
  }
  const note = r.train.find((t) => t.torchNote)?.torchNote;
  if (note?.includes('cannot import torch'))
    lines.push('', 'PyTorch: not installed, so no ratio (`npm run setup:bench` installs the twin).');
  else if (note) lines.push('', `PyTorch: ${note}`);
  for (const t of r.train)
    for (const x of t.ours) if (x.error) lines.push(`${t.preset} ${x.backend}: ${x.error.split('\n')[0]}`);
  if (r.generation.length) {
    lines.push(
      '',
      '| generation (new tokens/s, sampling) | concat KV cache (before) | preallocated KV cache | speed-up | per CPU-s, before → after |',
      '|---|---:|---:|---:|---:|',
    );
    for (const g of r.generation) {
      const { concat, preallocated } = g.tokensPerS;
      const up = concat && preallocated ? `${(preallocated / concat).toFixed(2)}×` : '–';
      const cpu = g.tokensPerCpuS ? `${fmt(g.tokensPerCpuS.concat)} → ${fmt(g.tokensPerCpuS.preallocated)}` : '–';
      lines.push(
        `| ${g.preset}, ${g.batch} × ${g.newTokens}, ${g.backend} | ${fmt(concat)} | ${fmt(preallocated)} | ${up} | ${cpu} |`,
      );
    }
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exit((e as Error).name === 'UsageError' ? 2 : 1);
    },
  );
