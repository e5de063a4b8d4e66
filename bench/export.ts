import { spawnSync } from 'node:child_process';
import { createReadStream, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { generateSigningKey } from '../src/adapters/statements/signing-key.js';
import { openDatabase } from '../src/adapters/store/database.js';
import { CLI, flag, line, round, scratchDir } from './util.js';

/*
 * Export: `offboard export demo-whale --format csv` (the real CLI, wall time, a million
 * transactions by default) against the sqlite3 command-line shell writing the same
 * columns of the same rows to CSV from the same database file: instants as ISO 8601,
 * amounts, fees and running balances as exact decimals, computed in SQL (a window sum). The
 * two files are then compared cell by cell (the shell quotes more cells than it must, so
 * the bytes differ): when every cell is equal, the baseline did all the work offboard did.
 * Then the other formats of the same history, each alone (JSON Lines, the PDF), and all
 * three at once, as `offboard export` does by default: wall time and the process's peak
 * RSS of each, which must stay under 150 MB whatever the format and the history's length.
 */

/** The aims: CSV in at most 0.6 x the shell's time; every format under 150 MB. */
const CSV_RATIO_AIM = 0.6;
const PEAK_RSS_AIM_MB = 150;

interface ExportJson {
  seconds: number;
  rowsPerSecond: number;
  maxRssMb: number;
  manifest: { rows: number; files: { name: string; bytes: number }[] };
  pdf: { pages: number } | null;
}

export async function run(args: string[], cli = CLI): Promise<void> {
  const transactions = flag(args, 'transactions', 1_000_000);
  const sqlite3 = findSqlite3();
  const dir = scratchDir('export');
  try {
    const path = join(dir, 'bench.db');
    const url = `sqlite:${path}`;
    const keyFile = join(dir, 'signing.pem');
    await generateSigningKey(keyFile);
    const env = { ...process.env, OFFBOARD_SIGNING_KEY: keyFile };
    line('history', `demo-whale, ${transactions} transactions (SQLite)`);
    const seeded = timed(
      cli,
      ['seed', '--scenarios', '--whale-transactions', String(transactions), '--db', url, '--json'],
      env,
    );
    line('seeding (not measured)', `${round(seeded.seconds, 1)} s`);

    const exportTo = (format: string) => {
      const run = timed(
        cli,
        [
          'export',
          'demo-whale',
          '--db',
          url,
          '--format',
          format,
          '--out',
          join(dir, format),
          '--json',
        ],
        env,
      );
      return { seconds: run.seconds, json: run.json as ExportJson };
    };

    const csv = exportTo('csv');
    const csvFile = csv.json.manifest.files[0]!;
    line(
      'offboard export --format csv',
      `${round(csv.seconds)} s wall, ${Math.round(csv.json.manifest.rows / csv.seconds)} rows/s, peak RSS ${csv.json.maxRssMb} MB`,
    );

    const baseline = await baselineCsv(sqlite3, path, join(dir, 'baseline.csv'));
    line(
      'baseline sqlite3 -csv',
      `${round(baseline.seconds)} s wall, ${Math.round(baseline.rows / baseline.seconds)} rows/s`,
    );
    const difference = await firstDifference(
      join(dir, 'csv', csvFile.name),
      join(dir, 'baseline.csv'),
    );
    const identical = difference === null;
    line('same cells as the baseline', identical ? 'yes, every row' : `no: ${difference}`);
    const ratio = csv.seconds / baseline.seconds;
    line('ratio offboard/baseline', `${round(ratio)} (aim: at most ${CSV_RATIO_AIM})`);

    // Every other format of the same history, each alone, then all three at once (the default).
    const jsonl = exportTo('jsonl');
    line(
      'offboard export --format jsonl',
      `${round(jsonl.seconds)} s wall, ${round(jsonl.json.manifest.files[0]!.bytes / 1e6, 1)} MB, peak RSS ${jsonl.json.maxRssMb} MB`,
    );
    const pdf = exportTo('pdf');
    line(
      'offboard export --format pdf',
      `${round(pdf.seconds)} s wall, ${pdf.json.pdf?.pages} pages, ${round(pdf.json.manifest.files[0]!.bytes / 1e6, 1)} MB, peak RSS ${pdf.json.maxRssMb} MB`,
    );
    const all = exportTo('all');
    line(
      'offboard export (all three)',
      `${round(all.seconds)} s wall, peak RSS ${all.json.maxRssMb} MB`,
    );
    const peaks = {
      csv: csv.json.maxRssMb,
      jsonl: jsonl.json.maxRssMb,
      pdf: pdf.json.maxRssMb,
      all: all.json.maxRssMb,
    };
    const highest = Math.max(...Object.values(peaks));
    line(
      'highest peak RSS of any format',
      `${highest} MB (aim: under ${PEAK_RSS_AIM_MB} MB for every format, whatever the history's length)`,
    );

    process.stdout.write(
      `${JSON.stringify({
        bench: 'export',
        transactions,
        rows: csv.json.manifest.rows,
        offboard_s: round(csv.seconds),
        baseline_s: round(baseline.seconds),
        ratio: round(ratio),
        ratio_aim: CSV_RATIO_AIM,
        offboard_rows_per_s: Math.round(csv.json.manifest.rows / csv.seconds),
        baseline_rows_per_s: Math.round(baseline.rows / baseline.seconds),
        offboard_peak_rss_mb: peaks.csv,
        same_cells: identical,
        jsonl_s: round(jsonl.seconds),
        jsonl_peak_rss_mb: peaks.jsonl,
        pdf_s: round(pdf.seconds),
        pdf_pages: pdf.json.pdf?.pages ?? 0,
        pdf_peak_rss_mb: peaks.pdf,
        all_s: round(all.seconds),
        all_peak_rss_mb: peaks.all,
        max_peak_rss_mb: highest,
        peak_rss_aim_mb: PEAK_RSS_AIM_MB,
      })}\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function timed(
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { seconds: number; json: unknown } {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [cli, ...args], {
    env,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0)
    throw new Error(
      `offboard ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.stdout}`,
    );
  const lines = result.stdout.trim().split('\n');
  return { seconds, json: JSON.parse(lines[lines.length - 1]!) };
}

/** The sqlite3 shell on PATH; installed from Debian's package when missing and we are root. */
function findSqlite3(): string {
  const which = () =>
    spawnSync('sh', ['-c', 'command -v sqlite3'], { encoding: 'utf8' }).stdout.trim();
  let found = which();
  if (!found && process.getuid?.() === 0) {
    line('sqlite3 not found', 'installing the Debian package sqlite3');
    spawnSync('apt-get', ['install', '-y', '-qq', 'sqlite3'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    found = which();
  }
  if (!found) throw new Error('the baseline needs the sqlite3 shell: apt-get install sqlite3');
  return found;
}

/**
 * The same CSV from the shell: the header, then per row the id, the instant (ISO 8601 with
 * milliseconds), type, asset, amount and fee as exact decimals, status, counterparty,
 * reference, and the running balance (a window sum over completed rows, in integers).
 */
async function baselineCsv(
  sqlite3: string,
  dbPath: string,
  out: string,
): Promise<{ seconds: number; rows: number }> {
  const database = await openDatabase(`sqlite:${dbPath}`);
  const assets = database
    .sqlite!.prepare(
      "select distinct a.code, a.decimals from transactions t join assets a on a.code = t.asset where t.account_id = 'demo-whale'",
    )
    .all() as { code: string; decimals: number }[];
  await database.close();
  // The shell's integers are 64-bit: its baseline holds for one asset of at most 18 decimals.
  if (assets.length !== 1 || assets[0]!.decimals > 18 || assets[0]!.decimals < 1)
    throw new Error('the baseline expects demo-whale to hold one asset of 1 to 18 decimals');
  const d = assets[0]!.decimals;
  const scale = `1${'0'.repeat(d)}`;
  const decimal = (x: string) =>
    `(case when ${x} < 0 then '-' else '' end) || (abs(${x}) / ${scale}) || '.' || printf('%0${d}d', abs(${x}) % ${scale})`;
  const script = `.headers on
.mode csv
.output ${out}
select id, instant, type, asset, ${decimal('amount')} as amount, ${decimal('fee')} as fee, status, counterparty, reference, ${decimal('balance')} as balance
from (
  select id,
    strftime('%Y-%m-%dT%H:%M:%S', created_at / 1000, 'unixepoch') || printf('.%03dZ', created_at % 1000) as instant,
    type, asset, cast(amount as integer) as amount, cast(fee as integer) as fee, status, counterparty, reference,
    sum(case when status = 'completed' then cast(amount as integer) - cast(fee as integer) else 0 end)
      over (partition by asset order by id rows unbounded preceding) as balance
  from transactions where account_id = 'demo-whale'
) order by id;
`;
  const scriptFile = `${out}.sql`;
  writeFileSync(scriptFile, script);
  const started = process.hrtime.bigint();
  const result = spawnSync(sqlite3, [dbPath, `.read ${scriptFile}`], { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`sqlite3 exited ${result.status}: ${result.stderr}`);
  let newlines = 0;
  for await (const chunk of createReadStream(out))
    for (const byte of chunk as Buffer) if (byte === 10) newlines += 1;
  return { seconds, rows: newlines - 1 };
}

/** The cells of one CSV line (the whale's cells hold no line breaks). */
function cells(line: string): string[] {
  const out: string[] = [];
  for (const match of line.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g))
    out.push(match[1] === undefined ? match[2]! : match[1].replaceAll('""', '"'));
  return out;
}

/** Null when both CSV files hold the same cells in the same rows, else where they differ first. */
async function firstDifference(a: string, b: string): Promise<string | null> {
  const left = createInterface({ input: createReadStream(a), crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  const right = createInterface({
    input: createReadStream(b),
    crlfDelay: Number.POSITIVE_INFINITY,
  })[Symbol.asyncIterator]();
  for (let row = 0; ; row++) {
    const [x, y] = await Promise.all([left.next(), right.next()]);
    if (x.done || y.done) return x.done && y.done ? null : `one file ends at line ${row + 1}`;
    if (x.value !== y.value && JSON.stringify(cells(x.value)) !== JSON.stringify(cells(y.value)))
      return `line ${row + 1}: ${x.value} | ${y.value}`;
  }
}
