// Node adapters for model files: a folder as a ModelSource (positional reads, no whole-file
// buffering) and a ModelSink that writes into a temp folder and renames it into place.
import { promises as fsp, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, type ModelSink, type ModelSource } from '@warmup/core';
import { replaceDirAtomic } from './fs.ts';

export function folderSource(dir: string): ModelSource {
  if (!existsSync(dir)) throw new CheckpointError(`model folder not found: ${dir}`);
  if (!statSync(dir).isDirectory()) throw new CheckpointError(`not a folder: ${dir}`);
  const full = (name: string): string => path.join(dir, name);
  return {
    location: dir,
    async has(name) {
      return existsSync(full(name));
    },
    async readText(name) {
      try {
        return await fsp.readFile(full(name), 'utf8');
      } catch {
        throw new CheckpointError(`${dir}: cannot read ${name}`);
      }
    },
    async open(name) {
      let size: number;
      try {
        size = (await fsp.stat(full(name))).size;
      } catch {
        throw new CheckpointError(`${dir}: missing file ${name}`);
      }
      return {
        name,
        size,
        async read(offset, length) {
          const fh = await fsp.open(full(name), 'r');
          try {
            const buf = new Uint8Array(length);
            const { bytesRead } = await fh.read(buf, 0, length, offset);
            if (bytesRead !== length)
              throw new CheckpointError(
                `${full(name)}: truncated (wanted ${length} bytes at ${offset}, got ${bytesRead})`,
              );
            return buf;
          } finally {
            await fh.close();
          }
        },
      };
    },
  };
}

/** Write a whole model folder atomically: `fill` writes into a sink over a temp folder, which
 *  replaces `dir` only once everything is written. */
export async function writeModelFolder(dir: string, fill: (sink: ModelSink) => Promise<void>): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    const sink: ModelSink = {
      async writeText(name, text) {
        await fsp.writeFile(path.join(tmp, name), text);
      },
      async writeChunks(name, chunks) {
        const fh = await fsp.open(path.join(tmp, name), 'w');
        try {
          for await (const c of chunks) await fh.write(c);
          await fh.sync();
        } finally {
          await fh.close();
        }
      },
    };
    await fill(sink);
  });
}
