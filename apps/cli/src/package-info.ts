// The CLI's own package.json: its version for `warmup --version` and the Node range for `doctor`.
import { readFileSync } from 'node:fs';

export const cliPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
  engines: { node: string };
};
