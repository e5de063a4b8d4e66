import { processIo } from '../adapters/cli/output.js';
import { runCli } from '../adapters/cli/program.js';
import { openContext } from './context.js';

// The `offboard` process: parse, run, and leave with the command's exit code.
const code = await runCli(process.argv.slice(2), { io: processIo, openContext });
process.exitCode = code;
