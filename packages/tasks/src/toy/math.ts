// toy-math: arithmetic and two-step word problems in the MATH record format (problem, solution
// ending in \boxed{answer}, answer, level "Level n", type), graded by the real math verifier.
import { pickToyItems, range, type ToyGenerateOptions, type ToyItem } from './common.ts';

export const TOY_MATH_LEVELS = [1, 2, 3, 4, 5] as const;

const NAMES = ['Ann', 'Ben', 'Cara', 'Dan', 'Eva', 'Finn', 'Gus', 'Hana'];
const THINGS = ['apples', 'books', 'coins', 'pens', 'shells', 'stamps'];

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
          steps: `We add ${a} and ${b}: ${a} + ${b} = ${a + b}.`,
          answer: a + b,
        });
  if (level === 2)
    for (const a of range(0, 18))
      for (const b of range(0, 9))
        if (a >= b)
          out.push({
            key: `${a}-${b}`,
            problem: `What is $${a} - ${b}$?`,
            steps: `We take ${b} away from ${a}: ${a} - ${b} = ${a - b}.`,
            answer: a - b,
          });
  if (level === 3)
    for (const a of range(10, 49))
      for (const b of range(1, 9)) {
        const ones = (a % 10) + b;
        out.push({
          key: `${a}+${b}`,
          problem: `What is $${a} + ${b}$?`,
          steps: `The ones digits give ${a % 10} + ${b} = ${ones}, so ${a} + ${b} = ${a + b}.`,
          answer: a + b,
        });
      }
  if (level === 4)
    for (const a of range(2, 9))
      for (const b of range(2, 9))
        out.push({
          key: `${a}*${b}`,
          problem: `What is $${a} \\times ${b}$?`,
          steps: `${a} groups of ${b} make ${a * b}, so ${a} \\times ${b} = ${a * b}.`,
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
                steps: `First ${a} + ${b} = ${a + b}. Then ${a + b} - ${c} = ${a + b - c}.`,
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
