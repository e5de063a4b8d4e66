import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import type { CliIo } from './output.js';

export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

/** A progress bar on a terminal; silence when output goes to a file or a script. */
export function startProgress(io: CliIo, label: string, total: number, quiet: boolean): Progress {
  if (!io.interactive || quiet) return { update: () => undefined, stop: () => undefined };
  // Loaded only when a bar is drawn: scripts and `--help` never pay for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '' });
  return {
    update: (done, extra) => bar.update(done, extra ?? {}),
    stop: () => bar.stop(),
  };
}
