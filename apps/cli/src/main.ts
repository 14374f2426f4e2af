// The `warmup` command: wires subcommands together and maps input errors to exit code 2.
import { Command, CommanderError } from 'commander';
import { environmentHint, isInputError } from './errors.ts';
import { cliPackage } from './package-info.ts';

type Register = (program: Command) => void;

/** Subcommands by name, each loaded only when needed: most commands never touch TF.js, and
 *  importing every module cost ~1 s of start-up for each `warmup` call. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  kk: async () => (await import('./commands/kk.ts')).registerKk,
  toy: async () => (await import('./commands/toy.ts')).registerToy,
  pretrain: async () => (await import('./commands/pretrain.ts')).registerPretrain,
  generate: async () => (await import('./commands/generate.ts')).registerGenerate,
  serve: async () => (await import('./commands/serve.ts')).registerServe,
  sft: async () => (await import('./commands/sft.ts')).registerSft,
  grpo: async () => (await import('./commands/grpo.ts')).registerGrpo,
  pipeline: async () => (await import('./commands/pipeline.ts')).registerPipeline,
  distill: async () => (await import('./commands/distill.ts')).registerDistill,
  traces: async () => (await import('./commands/traces.ts')).registerTraces,
  grade: async () => (await import('./commands/grade.ts')).registerGrade,
  init: async () => (await import('./commands/init.ts')).registerInit,
  plan: async () => (await import('./commands/plan.ts')).registerPlan,
  doctor: async () => (await import('./commands/doctor.ts')).registerDoctor,
  eval: async () => {
    const [
      { registerEval },
      { isModelPreset, makeSampler },
      { BACKEND_NAMES },
      { nodeTask },
      { checkpointChatTemplate },
    ] = await Promise.all([
      import('./commands/eval.ts'),
      import('./eval-sampler.ts'),
      import('./model-spec.ts'),
      import('./task-data.ts'),
      import('./chat-template.ts'),
    ]);
    return (program) =>
      registerEval(program, {
        makeSampler,
        getTask: (name) => nodeTask(name),
        chatTemplate: checkpointChatTemplate,
        isPreset: isModelPreset,
        backends: BACKEND_NAMES,
      });
  },
};

/** The program with the subcommand named in argv loaded (all of them for help or unknown names). */
export async function buildProgram(argv: string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('warmup')
    .description('Warm up small reasoning models on Knights & Knaves, then adapt them with GRPO.')
    .version(cliPackage.version, '-V, --version', 'print the version')
    .showHelpAfterError(false)
    .exitOverride()
    // The one thread-count setting is WARMUP_WASM_THREADS (packages/node reads it; processes a
    // command spawns inherit it): the flag sets it for this process, checked as the variable is.
    .option('--threads <n>', 'wasm backend threads, 1-8 (default: every core; or set WARMUP_WASM_THREADS)')
    .hook('preAction', async () => {
      const raw = program.opts<{ threads?: string }>().threads;
      if (raw === undefined) return;
      const { parseWasmThreads } = await import('@warmup/core');
      process.env.WARMUP_WASM_THREADS = String(parseWasmThreads(raw, '--threads'));
    });
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const versionOnly = argv.length > 2 && argv.slice(2).every((a) => a === '-V' || a === '--version');
  const wanted = name && name in COMMANDS ? [name] : versionOnly ? [] : Object.keys(COMMANDS);
  for (const register of await Promise.all(wanted.map((n) => COMMANDS[n]()))) register(program);
  prepareCommands(program);
  return program;
}

/** Commander applies exitOverride/output settings per command: copy them to every subcommand, so
 *  that runProgram sees every usage error. */
export function prepareCommands(c: Command): void {
  c.exitOverride();
  c.configureHelp({ showGlobalOptions: true });
  c.commands.forEach(prepareCommands);
}

export async function main(argv: string[]): Promise<void> {
  await runProgram(await buildProgram(argv), argv);
}

/** Parse and run; exit 0 for help/version, 2 for usage and input errors (one line), 1 otherwise. */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version are "errors" that exit 0
      if (e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
      process.exit(2); // commander already printed the one-line message
    }
    if (isInputError(e)) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exit(2);
    }
    const hint = environmentHint(
      e,
      argv.slice(2).find((a) => !a.startsWith('-')),
    );
    process.stderr.write(hint ? `error: ${hint}\n` : `${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  }
}
