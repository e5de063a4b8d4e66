import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY, YEAR } from '../domain/duration.js';
import {
  DEFAULT_POLICY,
  DEFAULT_POLICY_DOCUMENT,
  policyFor,
  retentionFor,
} from '../domain/policy.js';
import { loadPolicy, loadPolicyFile, MAX_POLICY_BYTES, parsePolicyText } from './policy-file.js';
import type { PolicyFileResult } from './policy-file.js';

const EXAMPLE = new URL('../../examples/policy.yaml', import.meta.url).pathname;

function texts(result: PolicyFileResult): string[] {
  if (result.ok) throw new Error('expected errors');
  return result.errors.map((e) => e.text);
}

describe('parsePolicyText', () => {
  it('names the file, the line and the path of each error', () => {
    const text = [
      'referenceCurrency: USD', // 1
      'closure:', // 2
      '  requireReauthentication: true', // 3
      '  gracePeriod: 7 parsecs', // 4
      'consent:', // 5
      '  revocableAuthorizationKinds:', // 6
      '    - oauth', // 7
      '    - oauth2', // 8
      'jurisdictions:', // 9
      '  DE:', // 10
      '    closure:', // 11
      '      gracePeriod: 10d', // 12
      '      gracePeriods: 10d', // 13
      '  de: {}', // 14
    ].join('\n');
    const result = parsePolicyText(text, 'policy.yaml');
    expect(texts(result)).toEqual([
      'policy.yaml:4: closure.gracePeriod: "7 parsecs" is not a duration; use e.g. 7d',
      'policy.yaml:8: consent.revocableAuthorizationKinds[1]: "oauth2" is not an authorization kind; use one of oauth, linked_platform, subscription, direct_debit',
      'policy.yaml:13: jurisdictions.DE.closure.gracePeriods: unknown key; did you mean gracePeriod?',
      'policy.yaml:14: jurisdictions.de: "de" is not a jurisdiction; use two uppercase letters (ISO 3166 alpha-2), e.g. DE',
    ]);
    if (!result.ok) {
      expect(result.errors[0]).toMatchObject({
        file: 'policy.yaml',
        line: 4,
        path: 'closure.gracePeriod',
      });
    }
  });

  it('reports YAML syntax errors with their line', () => {
    const result = parsePolicyText('closure:\n  gracePeriod: 7d\n    oops: [\n', 'bad.yaml');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors.length).toBeGreaterThan(0);
      for (const error of result.errors) {
        expect(error.text).toMatch(/^bad\.yaml:\d+: YAML syntax error: /);
        expect(error.line).toBeGreaterThanOrEqual(2);
        expect(error.text).not.toContain('\n');
      }
    }
  });

  it('reports a duplicate key as an error, not a silent overwrite', () => {
    expect(
      texts(parsePolicyText('dustThreshold: "1.00"\ndustThreshold: "2.00"\n', 'p.yaml'))[0],
    ).toMatch(/^p\.yaml:2: YAML syntax error: .*unique/i);
  });

  it('refuses an unquoted fractional amount, which YAML reads as a float', () => {
    expect(texts(parsePolicyText('\n\ndustThreshold: 0.10\n', 'p.yaml'))).toEqual([
      'p.yaml:3: dustThreshold: 0.1 is a YAML number, which is not exact for money; write it in quotes, e.g. "1.00"',
    ]);
  });

  it('points a root error at line 1', () => {
    expect(texts(parsePolicyText('- a\n- b\n', 'p.yaml'))[0]).toMatch(
      /^p\.yaml:1: \(root\): the policy must be a mapping/,
    );
  });

  it('finds paths through aliases', () => {
    const text = 'x-base: &base\n  gracePeriod: 7 parsecs\nclosure: *base\n';
    expect(texts(parsePolicyText(text, 'p.yaml'))).toEqual([
      'p.yaml:1: x-base: unknown key; the keys here are referenceCurrency, referenceDecimals, support, prices, dustThreshold, coolingOff, closure, consent, disable, retention, retentionDefaults, jurisdictions',
      'p.yaml:2: closure.gracePeriod: "7 parsecs" is not a duration; use e.g. 7d',
    ]);
  });

  it('refuses an alias bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++)
      lines.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(texts(parsePolicyText(lines.join('\n'), 'bomb.yaml'))).toEqual([
      expect.stringMatching(
        /^bomb\.yaml:1: the policy expands YAML aliases \(\*name\) too many times; at most 100/,
      ),
    ]);
  });

  it('refuses text over the size limit before parsing it', () => {
    const text = `# ${'x'.repeat(MAX_POLICY_BYTES)}\n`;
    expect(texts(parsePolicyText(text, 'big.yaml'))).toEqual([
      expect.stringMatching(/^big\.yaml: the policy file is larger than the limit of 1024 KiB/),
    ]);
  });

  it('takes an empty file as the defaults', () => {
    const result = parsePolicyText('# nothing here\n', 'empty.yaml');
    expect(result.ok && result.policy.base).toEqual(DEFAULT_POLICY);
  });
});

