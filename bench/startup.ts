// `npm run bench -- startup [--runs N]`: how long the CLI takes to start, beside a bare
// `node -e 0` measured in the same run. `offboard --help` should load no database or HTTP
// stack (aim: at most 3x node); `offboard check demo-clean` loads what a check needs.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, flag, line, percentile, round, scratchDir } from './util.js';

function timeOnce(args: string[], env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0 && result.status !== 1)
    throw new Error(`${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return ms;
}

/** The median of `runs` alternating samples of each command, so load drifts hit all alike. */
function medians(
  commands: Record<string, string[]>,
  runs: number,
  env: NodeJS.ProcessEnv,
): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(commands).map((k) => [k, []]),
  );
  for (let i = 0; i < runs; i++)
    for (const [name, args] of Object.entries(commands)) samples[name]!.push(timeOnce(args, env));
  return Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [
      name,
      percentile(
        [...s].sort((a, b) => a - b),
        50,
      ),
    ]),
  );
}

export async function run(args: string[]): Promise<void> {
  const runs = flag(args, 'runs', 15);
  const dir = scratchDir('startup');
  try {
    const env = { ...process.env, OFFBOARD_DATABASE_URL: `sqlite:${join(dir, 'startup.db')}` };
    const seeded = spawnSync(
      process.execPath,
      [CLI, 'seed', '--scenarios', '--whale-transactions', '10'],
      { env, encoding: 'utf8' },
    );
    if (seeded.status !== 0) throw new Error(`seeding failed: ${seeded.stderr}`);
    const m = medians(
      { node: ['-e', '0'], help: [CLI, '--help'], check: [CLI, 'check', 'demo-clean'] },
      runs,
      env,
    );
    const helpRatio = m['help']! / m['node']!;
    const checkRatio = m['check']! / m['node']!;
    line('node -e 0 (baseline)', `${round(m['node']!, 1)} ms`);
    line(
      'offboard --help',
      `${round(m['help']!, 1)} ms  (${round(helpRatio, 2)} x node; aim <= 3)`,
    );
    line(
      'offboard check demo-clean',
      `${round(m['check']!, 1)} ms  (${round(checkRatio, 2)} x node)`,
    );
    process.stdout.write(
      `${JSON.stringify({ bench: 'startup', runs, nodeMs: round(m['node']!, 1), helpMs: round(m['help']!, 1), checkMs: round(m['check']!, 1), helpRatio: round(helpRatio, 3), checkRatio: round(checkRatio, 3) })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
