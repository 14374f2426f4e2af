// The CLI's error convention: bad input (flags, files, data) is a UsageError, printed as one line
// and exit code 2; anything else is a bug or an environment failure, exit code 1.
import { DataError } from '@warmup/tasks';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Errors caused by the user's input rather than by the program. */
export function isInputError(e: unknown): boolean {
  if (e instanceof UsageError || e instanceof DataError) return true;
  const name = (e as { name?: string } | null)?.name;
  return name === 'UsageError' || name === 'DataError' || name === 'CheckpointError' || name === 'ConfigError';
}

/** A one-line explanation for failures of the environment that users can act on, or undefined. */
/** What to lower when the wasm heap runs out, by subcommand (generate and serve have no batch). */
const WASM_OOM_ADVICE: Record<string, string> = {
  sft: 'lower --batch-size (and raise --grad-accum to keep the effective batch) or --max-seq-len, or use another --backend',
  pretrain:
    'lower --batch-size (and raise --grad-accum to keep the effective batch) or --max-seq-len, or use another --backend',
  grpo: 'lower --micro-batch, --prompts-per-step or --max-completion-length, or use another --backend',
  eval: 'lower --batch-size or --max-new-tokens, or use another --backend',
  pipeline: 'lower the batch sizes or sequence lengths, or use another --backend',
};

export function environmentHint(e: unknown, command?: string): string | undefined {
  // A WebGPU validation error, out-of-memory or device loss: the message says it all.
  if ((e as { name?: string } | null)?.name === 'WebgpuError') return (e as Error).message;
  // a run stopped by the NaN/divergence guard: the message names the step and the checkpoint kept
  if ((e as { name?: string } | null)?.name === 'TrainingError') return (e as Error).message;
  // tfjs-backend-wasm runs out of heap on long sequences at large batch sizes.
  // When its heap cannot grow it either aborts or, after a failed allocation, traps on a bad
  // pointer; the stack trace points into emscripten and says nothing about the cause.
  if (
    e instanceof WebAssembly.RuntimeError &&
    /^Aborted\(|table index is out of bounds|memory access out of bounds/.test(e.message)
  ) {
    const advice =
      WASM_OOM_ADVICE[command ?? ''] ?? 'use a smaller model or another --backend (`warmup plan` shows what fits)';
    return `the wasm backend crashed (${e.message.split('.')[0]}), most likely out of memory (its heap is capped at 4 GiB): ${advice}`;
  }
  return undefined;
}
