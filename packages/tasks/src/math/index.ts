// The MATH target domain: answer extraction, equivalence checking and the RL task. Generic helper
// names get a Math prefix so they cannot clash with other tasks' exports.
export type { Cas, CasExpr, Complex } from './cas.ts';
export { computeEngineCas, loadCas, MAX_CAS_INPUT } from './cas.ts';
export { extractAnswer as extractMathAnswer, extractBoxed, findBoxed, findMathSegments } from './extract.ts';
export { normalizeAnswer as normalizeMathAnswer } from './normalize.ts';
export type { AnswerNode as MathAnswerNode } from './structure.ts';
export { parseAnswer as parseMathAnswer } from './structure.ts';
export { MathEquivalence, type EquivalenceOptions } from './equivalence.ts';
export type { MathExample } from './task.ts';
export { gradeMath, mathFromRecord, mathPromptParts, mathTask, MATH_INSTRUCTION, MATH_REWARD } from './task.ts';
