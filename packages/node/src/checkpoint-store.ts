// Checkpoints in a run folder: each save builds RUN_DIR/checkpoint in a temp folder and swaps it
// in with a rename, so a kill -9 at any moment leaves the previous checkpoint whole.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeCheckpoint, type CheckpointStore } from '@warmup/train';
import { recoverDirSwap } from './fs.ts';
import { folderSource, writeModelFolder } from './model-folder.ts';

export function folderStore(dir: string): CheckpointStore {
  return {
    async save(c, extra) {
      await writeModelFolder(dir, (sink) => writeCheckpoint(sink, c, extra));
    },
    async open() {
      recoverDirSwap(dir);
      return existsSync(path.join(dir, 'trainer_state.json')) ? folderSource(dir) : undefined;
    },
  };
}
