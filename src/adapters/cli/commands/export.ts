import type { Command } from '@commander-js/extra-typings';
import type { StatementFormat } from '../../statements/export-statements.js';
import { OffboardError } from '../../../domain/errors.js';
import { STATEMENT_FORMATS } from '../../statements/manifest.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';
import type { Progress } from '../progress.js';
import { parseInstant } from './check.js';

/**
 * An export reads the account's history once, in id order: a page cache only holds on to
 * what was read (better-sqlite3's 16 MiB of it, a tenth of the export's peak memory).
 * SQLite's own default is plenty.
 */
const EXPORT_PAGE_CACHE_KIB = 2000;

// Loaded when the command runs: `offboard --help` must not load the database stack.
const signingKeyModule = () => import('../../statements/signing-key.js');
const exportStatementsModule = () => import('../../statements/export-statements.js');

function parseFormats(text: string): StatementFormat[] {
  if (text === 'all') return [...STATEMENT_FORMATS];
  const formats = text.split(',').map((f) => f.trim());
  const unknown = formats.filter((f) => !(STATEMENT_FORMATS as readonly string[]).includes(f));
  if (unknown.length > 0 || formats.length === 0) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--format takes ${STATEMENT_FORMATS.join(', ')}, a comma-separated list of them, or all; got "${text}"`,
    );
  }
  return formats as StatementFormat[];
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** `export` and `verify-export`: statements before closure (docs/statements.md). */
export function registerExport(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('export <account>')
    .description(
      "write the account's history as CSV, JSON Lines and PDF, with a signed manifest, into a folder",
    )
    .requiredOption(
      '--out <dir>',
      'the folder to write (created when missing; refused when not empty)',
    )
    .option(
      '--format <format>',
      `${STATEMENT_FORMATS.join(', ')}, a comma-separated list, or all`,
      'all',
    )
    .option(
      '--from <instant>',
      'start of the period, ISO 8601, inclusive (default: the beginning of the history)',
    )
    .option(
      '--to <instant>',
      'end of the period, ISO 8601, exclusive (default: everything recorded so far)',
    )
    .option('--force', 'replace an earlier export in the folder (other files stay)')
    .option('--json', 'print the manifest and timings as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string) => {
          const formats = parseFormats(opts.format);
          const from = opts.from === undefined ? undefined : parseInstant(opts.from, '--from');
          const to = opts.to === undefined ? undefined : parseInstant(opts.to, '--to');
          const signingKey = await (await signingKeyModule()).signingKeyFromEnv(deps.io.env);
          let progress: Progress | null = null;
          const onProgress =
            deps.io.interactive && !opts.json
              ? (done: number, total: number) => {
                  progress ??= startProgress(deps.io, 'exporting', total, false);
                  progress.update(done);
                }
              : undefined;
          const started = process.hrtime.bigint();
          const result = await (
            await exportStatementsModule()
          )
            .exportStatements(
              { platform: ctx.app.platform, clock: ctx.clock, signingKey },
              account,
              {
                formats,
                from,
                to,
                out: opts.out,
                force: Boolean(opts.force),
                onProgress,
              },
            )
            .finally(() => (progress as Progress | null)?.stop());
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const m = result.manifest;
          const rowsPerSecond = Math.round(m.rows / Math.max(seconds, 1e-9));
          if (opts.json) {
            // Peak memory of the whole process, for operators sizing a machine (and the benchmark).
            const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
            printJson(deps.io, {
              out: result.out,
              seconds: Number(seconds.toFixed(3)),
              rowsPerSecond,
              maxRssMb,
              manifest: m,
              pdf: result.pdf,
            });
            return EXIT_OK;
          }
          deps.io.stdout(
            `exported ${m.rows} transactions of ${account} (${m.period.from ?? 'the beginning'} to ${m.period.to ?? 'now'}) into ${result.out} in ${seconds.toFixed(1)} s (${rowsPerSecond} rows/s)\n`,
          );
          for (const f of m.files)
            deps.io.stdout(
              `  ${f.name.padEnd(16)} ${String(f.rows).padStart(9)} rows ${megabytes(f.bytes).padStart(10)}  sha256 ${f.sha256}\n`,
            );
          deps.io.stdout(
            `  ${MANIFEST_LINE} signed with Ed25519 key ${m.keyId}; statement hash ${m.statementSha256}\n`,
          );
          if (result.pdf && result.pdf.replacedCharacters > 0) {
            deps.io.stdout(
              `  note: ${result.pdf.replacedCharacters} characters had no font on this machine and were replaced in the PDF (the CSV and JSON Lines keep them); docs/statements.md says which fonts to install\n`,
            );
          }
          return EXIT_OK;
        },
        { pageCacheKib: EXPORT_PAGE_CACHE_KIB },
      ),
    );

  program
    .command('verify-export <dir>')
    .description(
      'check an export: every file matches manifest.json, none is missing or extra, and the signature holds (exit 0 valid, 1 not)',
    )
    .option(
      '--public-key <file>',
      "the platform's public key, PEM (default: the public half of OFFBOARD_SIGNING_KEY)",
    )
    .option('--json', 'print the verdict as JSON')
    .action(
      action(
        deps,
        exit,
        async (_ctx, opts, dir: string) => {
          const key = await (
            await exportStatementsModule()
          ).verificationKey(deps.io.env, opts.publicKey);
          const result = await (await exportStatementsModule()).verifyExport(dir, key);
          const m = result.manifest;
          if (opts.json) {
            printJson(deps.io, {
              ok: result.ok,
              dir,
              keyId: result.keyId,
              account: m?.account ?? null,
              period: m?.period ?? null,
              files: m?.files.map((f) => ({ name: f.name, rows: f.rows, sha256: f.sha256 })) ?? [],
              problems: result.problems,
            });
          } else if (result.ok) {
            deps.io.stdout(
              `${dir}: valid: ${m!.files.length} files match manifest.json, signed by key ${result.keyId} (${m!.account}, ${m!.rows} transactions)\n`,
            );
          } else {
            deps.io.stdout(
              `${dir}: NOT valid (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'})\n`,
            );
            for (const p of result.problems)
              deps.io.stdout(`  ${p.file}: ${p.problem}: ${p.detail}\n`);
          }
          return result.ok ? EXIT_OK : EXIT_NEGATIVE;
        },
        { needsContext: false },
      ),
    );
}

const MANIFEST_LINE = 'manifest.json + manifest.sig:';
