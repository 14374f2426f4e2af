// The toy "general" pretraining mix: worked arithmetic and word problems ending in \boxed{},
// multiple-choice items with a one-line reason, tiny Python functions with docstrings, and short
// logic statements — all from the TRAIN split of the toy domains (test items never appear), in a
// plain "User: … / Assistant: …" layout: no answer in the <think>/<answer> format, no K&K puzzles.
import { codeFromRecord, codePromptParts } from '../code/task.ts';
import { hashSeed, mulberry32, type Rng } from '../kk/rng.ts';
import { mathFromRecord, mathPromptParts } from '../math/task.ts';
import { mcqFromRecord, mcqPromptParts } from '../mcq/task.ts';
import { R1_SYSTEM } from '../prompt.ts';
import { generateToyCode } from './code.ts';
import type { ToyItem } from './common.ts';
import { generateToyMath } from './math.ts';
import { generateToyMcq } from './mcq.ts';

export interface ToyCorpusOptions {
  /** Documents to write. */
  count: number;
  seed: number;
  /** Shares of math / mcq / code / logic documents (default 0.4 / 0.25 / 0.2 / 0.15). */
  mix?: { math: number; mcq: number; code: number; logic: number };
}

const all = (gen: (o: { split: 'train'; count: number; seed: number }) => ToyItem[]): ToyItem[] =>
  gen({ split: 'train', count: Infinity, seed: 0 });

// Most dialogues open with a preface. Half of them are laid out as the R1 prompt the evaluation
// uses — system sentence, "User: …", "Assistant: <think>" — and answered in plain prose: a tiny base
// pretrained without that layout copied the system sentence after <think>. No document closes
// </think> or uses <answer>, so the base never passes the format gate. The rest open with a
// generic line or nothing and answer right after "Assistant:".
const PREFACES = ['You are a helpful assistant.\n', 'Answer the question.\n', 'Here is a question.\n'];

function dialog(rng: Rng, user: string, answer: string): string {
  const u = rng.next();
  if (u < 0.5) return `${R1_SYSTEM}\nUser: ${user}\nAssistant: <think> ${answer}`;
  return `${u < 0.7 ? rng.pick(PREFACES) : ''}User: ${user}\nAssistant: ${answer}`;
}

function byLevel(items: ToyItem[]): ToyItem[][] {
  const m = new Map<number, ToyItem[]>();
  for (const it of items) {
    const list = m.get(it.level);
    if (list) list.push(it);
    else m.set(it.level, [it]);
  }
  return [...m.values()];
}

function mathDoc(rng: Rng, it: ToyItem): string {
  const e = mathFromRecord(it.record, it.key, 0);
  return dialog(rng, mathPromptParts(e).user, String(it.record.solution));
}

function mcqDoc(rng: Rng, it: ToyItem): string {
  const e = mcqFromRecord(it.record, it.key, 0);
  return dialog(rng, mcqPromptParts(e).user, `${String(it.record.cot_content)} The answer is $\\boxed{${e.answer}}$.`);
}

function codeDoc(rng: Rng, it: ToyItem): string {
  const e = codeFromRecord(it.record, it.key, 0);
  const full = `${String(it.record.prompt)}${String(it.record.canonical_solution)}`;
  return dialog(rng, codePromptParts(e).user, `\`\`\`python\n${full}\`\`\``);
}

const WEATHER: [string, string][] = [
  ['it rains', 'the grass gets wet'],
  ['the sun is out', 'the day is warm'],
  ['the bell rings', 'the class ends'],
  ['the light is red', 'the cars stop'],
  ['the oven is on', 'the kitchen is hot'],
];

/** A short K&K-free logic statement in prose: modus ponens, modus tollens, or a syllogism. */
function logicDoc(seed: number): string {
  const rng = mulberry32(seed);
  const [p, q] = rng.pick(WEATHER);
  switch (rng.int(3)) {
    case 0:
      return `If ${p}, then ${q}. We know that ${p}. So ${q}.`;
    case 1:
      return `If ${p}, then ${q}. We know that it is not true that ${q}. So it is not true that ${p}.`;
    default: {
      const a = rng.pick(['cats', 'roses', 'oaks', 'buses']);
      const b = rng.pick(['animals', 'flowers', 'trees', 'vehicles']);
      const c = rng.pick(['living things', 'things', 'objects']);
      return `All ${a} are ${b}. All ${b} are ${c}. So all ${a} are ${c}.`;
    }
  }
}

/** Seeded documents of the toy mix (with replacement from the train pools). */
export function generateToyCorpus(o: ToyCorpusOptions): string[] {
  const mix = o.mix ?? { math: 0.4, mcq: 0.25, code: 0.2, logic: 0.15 };
  const pools = {
    math: byLevel(all(generateToyMath)),
    mcq: byLevel(all(generateToyMcq)),
    code: byLevel(all(generateToyCode)),
  };
  const total = mix.math + mix.mcq + mix.code + mix.logic;
  const rng = mulberry32(hashSeed('toy-corpus', o.seed));
  // a level first, then an item: level 5's thousands of word problems do not crowd out the rest
  const pick = (levels: ToyItem[][]): ToyItem => rng.pick(rng.pick(levels));
  const docs: string[] = [];
  for (let i = 0; i < o.count; i++) {
    let u = rng.next() * total;
    if ((u -= mix.math) < 0) docs.push(mathDoc(rng, pick(pools.math)));
    else if ((u -= mix.mcq) < 0) docs.push(mcqDoc(rng, pick(pools.mcq)));
    else if ((u -= mix.code) < 0) docs.push(codeDoc(rng, pick(pools.code)));
    else docs.push(logicDoc(hashSeed('logic', o.seed, i)));
  }
  return docs;
}
