// Reading input files for the CLI: missing or unreadable files become UsageErrors naming the path.
import { readFileSync, statSync } from 'node:fs';
import { decodeUtf8, parseJsonl, type JsonlRecord } from '@warmup/tasks';
import { UsageError } from './errors.ts';

export function readBinaryFile(flag: string, file: string): Uint8Array {
  let st;
  try {
    st = statSync(file);
  } catch {
    throw new UsageError(`${flag}: no such file: ${file}`);
  }
  if (!st.isFile()) throw new UsageError(`${flag}: not a file: ${file}`);
  return readFileSync(file);
}

export function readTextFile(flag: string, file: string): string {
  return decodeUtf8(readBinaryFile(flag, file), file);
}

export function readJsonlFile(flag: string, file: string): JsonlRecord[] {
  return parseJsonl(readTextFile(flag, file), file);
}
