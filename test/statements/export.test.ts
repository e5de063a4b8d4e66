import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltinLedger } from '../../src/adapters/ledger/ledger.js';
import { NO_PDF_FONTS, shippedPdfFonts } from '../../src/adapters/statements/pdf-text.js';
import { generateSigningKey } from '../../src/adapters/statements/signing-key.js';
import type { SigningKey } from '../../src/adapters/statements/signing-key.js';
import {
  exportStatements,
  statementsLibrary,
  verifyExport,
} from '../../src/adapters/statements/export-statements.js';
import type { ExportStatementsOptions } from '../../src/adapters/statements/export-statements.js';
import { FixedClock } from '../../src/ports/clock.js';
import type { PlatformPort } from '../../src/ports/platform.js';
import { openPlatformLedger, platformMatrix } from '../support/platforms.js';
import type { PlatformLedger } from '../support/platforms.js';
import { expectedRows, pdfPages, readCsvRows, readJsonlRows } from './helpers.js';
import { cli } from '../support/cli.js';

const HOUR = 3_600_000;
const ACCOUNT = 'acct-stmt';
const HOLDER = '王小明 Wang 🐋';
// 27 digits of an 18-decimal asset: past 64 bits, and past a double's 15-17 digits.
const BIG_ETH = 123_456_789_012_345_678_901_234_567n;
const FORMULAS = {
  '=HYPERLINK("http://evil.example","click")': '+1+2',
  '-2+3': '@SUM(A1:A9)',
  '\tTAB': '\rCR',
  "'quoted": 'comma, "quote"\nand a new line',
} as const;

