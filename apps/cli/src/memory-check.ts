// The CLI's memory gate: read a model's config (not its weights), plan the command's memory on the
// backend in use and refuse with exit code 2 before loading when it cannot fit.
import { existsSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import {
  checkFit,
  formatBytes,
  loadConfig,
  loadTokenizer,
  planMemory,
  type MemoryCapacity,
  type MemoryPlan,
  type PlanBackend,
  type PlanInput,
  type Qwen2Config,
  type TextTokenizer,
} from '@warmup/core';
import { backendCapacity, folderSource } from '@warmup/node';
import { UsageError } from './errors.ts';
import { listPresets, presetTokenizer, readPreset } from './model-spec.ts';

export type PlanHints = Omit<PlanInput, 'config' | 'backend'>;

const isFolder = (spec: string): boolean => existsSync(spec) && statSync(spec).isDirectory();

/** config.json of a folder, or a preset's config; nothing else is read. */
export async function modelConfig(spec: string): Promise<Qwen2Config> {
  if (isFolder(spec)) return loadConfig(folderSource(spec));
  const preset = readPreset(spec);
  if (!preset) throw new UsageError(`--model: not a folder or preset: ${spec}; presets: ${listPresets().join(', ')}`);
  return preset.config;
}

/** The model's tokenizer alone (cheap next to its weights), to measure sequence lengths. */
export async function modelTokenizer(spec: string): Promise<TextTokenizer | undefined> {
  if (isFolder(spec)) return loadTokenizer(folderSource(spec));
  const preset = readPreset(spec);
  return preset ? presetTokenizer(preset) : undefined;
}

/** Longest token count among texts, capped: only the 32 longest by characters are encoded. */
export function longestTokens(tok: TextTokenizer | undefined, texts: string[], cap: number): number {
  if (!tok || texts.length === 0) return cap;
  const longest = [...texts].sort((a, b) => b.length - a.length).slice(0, 32);
  return Math.min(cap, Math.max(1, ...longest.map((t) => tok.encode(t).length)));
}

/** Plan `hints` for model `spec` on `backend` (the backend in use, not "auto"). */
export async function planFor(spec: string, backend: string, hints: PlanHints): Promise<MemoryPlan> {
  return planMemory({ ...hints, config: await modelConfig(spec), backend: backend as PlanBackend });
}

/** Refuse (UsageError, exit 2) when the plan does not fit the backend. WARMUP_MEMORY_CHECK=0
 *  turns the check off for a plan that is too cautious. */
export async function checkMemory(spec: string, backend: string, hints: PlanHints): Promise<void> {
  if (process.env.WARMUP_REPORT_MEMORY === '1') reportAtExit(await planFor(spec, backend, hints));
  if (process.env.WARMUP_MEMORY_CHECK === '0') return;
  const plan = await planFor(spec, backend, hints);
  const cap = await backendCapacity(backend as PlanBackend);
  // Alternatives named in the advice: wasm and cpu cost nothing to ask about.
  const others: MemoryCapacity[] = await Promise.all((['wasm', 'cpu'] as const).map((b) => backendCapacity(b)));
  const fit = checkFit(plan, cap, others);
  if (!fit.fits) throw new UsageError(fit.message!);
}

/** The gate for `sft`/`grpo`: the trainer's hints (measured with the model's tokenizer when given
 *  as a function) plus the run's LoRA settings. */
/** WARMUP_REPORT_MEMORY=1: at exit, print the plan's total next to the measured peaks (process
 *  RSS; the wasm heap, which only grows, so its final size is its peak) to compare the two. */
function reportAtExit(plan: MemoryPlan): void {
  process.on('exit', () => {
    // registry holds only backends already initialised (findBackend would start one).
    const wasm = tf.engine().registry.wasm as unknown as WasmBackend | undefined;
    const heap = wasm?.wasm?.HEAPU8?.length;
    process.stderr.write(
      `memory: plan ${plan.total} B (${formatBytes(plan.total)}), peak RSS ${process.resourceUsage().maxRSS * 1024} B${heap ? `, wasm heap ${heap} B` : ''}\n`,
    );
  });
}

interface WasmBackend {
  wasm?: { HEAPU8?: Uint8Array };
}

export async function checkRunMemory(
  o: { model: string; loraRank: number; loraTargets: PlanInput['loraTargets'] },
  backend: string,
  hints: PlanHints | ((tok: TextTokenizer | undefined) => PlanHints),
): Promise<void> {
  if (process.env.WARMUP_MEMORY_CHECK === '0') return;
  const h = typeof hints === 'function' ? hints(await modelTokenizer(o.model)) : hints;
  await checkMemory(o.model, backend, { ...h, loraRank: o.loraRank, loraTargets: o.loraTargets });
}
