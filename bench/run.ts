// `npm run bench -- NAME [--flags]`: runs one benchmark; each prints its figures beside a
// baseline measured in the same run, and ends with one JSON line.
import { argv, exit, stderr } from 'node:process';
import { UsageError } from './util.js';

const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  seed: () => import('./seed.js'),
  api: () => import('./api.js'),
  scan: () => import('./scan.js'),
  closures: () => import('./closures.js'),
  export: () => import('./export.js'),
  startup: () => import('./startup.js'),
  redact: () => import('./redact.js'),
  erasure: () => import('./erasure.js'),
};

const [name, ...rest] = argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  exit(2);
}
try {
  await (await load()).run(rest);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  stderr.write(`bench ${name}: ${error.message}\n`);
  exit(2);
}