describe('examples/policy.yaml', () => {
  it('is valid and sets the overrides it documents', () => {
    const result = loadPolicyFile(EXAMPLE);
    if (!result.ok) throw new Error(texts(result).join('\n'));
    expect(result.source).toBe(EXAMPLE);
    expect([...result.policy.jurisdictions.keys()].sort()).toEqual(['DE', 'GB', 'US']);
    const de = policyFor(result.policy, 'DE');
    expect(retentionFor(result.policy, 'DE')?.transactionsMs).toBe(10 * YEAR);
    expect(retentionFor(result.policy, 'DE')?.identityMs).toBe(5 * YEAR);
    expect(de.closure.gracePeriodMs).toBe(14 * DAY);
    expect(policyFor(result.policy, 'GB').dustThresholdMinor).toBe(50n);
    expect(policyFor(result.policy, 'US').consent.revocableAuthorizationKinds).toContain(
      'direct_debit',
    );
    expect(retentionFor(result.policy, 'FR')?.transactionsMs).toBe(5 * YEAR);
  });

  it('spells out the defaults for everything the base sets', () => {
    const result = loadPolicyFile(EXAMPLE);
    if (!result.ok) throw new Error(texts(result).join('\n'));
    expect({ ...result.policy.base, prices: DEFAULT_POLICY.prices }).toEqual(DEFAULT_POLICY);
  });
});

describe('loadPolicy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'offboard-policy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('refuses a 50 MB file at once, without reading it whole', () => {
    const path = write('huge.yaml', `dustThreshold: 1.00\n# ${'x'.repeat(50 * 1024 * 1024)}\n`);
    const result = loadPolicyFile(path);
    expect(result.ok).toBe(false);
    expect(texts(result)).toEqual([
      `${path}: the policy file is larger than the limit of 1024 KiB (a policy is a few kilobytes: is this the right file?)`,
    ]);
  });

  it('reads a file just under the limit', () => {
    const comment = `# ${'x'.repeat(MAX_POLICY_BYTES - 100)}\n`;
    const result = loadPolicyFile(write('padded.yaml', `${comment}dustThreshold: 2.00\n`));
    expect(result.ok).toBe(true);
  });

  it('uses the built-in defaults when neither --policy nor OFFBOARD_POLICY is set', () => {
    expect(loadPolicy({ env: {} })).toEqual({
      ok: true,
      policy: DEFAULT_POLICY_DOCUMENT,
      source: null,
    });
    expect(loadPolicy({ env: { OFFBOARD_POLICY: '' } })).toEqual({
      ok: true,
      policy: DEFAULT_POLICY_DOCUMENT,
      source: null,
    });
  });

  it('reads OFFBOARD_POLICY, and --policy before it', () => {
    const fromEnv = write('env.yaml', 'closure:\n  gracePeriod: 2d\n');
    const fromFlag = write('flag.yaml', 'closure:\n  gracePeriod: 3d\n');
    const env = { OFFBOARD_POLICY: fromEnv };
    const viaEnv = loadPolicy({ env });
    expect(viaEnv.ok && [viaEnv.source, viaEnv.policy.base.closure.gracePeriodMs]).toEqual([
      fromEnv,
      2 * DAY,
    ]);
    const viaFlag = loadPolicy({ file: fromFlag, env });
    expect(viaFlag.ok && [viaFlag.source, viaFlag.policy.base.closure.gracePeriodMs]).toEqual([
      fromFlag,
      3 * DAY,
    ]);
  });

  it('names a file it cannot read', () => {
    const missing = join(dir, 'missing.yaml');
    const result = loadPolicy({ file: missing, env: {} });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatchObject({ file: missing, line: null, path: null });
      expect(result.errors[0]?.text).toMatch(
        new RegExp(
          `^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the policy file: .*ENOENT`,
        ),
      );
    }
  });

  it('names the file as given in every error', () => {
    const path = write('broken.yaml', 'retention:\n  DE:\n    identity: forever\n');
    expect(texts(loadPolicyFile(path))).toEqual([
      `${path}:3: retention.DE.identity: "forever" is not a duration; use e.g. 5y`,
    ]);
  });
});
