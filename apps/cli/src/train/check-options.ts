// Cross-checks of parsed training options that one flag's schema cannot express: flags that
// contradict each other, and sizes that would only fail (or run out of memory) much later.
// Kept apart from the flag schemas so it holds whichever layer supplies the defaults.
import { existsSync } from 'node:fs';
import { UsageError } from '../errors.ts';

/** Upper bounds far above any run that fits a machine, so a typo fails now with exit 2. */
export const OPTION_LIMITS = {
  batchSize: 65_536,
  gradAccum: 65_536,
  microBatch: 65_536,
  numGenerations: 1024,
  promptsPerStep: 65_536,
  /** G × prompts per step: the rows one generation pass holds. */
  rolloutRows: 65_536,
  numIterations: 1024,
  maxSeqLen: 1_048_576,
  maxCompletionLength: 1_048_576,
  loraRank: 65_536,
} as const;

/** The options any trainer may have; each check applies when its options are present. */
export interface CheckedOptions {
  loraRank?: number;
  loraAlpha?: number;
  beta?: number;
  reference?: string;
  epsilon?: number;
  epsilonHigh?: number;
  numGenerations?: number;
  promptsPerStep?: number;
  [key: string]: unknown;
}

const kebab = (k: string): string => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Throws a UsageError (exit 2) naming the flags at fault. */
export function checkTrainOptions(o: CheckedOptions): void {
  for (const [key, max] of Object.entries(OPTION_LIMITS)) {
    const v = o[key];
    if (typeof v === 'number' && v > max) throw new UsageError(`--${kebab(key)} ${v}: at most ${max}`);
  }
  if (o.numGenerations !== undefined && o.promptsPerStep !== undefined) {
    const rows = o.numGenerations * o.promptsPerStep;
    if (rows > OPTION_LIMITS.rolloutRows)
      throw new UsageError(
        `--num-generations ${o.numGenerations} × --prompts-per-step ${o.promptsPerStep} = ${rows} rows per rollout: at most ${OPTION_LIMITS.rolloutRows}`,
      );
  }
  if (o.loraAlpha !== undefined && (o.loraRank ?? 0) <= 0)
    throw new UsageError('--lora-alpha needs --lora-rank > 0 (LoRA is off at rank 0)');
  if (o.epsilon !== undefined && (o.epsilon < 0 || o.epsilon >= 1))
    throw new UsageError(`--epsilon ${o.epsilon}: the clip range must be in [0, 1)`);
  if (o.epsilonHigh !== undefined && o.epsilon !== undefined && o.epsilonHigh < o.epsilon)
    throw new UsageError(`--epsilon-high ${o.epsilonHigh} is below --epsilon ${o.epsilon}`);
  if (o.reference !== undefined) {
    if ((o.beta ?? 0) === 0)
      throw new UsageError('--reference is only used with a KL term: pass --beta > 0, or drop --reference');
    if (!existsSync(o.reference)) throw new UsageError(`--reference: no such folder: ${o.reference}`);
  }
}
