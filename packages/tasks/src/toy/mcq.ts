// toy-mcq: multiple-choice items in the MMLU-Pro record format (question, options, answer letter,
// answer_index, category) in three categories — arithmetic, comparison, logic — so single-domain
// RLVR can be checked across categories. Levels add options (4, 6, 10) and larger numbers.
import { hashSeed, mulberry32 } from '../kk/rng.ts';
import { pickToyItems, range, shuffled, type ToyGenerateOptions, type ToyItem } from './common.ts';

export const TOY_MCQ_LEVELS = [1, 2, 3] as const;
export const TOY_MCQ_CATEGORIES = ['arithmetic', 'comparison', 'logic'] as const;

const LETTERS = 'ABCDEFGHIJ';
const OPTIONS_PER_LEVEL: Record<number, number> = { 1: 4, 2: 6, 3: 10 };

const KINDS: [string, string][] = [
  ['cats', 'animals'],
  ['roses', 'flowers'],
  ['oaks', 'trees'],
  ['trout', 'fish'],
  ['hammers', 'tools'],
  ['violins', 'instruments'],
  ['buses', 'vehicles'],
  ['apples', 'fruits'],
];
const NAMES = ['Tom', 'Lily', 'Max', 'Nora', 'Sam', 'Ivy'];

interface Item {
  key: string;
  category: (typeof TOY_MCQ_CATEGORIES)[number];
  question: string;
  correct: string;
  distractors: string[];
  /** One sentence of reasoning, kept as MMLU-Pro's cot_content (the corpus teaches from it). */
  why: string;
}

function numberDistractors(answer: number, n: number, seed: number): string[] {
  const pool = range(Math.max(0, answer - 12), answer + 12).filter((x) => x !== answer);
  return shuffled(pool, seed)
    .slice(0, n - 1)
    .map(String);
}

function items(level: number): Item[] {
  const n = OPTIONS_PER_LEVEL[level];
  const top = level === 1 ? 9 : level === 2 ? 19 : 49;
  const out: Item[] = [];
  for (const a of range(1, top))
    for (const b of range(1, 9)) {
      const key = `${a}+${b}`;
      out.push({
        key,
        category: 'arithmetic',
        question: `What is ${a} + ${b}?`,
        correct: String(a + b),
        why: `${a} + ${b} = ${a + b}.`,
        distractors: numberDistractors(a + b, n, hashSeed('mcq', level, key)),
      });
    }
  // comparison: the largest of n distinct numbers (one question per seeded draw)
  for (let k = 0; k < 300; k++) {
    const rng = mulberry32(hashSeed('cmp', level, k));
    const nums = shuffled(range(1, top + 10), rng.int(1 << 30)).slice(0, n);
    const max = Math.max(...nums);
    out.push({
      key: `max:${nums.join(',')}`,
      category: 'comparison',
      question: `Which number is the largest?`,
      correct: String(max),
      why: `The largest of ${nums.join(', ')} is ${max}.`,
      distractors: nums.filter((x) => x !== max).map(String),
    });
  }
  for (const name of NAMES)
    for (const [i, [kind, cls]] of KINDS.entries()) {
      const others = KINDS.filter((_, j) => j !== i).map(([, c]) => c);
      const wrong = [
        `${name} is not one of the ${cls}.`,
        ...others.map((c) => `${name} is one of the ${c}.`),
        `All ${cls} are ${kind}.`,
      ];
      out.push({
        key: `${name}:${kind}`,
        category: 'logic',
        question: `All ${kind} are ${cls}. ${name} is one of the ${kind}. Which statement must be true?`,
        correct: `${name} is one of the ${cls}.`,
        why: `${name} is one of the ${kind}, and all ${kind} are ${cls}, so ${name} is one of the ${cls}.`,
        distractors: shuffled(wrong, hashSeed('logic', level, name, kind)).slice(0, n - 1),
      });
    }
  return out;
}

function enumerate(level: number): ToyItem[] {
  return items(level).map((it) => {
    const key = `L${level}:${it.category}:${it.key}`;
    const options = shuffled([it.correct, ...it.distractors], hashSeed('order', key));
    const idx = options.indexOf(it.correct);
    return {
      key,
      level,
      record: {
        question_id: `toy-mcq/${key}`,
        question: it.question,
        options,
        answer: LETTERS[idx],
        answer_index: idx,
        cot_content: `${it.why} That is option ${LETTERS[idx]}.`,
        category: it.category,
        src: `toy-mcq-level-${level}`,
        level,
      },
    };
  });
}

export function generateToyMcq(o: ToyGenerateOptions): ToyItem[] {
  return pickToyItems('mcq', TOY_MCQ_LEVELS, enumerate, o);
}
