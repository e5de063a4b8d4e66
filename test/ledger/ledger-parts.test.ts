import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LedgerAccounts } from '../../src/adapters/ledger/ledger-accounts.js';
import { LedgerMovements } from '../../src/adapters/ledger/ledger-movements.js';
import { LedgerRecords } from '../../src/adapters/ledger/ledger-records.js';
import { LedgerStatus } from '../../src/adapters/ledger/ledger-status.js';
import { LedgerErasure } from '../../src/adapters/ledger/ledger-erasure.js';
import { LedgerTrading } from '../../src/adapters/ledger/ledger-trading.js';
import { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';

// The builtin ledger is split by concern behind one facade, `BuiltinLedger`: its callers
// see one class, and the parts stay free to move inside the ledger folder.
const PARTS = {
  LedgerAccounts,
  LedgerMovements,
  LedgerTrading,
  LedgerRecords,
  LedgerStatus,
  LedgerErasure,
};
const PART_FILES = [
  'ledger-core',
  'ledger-idempotency',
  'ledger-types',
  'ledger-accounts',
  'ledger-movements',
  'ledger-trading',
  'ledger-records',
  'ledger-status',
  'ledger-erasure',
];

function methods(type: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(type.prototype).filter((name) => name !== 'constructor');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the builtin ledger facade', () => {
  const root = new URL('../..', import.meta.url).pathname;

  it('offers every operation of every part, once', () => {
    // TypeScript's `private` leaves no trace at run time: a part's own helpers are named here.
    const helpers = new Set(['creditDeposit', 'moveBetween', 'setRecordStatus']);
    const offered = new Set(methods(BuiltinLedger));
    const problems: string[] = [];
    const owner = new Map<string, string>();
    for (const [part, type] of Object.entries(PARTS)) {
      for (const name of methods(type)) {
        if (owner.has(name)) problems.push(`${name} is in ${owner.get(name)} and ${part}`);
        owner.set(name, part);
        if (!helpers.has(name) && !offered.has(name))
          problems.push(`BuiltinLedger does not offer ${part}.${name}`);
      }
    }
    for (const name of offered)
      if (!owner.has(name)) problems.push(`BuiltinLedger.${name} comes from no part`);
    expect(problems).toEqual([]);
    expect(offered.size).toBe(owner.size - helpers.size);
  });

  it('is the only way in from outside the ledger folder', () => {
    const ledgerDir = join(root, 'src', 'adapters', 'ledger');
    const offenders: string[] = [];
    for (const file of [
      ...sourceFiles(join(root, 'src')),
      ...sourceFiles(join(root, 'test')),
      ...sourceFiles(join(root, 'bench')),
    ]) {
      if (file.startsWith(ledgerDir) || file === new URL(import.meta.url).pathname) continue;
      const text = readFileSync(file, 'utf8');
      for (const part of PART_FILES) {
        if (text.includes(`/ledger/${part}.js'`))
          offenders.push(`${relative(root, file)} imports ${part}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
