// `warmup serve`: an OpenAI-compatible HTTP endpoint over a model folder or preset, so any
// OpenAI client (and `warmup distill`) can sample from our models.
import type { Command } from 'commander';
import { parseIntFlag } from '../args.ts';
import { UsageError } from '../errors.ts';

interface RawFlags {
  model: string;
  port: string;
  host: string;
  backend: string;
  seed: string;
  name?: string;
  maxBodyBytes: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Serve a model over an OpenAI-compatible HTTP API (/v1/chat/completions, /v1/completions, /v1/models)')
    .requiredOption('--model <dir|preset>', 'model folder (config.json + safetensors + tokenizer) or preset name')
    .option('--port <p>', 'TCP port (0 = any free port)', '8000')
    .option('--host <h>', 'address to listen on', '127.0.0.1')
    .option('--backend <name>', 'auto | webgpu | wasm | cpu | tensorflow', 'auto')
    .option('--seed <s>', 'seed for initialising a preset', '0')
    .option('--name <id>', 'model id reported to clients (default: preset or folder name)')
    .option('--max-body-bytes <n>', 'largest accepted request body', String(4 * 1024 * 1024))
    .action(async (flags: RawFlags) => {
      const port = parseIntFlag('--port', flags.port, { min: 0, max: 65535 });
      const seed = parseIntFlag('--seed', flags.seed, { min: 0 });
      const maxBodyBytes = parseIntFlag('--max-body-bytes', flags.maxBodyBytes, { min: 1024 });
      const { resolveModel, useBackendFlag } = await import('../model-spec.ts');
      const { createServer } = await import('../serve/server.ts');
      const backend = await useBackendFlag(flags.backend);
      const { model, tokenizer, name, source } = await resolveModel(flags.model, { seed });
      if (!tokenizer) {
        model.dispose();
        throw new UsageError(`--model: ${name} has no tokenizer (tokenizer.json); serve needs one`);
      }
      const server = createServer({
        model,
        tokenizer,
        modelName: flags.name ?? name,
        maxBodyBytes,
        log: (l) => process.stderr.write(`${l}\n`),
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) =>
          reject(
            e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL'
              ? new UsageError(`--port/--host: cannot listen on ${flags.host}:${port} (${e.code})`)
              : e,
          ),
        );
        server.listen(port, flags.host, () => resolve());
      });
      const addr = server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
      process.stderr.write(`serving ${source} on backend ${backend}\n`);
      process.stdout.write(`listening on http://${host}:${actualPort}/v1\n`);
      const stop = (): void => {
        server.close();
        server.closeAllConnections();
        model.dispose();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>((resolve) => server.on('close', () => resolve()));
    });
}