// On http the statements are read page by page from the sandbox platform over HTTP; the
// ledger rows they must match are read from the sandbox's own database.
describe.each(platformMatrix())('statements export [%s, %s]', (dialect, kind) => {
  let world: PlatformLedger;
  let url: string;
  let ledger: BuiltinLedger;
  let platform: PlatformPort;
  let key: SigningKey;
  let work: string;
  let keyFile: string;
  const clock = new FixedClock(new Date('2025-03-01T09:00:00.000Z'));
  let midpoint: Date;
  let decimals: Map<string, number>;

  beforeAll(async () => {
    world = await openPlatformLedger(dialect, kind, clock);
    url = world.offboardUrl;
    work = mkdtempSync(join(tmpdir(), 'offboard-statements-'));
    keyFile = join(work, 'signing.pem');
    key = await generateSigningKey(keyFile);
    ledger = world.ledger;
    platform = world.platform;
    decimals = new Map((await ledger.assets()).map((a) => [a.code, a.decimals]));
    await ledger.createHolder({ id: 'h-stmt', name: HOLDER, email: 'wang@example.test' });
    await ledger.openAccount({
      id: ACCOUNT,
      holderId: 'h-stmt',
      jurisdiction: 'DE',
      openedAt: clock.now(),
    });
    const step = () => clock.advance(HOUR + 123);

    step();
    await ledger.deposit(ACCOUNT, 'USD', 100_00n, { counterparty: '北京银行 🏦 Bank of Beijing' });
    step();
    await ledger.deposit(ACCOUNT, 'ETH', BIG_ETH, {
      counterparty: 'Vitalik 🦄',
      reference: '以太坊 deposit',
    });
    step();
    await ledger.completeWithdrawal(
      await ledger.withdraw(ACCOUNT, 'ETH', 1n, { fee: 10n ** 15n, counterparty: 'cold wallet' }),
    );
    step();
    midpoint = clock.now();
    for (const [counterparty, reference] of Object.entries(FORMULAS)) {
      step();
      await ledger.deposit(ACCOUNT, 'USD', 1n, { counterparty, reference });
    }
    step();
    await ledger.withdraw(ACCOUNT, 'USD', 5_00n, { counterparty: 'pending-wallet' });
    step();
    await ledger.failWithdrawal(
      await ledger.withdraw(ACCOUNT, 'USD', 7_00n, { counterparty: 'failing-wallet' }),
    );
    step();
    await ledger.chargeFee(ACCOUNT, 'USD', 25n, { reference: 'monthly fee' });
    step();
    await ledger.completeDeposit(
      (await ledger.deposit(ACCOUNT, 'BTC', 50_000_000n, { pending: true })).transactionId,
    );
    step();
  });
  afterAll(async () => {
    await world.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  let outCount = 0;
  const outDir = () => join(work, `out-${++outCount}`);
  const run = (options: Partial<ExportStatementsOptions> = {}) =>
    exportStatements({ platform, clock, signingKey: key }, ACCOUNT, { out: outDir(), ...options });

  it('writes CSV and JSON Lines that read back as exactly the ledger rows, amounts and running balances', async () => {
    const result = await run();
    const ledgerRows = await ledger.transactions(ACCOUNT);
    const expected = expectedRows(ledgerRows, decimals);
    expect(expected.length).toBeGreaterThan(10);
    expect(readCsvRows(join(result.out, 'statement.csv'))).toEqual(expected);
    expect(readJsonlRows(join(result.out, 'statement.jsonl'))).toEqual(expected);
    expect(result.manifest.rows).toBe(expected.length);
    expect(result.manifest.files.map((f) => [f.name, f.rows])).toEqual([
      ['statement.csv', expected.length],
      ['statement.jsonl', expected.length],
      ['statement.pdf', expected.length],
    ]);
    expect(readdirSync(result.out).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'statement.csv',
      'statement.jsonl',
      'statement.pdf',
    ]);
    expect((await verifyExport(result.out, key.publicKey)).ok).toBe(true);
  });

  it("ends each asset's running balance at what `ledger balances` reports", async () => {
    const result = await run({ formats: ['jsonl'] });
    const rows = readJsonlRows(join(result.out, 'statement.jsonl'));
    const last = new Map(rows.map((r) => [r.asset, r.balance]));
    const reported = await cli(['ledger', 'balances', ACCOUNT, '--db', world.ledgerUrl, '--json']);
    expect(reported.code).toBe(0);
    const balances = reported.json<{ balances: { asset: string; total: string }[] }>().balances;
    expect(Object.fromEntries(last)).toEqual(
      Object.fromEntries(balances.map((b) => [b.asset, b.total])),
    );
    expect(result.manifest.balances.map((b) => [b.asset, b.closing])).toEqual(
      balances.map((b) => [b.asset, b.total]),
    );
  });

  it('keeps an 18-decimal amount exact past 64 bits', async () => {
    const result = await run({ formats: ['csv', 'jsonl'] });
    const exact = '123456789.012345678901234567';
    for (const rows of [
      readCsvRows(join(result.out, 'statement.csv')),
      readJsonlRows(join(result.out, 'statement.jsonl')),
    ]) {
      const eth = rows.filter((r) => r.asset === 'ETH');
      expect(eth.map((r) => [r.amount, r.fee, r.balance])).toEqual([
        [exact, '0.000000000000000000', exact],
        ['-0.000000000000000001', '0.001000000000000000', '123456789.011345678901234566'],
      ]);
    }
    expect(readFileSync(join(result.out, 'statement.jsonl'), 'utf8')).toContain(
      `"amount":"${exact}"`,
    );
  });

  it('neutralises cells a spreadsheet would run as formulas, and reads them back exactly', async () => {
    const result = await run({ formats: ['csv'] });
    const raw = readFileSync(join(result.out, 'statement.csv'), 'utf8');
    expect(raw).toContain(`,"'=HYPERLINK(""http://evil.example"",""click"")",'+1+2,`);
    expect(raw).toContain(",'-2+3,'@SUM(A1:A9)");
    expect(raw).toContain(`,'\tTAB,"'\rCR"`);
    expect(raw).toContain(`,''quoted,"comma, ""quote""\nand a new line"`);
    // Negative amounts are numbers, not formulas: they stay as they are.
    expect(raw).toMatch(/,-5\.00,0\.00,pending,pending-wallet,/);
    const rows = readCsvRows(join(result.out, 'statement.csv'));
    for (const [counterparty, reference] of Object.entries(FORMULAS)) {
      expect(rows.some((r) => r.counterparty === counterparty && r.reference === reference)).toBe(
        true,
      );
    }
  });

  it('carries Chinese and emoji through CSV, JSON Lines and the PDF', async () => {
    const result = await run();
    for (const name of ['statement.csv', 'statement.jsonl']) {
      const text = readFileSync(join(result.out, name), 'utf8');
      expect(text).toContain('北京银行 🏦 Bank of Beijing');
      expect(text).toContain('Vitalik 🦄');
      expect(text).toContain('以太坊 deposit');
    }
    const pdf = (await pdfPages(join(result.out, 'statement.pdf'))).join('\n');
    expect(pdf).toContain(HOLDER);
    expect(pdf).toContain('北京银行 🏦 Bank of Beijing');
    expect(pdf).toContain('Vitalik 🦄');
    expect(pdf).toContain('以太坊 deposit');
    expect(result.pdf?.replacedCharacters).toBe(0);
  });

  it('still writes the PDF without CJK and emoji fonts, replacing what it cannot show', async () => {
    const result = await run({ formats: ['pdf'], pdfFonts: NO_PDF_FONTS });
    const pdf = (await pdfPages(join(result.out, 'statement.pdf'))).join('\n');
    expect(pdf).toContain('??? Wang ?');
    expect(pdf).toContain('???? ? Bank of Beijing');
    expect(result.pdf?.replacedCharacters).toBeGreaterThan(0);
    expect((await verifyExport(result.out, key.publicKey)).ok).toBe(true);
  });

  it("embeds the fonts offboard ships, not the host's, and replaces only what none of them has", async () => {
    const account = 'acct-scripts';
    await ledger.openAccount({ id: account, holderId: 'h-stmt', jurisdiction: 'DE' });
    // 𠮷 (CJK extension B) is in no shipped font; the check mark is in the CJK font only,
    // which shows it although it is not a CJK character.
    await ledger.deposit(account, 'USD', 1_00n, {
      counterparty: 'Őrs 𠮷野家 Жанна Ωμέγα ✓',
      reference: '张伟 💸',
    });
    const result = await exportStatements({ platform, clock, signingKey: key }, account, {
      out: outDir(),
      formats: ['pdf'],
    });
    const file = join(result.out, 'statement.pdf');
    const pdf = (await pdfPages(file)).join('\n');
    expect(pdf).toContain(HOLDER);
    expect(pdf).toContain('Őrs ?野家 Жанна Ωμέγα ✓');
    expect(pdf).toContain('张伟 💸');
    expect(result.pdf?.replacedCharacters).toBe(1);
    const bytes = readFileSync(file).toString('latin1');
    expect(bytes).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular\b/);
    expect(bytes).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoEmoji-Regular\b/);
    expect(bytes).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSans-Regular\b/);
    // Subsets of the glyphs used, not the fonts' 12 MB.
    expect(bytes.length).toBeLessThan(40_000);
  });

  it('puts holder, account, period and balances on page 1 and the statement hash and page number on every page', async () => {
    const many = 'acct-many';
    await ledger.openAccount({ id: many, holderId: 'h-stmt', jurisdiction: 'DE' });
    for (let i = 0; i < 130; i++)
      await ledger.deposit(many, 'USD', BigInt(i + 1), { counterparty: `payer ${i}` });
    const result = await exportStatements({ platform, clock, signingKey: key }, many, {
      out: outDir(),
      formats: ['pdf'],
    });
    const pages = await pdfPages(join(result.out, 'statement.pdf'));
    expect(pages.length).toBe(result.pdf?.pages);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[0]).toContain(HOLDER);
    expect(pages[0]).toContain(many);
    expect(pages[0]).toMatch(/Period:\s+the beginning of the history to the time of generation/);
    expect(pages[0]).toMatch(/USD\s+0\.00\s+85\.15/);
    pages.forEach((page, i) => {
      expect(page).toContain(result.manifest.statementSha256);
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
    });
    const rowsShown = pages.join('\n').match(/ deposit +USD /g) ?? [];
    expect(rowsShown.length).toBe(130);
  });

  it('starts a period at its opening balance', async () => {
    const result = await run({ from: midpoint, formats: ['csv', 'pdf'] });
    const all = await ledger.transactions(ACCOUNT);
    const before = all.filter((t) => t.createdAt < midpoint);
    const opening = new Map<string, bigint>();
    for (const t of before)
      if (t.status === 'completed')
        opening.set(t.asset, (opening.get(t.asset) ?? 0n) + t.amount - t.fee);
    const inPeriod = all.filter((t) => t.createdAt >= midpoint);
    expect(readCsvRows(join(result.out, 'statement.csv'))).toEqual(
      expectedRows(inPeriod, decimals, opening),
    );
    expect(result.manifest.period.from).toBe(midpoint.toISOString());
    const usd = result.manifest.balances.find((b) => b.asset === 'USD');
    expect(usd?.opening).toBe('100.00');
    // An asset with an opening balance and no row in the period is still listed.
    expect(result.manifest.balances.find((b) => b.asset === 'ETH')?.opening).toBe(
      '123456789.011345678901234566',
    );
    expect((await pdfPages(join(result.out, 'statement.pdf')))[0]).toMatch(/USD\s+100\.00\s+/);
  });

  it('writes valid empty files for an empty period', async () => {
    const result = await run({
      from: new Date('2020-01-01T00:00:00Z'),
      to: new Date('2020-02-01T00:00:00Z'),
    });
    expect(readFileSync(join(result.out, 'statement.csv'), 'utf8')).toBe(
      'id,instant,type,asset,amount,fee,status,counterparty,reference,balance\r\n',
    );
    expect(statSync(join(result.out, 'statement.jsonl')).size).toBe(0);
    expect(result.manifest.rows).toBe(0);
    expect(result.manifest.balances).toEqual([]);
    const pages = await pdfPages(join(result.out, 'statement.pdf'));
    expect(pages.length).toBe(1);
    expect(pages[0]).toContain('No transactions in this period.');
    expect((await verifyExport(result.out, key.publicKey)).ok).toBe(true);
  });

  it('leaves nothing behind when an export fails half-way', async () => {
    const out = outDir();
    // A CJK font that cannot be read: page 1 (the holder's Chinese name) fails to render.
    const broken = { ...shippedPdfFonts(), cjk: { path: join(work, 'no-such-font.ttf') } };
    await expect(run({ out, pdfFonts: broken })).rejects.toMatchObject({
      code: 'OFFBOARD_ERR_INVALID_ARGUMENT',
      message: expect.stringContaining("the PDF's cjk font"),
    });
    expect(readdirSync(out)).toEqual([]);
    // The folder is still empty, so the next export may use it.
    expect((await run({ out, formats: ['csv'] })).manifest.files.map((f) => f.name)).toEqual([
      'statement.csv',
    ]);
  });

  it('exports and verifies through the library, with OFFBOARD_SIGNING_KEY', async () => {
    const statements = statementsLibrary({ platform, clock }, { OFFBOARD_SIGNING_KEY: keyFile });
    const out = outDir();
    const result = await statements.exportStatements(ACCOUNT, {
      formats: ['jsonl'],
      from: midpoint,
      out,
    });
    expect(result.manifest.keyId).toBe(key.keyId);
    expect(result.manifest.rows).toBe(
      (await ledger.transactions(ACCOUNT)).filter((t) => t.createdAt >= midpoint).length,
    );
    expect(await statements.verifyExport(out)).toMatchObject({ ok: true, problems: [] });
  });

  it('refuses impossible dates in --from and --to through the CLI, naming the option', async () => {
    const out = outDir();
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    for (const [args, option, why] of [
      [['--from', '2026-02-30'], '--from', 'February 2026 has 28 days, not 30'],
      [
        ['--from', '2024-02-29', '--to', '2025-02-29T00:00:00Z'],
        '--to',
        'February 2025 has 28 days, not 29',
      ],
      [['--to', '2026-01-01T23:59:60Z'], '--to', 'not a time of day'],
    ] as const) {
      const result = await cli(
        ['export', ACCOUNT, '--db', url, '--out', out, ...args, ...world.cliArgs],
        { ...env, ...world.cliEnv },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('OFFBOARD_ERR_INVALID_ARGUMENT');
      expect(result.stderr).toContain(`${option}: "`);
      expect(result.stderr).toContain(why);
    }
    expect(existsSync(out)).toBe(false);
  });

  it('exports through the CLI and verifies with the public key', async () => {
    const out = outDir();
    const env = { OFFBOARD_SIGNING_KEY: keyFile };
    const exported = await cli(
      [
        'export',
        ACCOUNT,
        '--db',
        url,
        '--out',
        out,
        '--format',
        'csv,jsonl',
        '--json',
        ...world.cliArgs,
      ],
      { ...env, ...world.cliEnv },
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const manifest = exported.json<{ manifest: { files: { name: string }[]; keyId: string } }>()
      .manifest;
    expect(manifest.files.map((f) => f.name)).toEqual(['statement.csv', 'statement.jsonl']);
    expect(manifest.keyId).toBe(key.keyId);
    const pem = join(work, `public-${outCount}.pem`);
    const publicKey = await cli(['keys', 'public'], env);
    expect(publicKey.stdout).toContain('BEGIN PUBLIC KEY');
    writeFileSync(pem, publicKey.stdout);
    const verified = await cli(['verify-export', out, '--public-key', pem]);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('valid');
  });
});
