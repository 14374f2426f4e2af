// toy-math: arithmetic and two-step word problems in the MATH record format (problem, solution
// ending in \boxed{answer}, answer, level "Level n", type), graded by the real math verifier.
// Solutions count one step at a time (a tiny model can learn "add one" from every item, not a
// table of facts it never saw for held-out items).
import { pickToyItems, range, type ToyGenerateOptions, type ToyItem } from './common.ts';

export const TOY_MATH_LEVELS = [1, 2, 3, 4, 5] as const;

const NAMES = ['Ann', 'Ben', 'Cara', 'Dan', 'Eva', 'Finn', 'Gus', 'Hana'];
const THINGS = ['apples', 'books', 'coins', 'pens', 'shells', 'stamps'];

/** "a + 1 = …, a + 2 = …, …, a + b = …": b unit steps from a (the larger addend first). */
export function countUp(a: number, b: number): string {
  if (b === 0) return `Adding 0 changes nothing: ${a} + 0 = ${a}.`;
  return `${range(1, b)
    .map((i) => `${a} + ${i} = ${a + i}`)
    .join(', ')}.`;
}

/** "a - 1 = …, …, a - b = …". */
export function countDown(a: number, b: number): string {
  if (b === 0) return `Taking away 0 changes nothing: ${a} - 0 = ${a}.`;
  return `${range(1, b)
    .map((i) => `${a} - ${i} = ${a - i}`)
    .join(', ')}.`;
}

/** The row of the larger factor: "b \times 1 = b, b \times 2 = 2b, …" up to the smaller one. */
function timesRow(a: number, b: number): string {
  const [big, small] = a >= b ? [a, b] : [b, a];
  return `${range(1, small)
    .map((i) => `${big} \\times ${i} = ${big * i}`)
    .join(', ')}.`;
}

interface MathParts {
  key: string;
  problem: string;
  steps: string;
  answer: number;
}

function parts(level: number): MathParts[] {
  const out: MathParts[] = [];
  if (level === 1)
    for (const a of range(0, 9))
      for (const b of range(0, 9))
        out.push({
          key: `${a}+${b}`,
          problem: `What is $${a} + ${b}$?`,
          steps: `We count up from the larger number: ${countUp(Math.max(a, b), Math.min(a, b))} So ${a} + ${b} = ${a + b}.`,
          answer: a + b,
        });
  if (level === 2)
    for (const a of range(0, 18))
      for (const b of range(0, 9))
        if (a >= b)
          out.push({
            key: `${a}-${b}`,
            problem: `What is $${a} - ${b}$?`,
            steps: `We count down from ${a}: ${countDown(a, b)} So ${a} - ${b} = ${a - b}.`,
            answer: a - b,
          });
  if (level === 3)
    for (const a of range(10, 49))
      for (const b of range(1, 9))
        out.push({
          key: `${a}+${b}`,
          problem: `What is $${a} + ${b}$?`,
          steps: `We count up from ${a}: ${countUp(a, b)} So ${a} + ${b} = ${a + b}.`,
          answer: a + b,
        });
  if (level === 4)
    for (const a of range(2, 9))
      for (const b of range(2, 9))
        out.push({
          key: `${a}*${b}`,
          problem: `What is $${a} \\times ${b}$?`,
          steps: `We go along the row of ${Math.max(a, b)}: ${timesRow(a, b)} So ${a} \\times ${b} = ${a * b}.`,
          answer: a * b,
        });
  if (level === 5)
    for (const name of NAMES)
      for (const thing of THINGS)
        for (const a of range(2, 9))
          for (const b of range(1, 5))
            for (const c of range(1, 5)) {
              if (c > a + b) continue;
              out.push({
                key: `${name}:${thing}:${a}+${b}-${c}`,
                problem: `${name} has ${a} ${thing}. ${name} gets ${b} more and then gives away ${c}. How many ${thing} does ${name} have now?`,
                steps: `First ${countUp(a, b)} Then ${countDown(a + b, c)} So ${name} has ${a + b - c}.`,
                answer: a + b - c,
              });
            }
  return out;
}

function enumerate(level: number): ToyItem[] {
  return parts(level).map((p) => ({
    key: `L${level}:${p.key}`,
    level,
    record: {
      unique_id: `toy-math/L${level}/${p.key}`,
      problem: p.problem,
      solution: `${p.steps} The answer is $\\boxed{${p.answer}}$.`,
      answer: String(p.answer),
      level: `Level ${level}`,
      type: level === 5 ? 'Word Problems' : 'Arithmetic',
    },
  }));
}

export function generateToyMath(o: ToyGenerateOptions): ToyItem[] {
  return pickToyItems('math', TOY_MATH_LEVELS, enumerate, o);
}
