import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXIT_CODES } from '../src/adapters/cli/exit-codes.js';
import { ERROR_CATALOGUE } from '../src/domain/errors.js';

// docs/errors.md is the users' reference: every code in it exists, every code exists in it,
// and the exit status it states is the one the CLI uses.
describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
  const documented = new Map(
    [...doc.matchAll(/^\|\s*`(OFFBOARD_ERR_[A-Z_]+)`\s*\|\s*(\d+)\s*\|/gm)].map((m) => [
      m[1]!,
      Number(m[2]),
    ]),
  );

  it('documents every code of the catalogue with its exit code', () => {
    for (const code of Object.keys(ERROR_CATALOGUE)) {
      expect(documented.has(code), `${code} is missing from docs/errors.md`).toBe(true);
      expect(documented.get(code), `${code}'s exit code in docs/errors.md`).toBe(
        EXIT_CODES[code as keyof typeof EXIT_CODES],
      );
    }
  });

  it('documents no code the catalogue lacks', () => {
    for (const code of documented.keys()) expect(Object.keys(ERROR_CATALOGUE)).toContain(code);
  });
});
