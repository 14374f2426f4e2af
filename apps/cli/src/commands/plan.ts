// `warmup plan`: print the memory plan of a command (weights, packed copies, gradients, moments,
// activations, KV cache, logits) against what the backend can hold, without loading any weights.
import type { Command } from 'commander';
import { parseChoice, parseIntFlag } from '../args.ts';
import { readPreset } from '../model-spec.ts';

const COMMANDS = ['generate', 'eval', 'sft', 'grpo'] as const;
const PLAN_BACKENDS = ['auto', 'webgpu', 'wasm', 'cpu', 'tensorflow'] as const;

interface Flags {
  model: string;
  command: string;
  backend: string;
  batchSize?: string;
  maxSeqLen?: string;
  gradAccum?: string;
  loraRank?: string;
  microBatch?: string;
  promptsPerStep?: string;
  numGenerations?: string;
  maxCompletionLength?: string;
  promptLen?: string;
  maxNewTokens?: string;
  beta?: string;
  json?: boolean;
}

/** The plan's inputs from flags, with each command's own defaults (for grpo on a fresh preset, the
 *  rollout sizes its models/*.json recommends, as `warmup grpo` uses them). */
export function planHints(f: Flags): import('../memory-check.ts').PlanHints {
  if (f.command === 'grpo') {
    const rec = readPreset(f.model)?.training?.grpo ?? {};
    const d = (v: string | undefined, k: string): string | undefined => v ?? (k in rec ? String(rec[k]) : undefined);
    f = {
      ...f,
      microBatch: d(f.microBatch, 'microBatch'),
      maxCompletionLength: d(f.maxCompletionLength, 'maxCompletionLength'),
      promptsPerStep: d(f.promptsPerStep, 'promptsPerStep'),
      numGenerations: d(f.numGenerations, 'numGenerations'),
    };
  }
  const command = parseChoice('--command', f.command, COMMANDS);
  const int = (flag: string, v: string | undefined, d: number, min = 1): number =>
    v === undefined ? d : parseIntFlag(flag, v, { min });
  const loraRank = int('--lora-rank', f.loraRank, 0, 0);
  if (command === 'generate')
    return {
      command,
      genRows: 1,
      promptLen: int('--prompt-len', f.promptLen, 64),
      newTokens: int('--max-new-tokens', f.maxNewTokens, 128),
    };
  if (command === 'eval')
    return {
      command,
      genRows: int('--batch-size', f.batchSize, 8),
      promptLen: int('--prompt-len', f.promptLen, 256),
      newTokens: int('--max-new-tokens', f.maxNewTokens, 1024),
    };
  if (command === 'sft')
    return {
      command,
      batchSize: int('--batch-size', f.batchSize, 4),
      seqLen: int('--max-seq-len', f.maxSeqLen, 2048),
      gradAccum: int('--grad-accum', f.gradAccum, 1),
      loraRank,
    };
  const promptLen = int('--prompt-len', f.promptLen, 256);
  const completion = int('--max-completion-length', f.maxCompletionLength, 1024);
  const G = int('--num-generations', f.numGenerations, 10, 2);
  return {
    command,
    batchSize: int('--micro-batch', f.microBatch, 8),
    seqLen: promptLen + completion,
    genRows: int('--prompts-per-step', f.promptsPerStep, 10) * G,
    numGenerations: G,
    promptLen,
    newTokens: completion,
    loraRank,
    reference: f.beta !== undefined && Number(f.beta) > 0,
  };
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description("Estimate a command's memory (no weights are loaded) and compare it with what the backend can hold")
    .requiredOption('--model <dir|preset>', 'model folder (only config.json is read) or preset name')
    .option('--command <name>', COMMANDS.join(' | '), 'generate')
    .option('--backend <name>', 'auto | webgpu | wasm | cpu | tensorflow', 'auto')
    .option('--batch-size <n>', 'sft: sequences per micro-batch (4); eval: rows generated together (8)')
    .option('--max-seq-len <n>', 'sft: tokens per sequence (2048)')
    .option('--grad-accum <n>', 'sft: micro-batches per step (1)')
    .option('--lora-rank <r>', 'sft/grpo: LoRA rank, 0 = full fine-tuning (0)')
    .option('--micro-batch <n>', 'grpo: sequences per forward/backward (8)')
    .option('--prompts-per-step <n>', 'grpo: prompts per generation batch (10)')
    .option('--num-generations <G>', 'grpo: completions per prompt (10)')
    .option('--max-completion-length <n>', 'grpo: tokens per completion (1024)')
    .option('--prompt-len <n>', 'prompt tokens (generate 64, eval/grpo 256)')
    .option('--max-new-tokens <n>', 'generate (128) / eval (1024): new tokens')
    .option('--beta <b>', 'grpo: KL coefficient; > 0 keeps a reference model')
    .option('--json', 'print the plan as JSON')
    .action(async (f: Flags) => {
      const hints = planHints(f);
      const backendFlag = parseChoice('--backend', f.backend, PLAN_BACKENDS);
      const { backendCapacity, installNodeWebgpu } = await import('@warmup/node');
      const { checkFit, formatPlan, hasHardwareWebgpu } = await import('@warmup/core');
      const { planFor } = await import('../memory-check.ts');
      let backend: Exclude<(typeof PLAN_BACKENDS)[number], 'auto'>;
      if (backendFlag === 'auto')
        backend = (await installNodeWebgpu()) && (await hasHardwareWebgpu()) ? 'webgpu' : 'wasm';
      else backend = backendFlag;
      const plan = await planFor(f.model, backend, hints);
      const cap = await backendCapacity(backend);
      const others = await Promise.all((['wasm', 'cpu'] as const).map((b) => backendCapacity(b)));
      const fit = checkFit(plan, cap, others);
      if (f.json) {
        process.stdout.write(
          `${JSON.stringify({ ...plan, input: { ...plan.input, config: undefined }, capacity: cap, fits: fit.fits, message: fit.message })}\n`,
        );
        return;
      }
      process.stdout.write(`${formatPlan(plan, cap)}\n`);
      if (fit.message) process.stdout.write(`${fit.message}\n`);
    });
}
