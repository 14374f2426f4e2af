// Public API of the Knights & Knaves task: grammar, generator, solver, texts, JSONL records,
// rewards, the Task object, the programmatic teacher and SFT records. Generic names are exported
// with a Kk prefix so they cannot clash with other tasks' exports from @warmup/tasks.
export type {
  LeafStatement as KkLeafStatement,
  NotStatement as KkNotStatement,
  JunctionStatement as KkJunctionStatement,
  ConditionalStatement as KkConditionalStatement,
  Statement as KkStatement,
  StatementOp as KkStatementOp,
  KkPuzzle,
} from './types.ts';
export {
  STATEMENT_OPS as KK_STATEMENT_OPS,
  STATEMENT_DIE as KK_STATEMENT_DIE,
  MIN_PEOPLE as KK_MIN_PEOPLE,
  MAX_PEOPLE as KK_MAX_PEOPLE,
} from './types.ts';
export { KK_NAMES } from './names.ts';
export { evaluate as evaluateKkStatement, statementsKey as kkStatementsKey } from './logic.ts';
export { countSolutions as countKkSolutions, solve as solveKk, uniqueSolution as uniqueKkSolution } from './solver.ts';
export { sampleStatement as sampleKkStatement } from './sample.ts';
export type { GenerateOptions as KkGenerateOptions, GeneratePlan as KkGeneratePlan } from './generator.ts';
export {
  generatePuzzles as generateKkPuzzles,
  generatePuzzlesOfSize as generateKkPuzzlesOfSize,
  planCounts as planKkCounts,
  puzzleCapacity as kkPuzzleCapacity,
} from './generator.ts';
export {
  statementText as kkStatementText,
  quizText as kkQuizText,
  solutionText as kkSolutionText,
  solutionTextFormat as kkSolutionTextFormat,
  SPEECH_TEMPLATES as KK_SPEECH_TEMPLATES,
} from './text.ts';
export {
  parseStatementsTuple as parseKkStatementsTuple,
  formatStatementsTuple as formatKkStatementsTuple,
} from './tuple.ts';
export type { KkRecord } from './io.ts';
export {
  puzzleFromRecord as kkPuzzleFromRecord,
  puzzleToRecord as kkPuzzleToRecord,
  parseKkJsonl,
  kkToJsonl,
} from './io.ts';
export type { ParsedAnswer as KkParsedAnswer } from './answer.ts';
export {
  extractAnswerBlock as extractKkAnswerBlock,
  parseAnswer as parseKkAnswer,
  stripTrailingEos as kkStripTrailingEos,
} from './answer.ts';
export type { KkRewardScheme, FormatCheck as KkFormatCheck } from './reward.ts';
export {
  gradeKk,
  KK_REWARD_SCHEMES,
  KK_MIN_REWARD,
  paperFormat as kkPaperFormat,
  logicRlFormat as kkLogicRlFormat,
} from './reward.ts';
export type { KkTask } from './task.ts';
export { createKkTask, kkTask, kkPromptParts, kkPrompt, KK_ANSWER_INSTRUCTION } from './task.ts';
export type { TeacherOptions as KkTeacherOptions, TeacherStyle as KkTeacherStyle } from './teacher.ts';
export { teacherTrace as kkTeacherTrace, TEACHER_STYLES as KK_TEACHER_STYLES } from './teacher.ts';
export { heldOutPuzzles as kkHeldOutPuzzles } from './heldout.ts';
export type { KkSftRecord } from './sft.ts';
export { makeKkSftRecord, makeKkSftRecords } from './sft.ts';
export type { KkStats } from './stats.ts';
export { kkStats, grammarOpFrequency as kkGrammarOpFrequency } from './stats.ts';
