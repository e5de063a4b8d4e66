import {
  appendFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateSigningKey,
  publicKeyPem,
  signBytes,
} from '../../src/adapters/statements/signing-key.js';
import type { SigningKey } from '../../src/adapters/statements/signing-key.js';
import { exportStatements } from '../../src/adapters/statements/export-statements.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { openPlatformLedger, platformMatrix } from '../support/platforms.js';
import type { PlatformLedger } from '../support/platforms.js';
import { cli } from '../support/cli.js';

interface Verdict {
  ok: boolean;
  problems: { file: string; problem: string; detail: string }[];
}

// Every kind of tampering is found and named, through the CLI an auditor runs.
// Exports read from the builtin ledger, or from the sandbox platform over HTTP.
describe.each(platformMatrix())('verify-export [%s, %s]', (dialect, kind) => {
  let world: PlatformLedger;
  let platform: PlatformPort;
  let url: string;
  let key: SigningKey;
  let other: SigningKey;
  let work: string;
  let keyFile: string;
  let publicFile: string;
  let otherPublicFile: string;
  const clock = new FixedClock(new Date('2026-02-01T00:00:00Z'));
  let n = 0;

  beforeAll(async () => {
    world = await openPlatformLedger(dialect, kind, clock);
    url = world.offboardUrl;
    work = mkdtempSync(join(tmpdir(), 'offboard-verify-'));
    keyFile = join(work, 'platform.pem');
    key = await generateSigningKey(keyFile);
    other = await generateSigningKey(join(work, 'other.pem'));
    publicFile = join(work, 'platform.pub.pem');
    otherPublicFile = join(work, 'other.pub.pem');
    writeFileSync(publicFile, publicKeyPem(key.publicKey));
    writeFileSync(otherPublicFile, publicKeyPem(other.publicKey));
    const ledger = world.ledger;
    platform = world.platform;
    await ledger.createHolder({ id: 'h-v', name: 'Vera Verify', email: 'vera@example.test' });
    await ledger.openAccount({ id: 'acct-v', holderId: 'h-v', jurisdiction: 'GB' });
    for (let i = 1; i <= 20; i++) {
      clock.advance(60_000);
      await ledger.deposit('acct-v', 'GBP', BigInt(i * 100), { counterparty: `sender ${i}` });
    }
  });
  afterAll(async () => {
    await world.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  /** `offboard export ...` against this cell's platform. */
  const exportCli = (args: string[], env: Record<string, string> = {}) =>
    cli(['export', ...args, ...world.cliArgs], { ...env, ...world.cliEnv });

  async function freshExport(): Promise<string> {
    const out = join(work, `export-${++n}`);
    await exportStatements({ platform, clock, signingKey: key }, 'acct-v', { out });
    return out;
  }

  async function verify(
    dir: string,
    publicKey = publicFile,
  ): Promise<{ code: number; verdict: Verdict; text: string }> {
    const json = await cli(['verify-export', dir, '--public-key', publicKey, '--json']);
    const text = await cli(['verify-export', dir, '--public-key', publicKey]);
    expect(text.code).toBe(json.code);
    return { code: json.code, verdict: json.json<Verdict>(), text: text.stdout };
  }

  function flipByte(path: string, at: number): void {
    const bytes = readFileSync(path);
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(path, bytes);
  }

  it('accepts an untouched export (exit 0)', async () => {
    const { code, verdict, text } = await verify(await freshExport());
    expect(code).toBe(0);
    expect(verdict).toMatchObject({ ok: true, problems: [] });
    expect(text).toContain('valid: 3 files match manifest.json');
  });

  it.each(['statement.csv', 'statement.jsonl', 'statement.pdf'])(
    'names %s when one byte of it is flipped',
    async (file) => {
      const dir = await freshExport();
      const path = join(dir, file);
      flipByte(path, Math.floor(readFileSync(path).length / 2));
      const { code, verdict, text } = await verify(dir);
      expect(code).toBe(1);
      expect(verdict.problems).toEqual([expect.objectContaining({ file, problem: 'differs' })]);
      expect(text).toContain(`${file}: differs`);
    },
  );

  it('finds a flipped byte in the manifest itself (the signature no longer holds)', async () => {
    const dir = await freshExport();
    const manifest = join(dir, 'manifest.json');
    const text = readFileSync(manifest, 'utf8');
    writeFileSync(manifest, text.replace('"rows": 20', '"rows": 21'));
    const { code, verdict } = await verify(dir);
    expect(code).toBe(1);
    expect(verdict.problems.map((p) => [p.file, p.problem])).toContainEqual([
      'manifest.sig',
      'bad-signature',
    ]);
  });

  it('names a removed file', async () => {
    const dir = await freshExport();
    unlinkSync(join(dir, 'statement.jsonl'));
    const { code, verdict, text } = await verify(dir);
    expect(code).toBe(1);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ file: 'statement.jsonl', problem: 'missing' }),
    ]);
    expect(text).toContain('statement.jsonl: missing');
  });

  it('names an added file', async () => {
    const dir = await freshExport();
    writeFileSync(join(dir, 'notes.txt'), 'added later\n');
    const { code, verdict } = await verify(dir);
    expect(code).toBe(1);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ file: 'notes.txt', problem: 'extra' }),
    ]);
  });

  it('names a manifest signed by another key', async () => {
    const dir = await freshExport();
    writeFileSync(
      join(dir, 'manifest.sig'),
      `${signBytes(other, readFileSync(join(dir, 'manifest.json')))}\n`,
    );
    const { code, verdict } = await verify(dir);
    expect(code).toBe(1);
    expect(verdict.problems).toEqual([
      expect.objectContaining({ file: 'manifest.sig', problem: 'bad-signature' }),
    ]);
  });

  it("refuses the export under another party's public key", async () => {
    const { code, verdict } = await verify(await freshExport(), otherPublicFile);
    expect(code).toBe(1);
    expect(
      verdict.problems.every((p) => p.file === 'manifest.sig' && p.problem === 'bad-signature'),
    ).toBe(true);
    expect(verdict.problems.length).toBeGreaterThan(0);
  });

  it('reports every problem at once, and a missing manifest or signature', async () => {
    const dir = await freshExport();
    unlinkSync(join(dir, 'statement.csv'));
    appendFileSync(join(dir, 'statement.pdf'), '%% appended\n');
    writeFileSync(join(dir, 'extra.csv'), 'x\r\n');
    const all = await verify(dir);
    expect(all.verdict.problems.map((p) => [p.file, p.problem]).sort()).toEqual([
      ['extra.csv', 'extra'],
      ['statement.csv', 'missing'],
      ['statement.pdf', 'differs'],
    ]);
    unlinkSync(join(dir, 'manifest.sig'));
    expect((await verify(dir)).verdict.problems.map((p) => [p.file, p.problem])).toContainEqual([
      'manifest.sig',
      'missing',
    ]);
    unlinkSync(join(dir, 'manifest.json'));
    expect((await verify(dir)).verdict.problems.map((p) => [p.file, p.problem])).toContainEqual([
      'manifest.json',
      'missing',
    ]);
  });

  it('uses the public half of OFFBOARD_SIGNING_KEY when no --public-key is given', async () => {
    const dir = await freshExport();
    const result = await cli(['verify-export', dir, '--json'], {
      OFFBOARD_SIGNING_KEY: keyFile,
    });
    expect(result.code).toBe(0);
    const none = await cli(['verify-export', dir]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('OFFBOARD_ERR_SIGNING_KEY');
  });

  it('refuses a folder that is not empty unless --force, and needs a signing key', async () => {
    const dir = await freshExport();
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    const refused = await exportCli(['acct-v', '--db', url, '--out', dir], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('OFFBOARD_ERR_OUT_DIR_NOT_EMPTY');
    const forced = await exportCli(
      ['acct-v', '--db', url, '--out', dir, '--force', '--format', 'csv'],
      env,
    );
    expect(forced.code).toBe(0);
    expect((await verify(dir)).code).toBe(0);
    const keyless = await exportCli(['acct-v', '--db', url, '--out', join(work, 'keyless')]);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('OFFBOARD_ERR_SIGNING_KEY');
    const unknown = await exportCli(['nobody', '--db', url, '--out', join(work, 'unknown')], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('OFFBOARD_ERR_UNKNOWN_ACCOUNT');
    const badFormat = await exportCli(
      ['acct-v', '--db', url, '--out', join(work, 'bad'), '--format', 'xlsx'],
      env,
    );
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
  });

  it('generates a key once and never overwrites it', async () => {
    const file = join(work, `generated-${++n}.pem`);
    const first = await cli(['keys', 'generate', '--out', file, '--json']);
    expect(first.code).toBe(0);
    const { keyId, publicKey } = first.json<{ keyId: string; publicKey: string }>();
    expect(publicKey).toContain('BEGIN PUBLIC KEY');
    const again = await cli(['keys', 'generate', '--out', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('OFFBOARD_ERR_SIGNING_KEY');
    const shown = await cli(['keys', 'public', '--json'], { OFFBOARD_SIGNING_KEY: file });
    expect(shown.json<{ keyId: string }>().keyId).toBe(keyId);
  });
});
