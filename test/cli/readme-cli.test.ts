import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * The README's CLI lines, pasted into a shell top to bottom on a fresh SQLite database,
 * all work: this runs them as written (the real binary, a real bash), in a scratch folder.
 * `npx offboard` is the built bin/offboard.js, so nothing is fetched.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/offboard.js');

/** Every line of the ```sh blocks from "## Using the CLI" on. */
function readmeLines(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const cli = readme.slice(readme.indexOf('## Using the CLI'));
  return [...cli.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '').split('\n').filter((line) => line.trim() !== ''),
  );
}

interface Ran {
  line: string;
  code: number;
  output: string;
}

function runAll(dir: string, lines: string[]): Promise<Ran[]> {
  writeFileSync(join(dir, 'lines.sh'), `${lines.join('\n')}\n`);
  // One shell for every line, so `export` carries over as it does for a reader.
  const script = [
    `npx() { if [ "$1" = offboard ]; then shift; node ${JSON.stringify(BIN)} "$@"; else echo "npx $1: not in this test" >&2; return 127; fi; }`,
    'while IFS= read -r line; do',
    '  eval "$line" > out.txt 2>&1 < /dev/null; code=$?',
    '  printf "@@@ %d\\n" "$code"; cat out.txt; printf "\\n"',
    'done < lines.sh',
  ].join('\n');
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', script],
      {
        cwd: dir,
        env: {
          PATH: process.env['PATH'],
          HOME: dir,
          OFFBOARD_DATABASE_URL: `sqlite:${join(dir, 'readme.db')}`,
        },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      },
      (error, stdout) => {
        if (error) return reject(error);
        const parts = stdout.split(/^@@@ /m).slice(1);
        resolve(
          parts.map((part, i) => ({
            line: lines[i] ?? '',
            code: Number(part.slice(0, part.indexOf('\n'))),
            output: part.slice(part.indexOf('\n') + 1),
          })),
        );
      },
    );
  });
}

describe("the README's CLI walkthrough", () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-readme-'));
  // The reader stands in the repository: the example policy is at hand.
  cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has only lines a reader can paste: no [optional] brackets, no placeholders', () => {
    for (const line of readmeLines()) {
      const command = line.replace(/\s+#.*$/, '');
      expect(command, line).toMatch(/^(npx offboard |export [A-Z_]+=)/);
      expect(command.replace(/"[^"]*"|'[^']*'/g, ''), line).not.toMatch(
        /\[|\]|\b(TOKEN|CODE|ID|FILE|ACCOUNT|URL|N|M|S)\b/,
      );
    }
  });

  it(
    'runs top to bottom on a fresh database, each line answering as its comment says',
    { timeout: 600_000 },
    async () => {
      const lines = readmeLines();
      const ran = await runAll(dir, lines);
      expect(ran).toHaveLength(lines.length);
      for (const { line, code, output } of ran) {
        const promised = /\(exit (\d+)\)/.exec(line)?.[1];
        // A negative answer (exit 1: not eligible) is a fine answer; anything else must be promised.
        if (promised !== undefined) expect(code, `${line}\n${output}`).toBe(Number(promised));
        else expect(code, `${line}\n${output}`).toBeLessThanOrEqual(1);
        expect(output, line).not.toMatch(
          /OFFBOARD_ERR_(USAGE|INTERNAL|UNKNOWN_ACCOUNT|SIGNING_KEY|DATABASE)/,
        );
      }
      const closeClean = ran.find((r) => r.line.startsWith('npx offboard close demo-clean'));
      expect(closeClean?.code).toBe(0);
      expect(ran.find((r) => r.line.startsWith('npx offboard verify-export'))?.output).toMatch(
        /: valid: /,
      );
    },
  );
});
