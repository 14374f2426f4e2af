// Public API of the toy target domains (math, multiple choice, code in the public formats) and
// the toy pretraining corpus the shipped base is trained on.
export * from './common.ts';
export * from './math.ts';
export * from './mcq.ts';
export * from './code.ts';
export * from './corpus.ts';
import { generateToyCode } from './code.ts';
import type { ToyDomain, ToyGenerateOptions, ToyItem } from './common.ts';
import { generateToyMath } from './math.ts';
import { generateToyMcq } from './mcq.ts';

/** The records of one toy domain's split (public format, ready for JSONL). */
export function generateToy(domain: ToyDomain, o: ToyGenerateOptions): ToyItem[] {
  return domain === 'math' ? generateToyMath(o) : domain === 'mcq' ? generateToyMcq(o) : generateToyCode(o);
}
