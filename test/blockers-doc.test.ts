import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BLOCKER_CODES, SEVERITIES } from '../src/domain/eligibility.js';

// docs/blockers.md is the public reference of blocker codes: every code in it exists, every
// code exists in it, in the order the verdict reports them, with real severities.
describe('docs/blockers.md', () => {
  const doc = readFileSync(new URL('../docs/blockers.md', import.meta.url), 'utf8');
  const rows = [...doc.matchAll(/^\| `([a-z_]+)` +\| ([^|]+?) +\|[^|]+\| `([a-z_]+)` +\|$/gm)].map(
    (m) => ({
      code: m[1]!,
      severities: m[2]!.split(' or ').map((s) => s.trim()),
      action: m[3]!,
    }),
  );

  it('documents every code, in the order blockers are reported', () => {
    expect(rows.map((r) => r.code)).toEqual([...BLOCKER_CODES]);
  });

  it('documents no code the engine lacks', () => {
    for (const row of rows) expect(BLOCKER_CODES as readonly string[]).toContain(row.code);
  });

  it('names only real severities', () => {
    for (const row of rows)
      for (const severity of row.severities)
        expect(SEVERITIES as readonly string[]).toContain(severity);
  });
});
