import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.js';

// Every command that takes a duration reads it through one parser, so a wrong one is
// refused alike everywhere: the option, what was given, and why.
describe('duration options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-options-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const db = `sqlite:${join(dir, 'options.db')}`;

  const commands: [string, string[]][] = [
    ['--grace', ['close', 'demo-clean', '--db', db, '--grace', 'VALUE']],
    ['--grace', ['demo', '--grace', 'VALUE']],
    ['--ttl', ['demo', '--ttl', 'VALUE']],
    ['--ttl', ['token', 'holder', 'demo-clean', '--db', db, '--ttl', 'VALUE']],
    ['--ttl', ['token', 'agent', 'agent-ada', '--roles', 'support', '--db', db, '--ttl', 'VALUE']],
    ['--lease', ['work', '--once', '--db', db, '--lease', 'VALUE']],
    ['--poll', ['work', '--once', '--db', db, '--poll', 'VALUE']],
  ];

  it.each(commands)(
    '%s of `%s` refuses a value that is no duration, in the one wording',
    async (option, args) => {
      for (const [value, reason] of [
        [
          '7 parsecs',
          'write a whole number and a unit (s, m, h, d or y), e.g. 30s, 90m, 24h, 7d, 5y',
        ],
        ['1.5h', 'use a whole number of a smaller unit, e.g. 90m rather than 1.5h'],
        ['10', 'add a unit: s, m, h, d or y'],
      ] as const) {
        const out = await cli(args.map((a) => (a === 'VALUE' ? value : a)));
        expect(out.code).toBe(2);
        expect(out.stderr).toContain(
          `OFFBOARD_ERR_INVALID_ARGUMENT: ${option} must be a duration, got "${value}": ${reason}`,
        );
        expect(out.stdout).toBe('');
      }
    },
  );

  it('refuses a token lifetime of 0', async () => {
    for (const args of [['demo'], ['token', 'holder', 'demo-clean', '--db', db]]) {
      const out = await cli([...args, '--ttl', '0']);
      expect(out.code).toBe(2);
      expect(out.stderr).toContain(
        'OFFBOARD_ERR_INVALID_ARGUMENT: --ttl must be a duration longer than 0, got "0"',
      );
    }
  });
});

// Options are typed by commander's extra typings: a command reads `opts.grace` as it was
// declared, never `opts['grace']` as unknown.
describe('CLI option reads', () => {
  it('are typed in every command', async () => {
    const roots = ['src/adapters/cli', 'src/adapters/webhooks'];
    const offenders: string[] = [];
    for (const root of roots) {
      for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
        const path = join(entry.parentPath, entry.name);
        const text = await readFile(path, 'utf8');
        if (/\bopts\[['"]/.test(text)) offenders.push(path);
        if (/from 'commander'/.test(text)) offenders.push(`${path} (imports untyped commander)`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
