import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import { parseIsoInstant } from '../../../domain/iso-instant.js';
import { LANGS } from '../../../domain/messages.js';
import type { Audience, Lang } from '../../../domain/messages.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_NEGATIVE, EXIT_OK } from '../exit-codes.js';
import { escapeControl, printJson } from '../output.js';
import { startProgress } from '../progress.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const scanModule = () => import('../../../app/scan.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
const checkEligibilityModule = () => import('../../../app/check-eligibility.js');

export function parseInstant(value: string, option: string): Date {
  const parsed = parseIsoInstant(value);
  if (!parsed.ok) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option}: "${value}" is not a valid instant: ${parsed.reason}; use e.g. 2026-12-01 or 2026-12-01T10:00:00Z`,
    );
  }
  return new Date(parsed.epochMs);
}

function parseLang(value: string): Lang {
  const lang = LANGS.find((l) => l === value);
  if (!lang)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--lang takes ${LANGS.join(' or ')}, got "${value}"`,
    );
  return lang;
}

function parseAudience(value: string): Audience {
  if (value !== 'holder' && value !== 'agent')
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--audience takes holder or agent, got "${value}"`,
    );
  return value;
}

export function registerCheck(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('check <account>')
    .description(
      "why can't this account be closed? every blocker at once, each with its fix (exit 0 eligible, 1 not)",
    )
    .option('--lang <lang>', 'en or zh-CN', 'en')
    .option('--at <instant>', 'evaluate at this ISO 8601 instant instead of now')
    .option(
      '--audience <who>',
      'holder (what the holder may be told) or agent (hold kinds and reasons too)',
      'holder',
    )
    .option('--json', 'print the verdict as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const lang = parseLang(opts.lang);
        const audience = parseAudience(opts.audience);
        const now = opts.at === undefined ? ctx.clock.now() : parseInstant(opts.at, '--at');
        const { verdict } = await (
          await checkEligibilityModule()
        ).checkEligibility(ctx.app, ctx.rules, account, { now, lang, audience });
        if (opts.json) {
          printJson(deps.io, verdict);
          return verdict.eligible ? EXIT_OK : EXIT_NEGATIVE;
        }
        const zh = lang === 'zh-CN';
        const shown = escapeControl(account);
        if (verdict.eligible) {
          deps.io.stdout(zh ? `${shown}：可以注销\n` : `${shown}: eligible for closure\n`);
          return EXIT_OK;
        }
        const closed = verdict.blockers.find((b) => b.code === 'account_closed');
        if (closed) {
          // Not a blocker to clear: there is nothing left to close.
          deps.io.stdout(
            zh
              ? `${shown}：${closed.message}${closed.fix}\n`
              : `${shown}: ${closed.message} ${closed.fix}\n`,
          );
          return EXIT_NEGATIVE;
        }
        deps.io.stdout(
          zh
            ? `${shown}：暂不能注销（${verdict.blockers.length} 个原因）\n`
            : `${shown}: not eligible (${verdict.blockers.length} blocker${verdict.blockers.length === 1 ? '' : 's'})\n`,
        );
        for (const b of verdict.blockers) {
          // The severity as the JSON names it, so text and scripts speak of the same thing.
          deps.io.stdout(
            `  - [${b.code}, ${b.severity}] ${escapeControl(b.message)} ${zh ? '处理：' : 'Fix:'} ${escapeControl(b.fix)}\n`,
          );
          if (audience === 'agent' && b.detail)
            deps.io.stdout(`      ${escapeControl(b.detail)}\n`);
        }
        if (verdict.earliestEligibleAt)
          deps.io.stdout(
            zh
              ? `  最早可注销时间：${verdict.earliestEligibleAt}\n`
              : `  earliest eligible at ${verdict.earliestEligibleAt}\n`,
          );
        return EXIT_NEGATIVE;
      }),
    );

  program
    .command('scan')
    .description(
      'evaluate every account in batches: how many are eligible, how many carry each blocker',
    )
    .option('--jurisdiction <code>', 'only accounts of this ISO 3166 alpha-2 jurisdiction')
    .option('--at <instant>', 'evaluate at this ISO 8601 instant instead of now')
    .option('--json', 'print the summary as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const jurisdiction = opts.jurisdiction;
        if (jurisdiction !== undefined && !/^[A-Z]{2}$/.test(jurisdiction)) {
          throw new OffboardError(
            'OFFBOARD_ERR_INVALID_ARGUMENT',
            `--jurisdiction takes an ISO 3166 alpha-2 code such as DE, got "${jurisdiction}"`,
          );
        }
        const now = opts.at === undefined ? ctx.clock.now() : parseInstant(opts.at, '--at');
        // The count is for the progress bar alone: a script's scan does not pay for it.
        const quiet = Boolean(opts.json) || !deps.io.interactive;
        const total = quiet ? 0 : await ctx.app.platform.countAccounts({ jurisdiction });
        const progress = startProgress(deps.io, 'scanning', total, quiet);
        const started = process.hrtime.bigint();
        const summary = await (
          await scanModule()
        ).scanAccounts(ctx.app, ctx.rules, {
          now,
          jurisdiction,
          onProgress: (done) => progress.update(done),
        });
        progress.stop();
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const accountsPerSecond = Math.round(summary.accounts / Math.max(seconds, 1e-9));
        if (opts.json) {
          printJson(deps.io, {
            ...summary,
            seconds: Number(seconds.toFixed(3)),
            accountsPerSecond,
          });
          return EXIT_OK;
        }
        deps.io.stdout(
          `${summary.accounts} accounts scanned in ${seconds.toFixed(1)} s (${accountsPerSecond}/s): ${summary.eligible} eligible\n`,
        );
        for (const [code, count] of Object.entries(summary.blockers))
          if (count > 0) deps.io.stdout(`  ${code.padEnd(22)} ${count}\n`);
        return EXIT_OK;
      }),
    );
}
