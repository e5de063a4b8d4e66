import { processIo } from '../adapters/cli/output.js';
import { runCli } from '../adapters/cli/program.js';

// A reader that stops early (`offboard accounts list | head`) is not an error: stop quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

// The `offboard` process: parse, run, and leave with the command's exit code.
// The composition root (database drivers, Kysely) loads only when a command opens it.
const code = await runCli(process.argv.slice(2), {
  io: processIo,
  openContext: async (options) => (await import('./context.js')).openContext(options),
});
process.exitCode = code;
