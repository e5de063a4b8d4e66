import type { Command } from '@commander-js/extra-typings';
import type { Closure, ClosureConsent } from '../../../domain/closure.js';
import { CONSENT_NAMES, consentByName, NO_CONSENT } from '../../../domain/consent.js';
import { closureView } from '../../http/views.js';
import { OffboardError } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseDurationOption } from '../command-kit.js';
import type { CliIo } from '../output.js';
import { escapeControl, printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.

// Loaded when the command runs: `offboard --help` must not load the database stack.
const closuresModule = () => import('../../../app/closures.js');

export function parseConsent(text: string | undefined): ClosureConsent {
  const consent = { ...NO_CONSENT };
  if (!text) return consent;
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const named = consentByName(item);
    if (!named)
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        `--consent takes ${CONSENT_NAMES.join(', ')}; got "${item}"`,
      );
    consent[named.field] = true;
  }
  return consent;
}

/** The same JSON shape the HTTP API gives platforms (views are shared, not rewritten). */
export function closureJson(closure: Closure | null) {
  return closure === null ? null : closureView(closure, 'platform');
}

function printClosure(io: CliIo, closure: Closure, headline: string): void {
  io.stdout(`${headline}\n  closure ${closure.id}: ${closure.state}`);
  if (closure.dueAt) io.stdout(`, next step at ${closure.dueAt.toISOString()}`);
  io.stdout('\n');
}

export function registerClosure(program: Command, deps: CliDeps, exit: ExitBox): void {
  program
    .command('close <account>')
    .description(
      'request closure: refused with the verdict when the holder or support must act first',
    )
    .option('--confirmed', 'the platform already re-authenticated the holder: no one-time code')
    .option(
      '--consent <list>',
      `automatic actions the holder agreed to: ${CONSENT_NAMES.join(',')}`,
    )
    .option('--grace <duration>', "grace period instead of the policy's (e.g. 0, 24h, 7d)")
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const gracePeriodMs =
          opts.grace === undefined ? undefined : parseDurationOption(opts.grace, '--grace');
        const result = await (
          await closuresModule()
        ).requestClosure(ctx.app, ctx.rules, {
          accountId: account,
          consent: parseConsent(opts.consent),
          confirmed: Boolean(opts.confirmed),
          gracePeriodMs,
          actor: { kind: 'platform', id: 'cli' },
        });
        if (opts.json) {
          printJson(deps.io, {
            closure: closureJson(result.closure),
            codeSent: result.codeSent,
            verdict: result.verdict,
          });
        } else {
          printClosure(deps.io, result.closure, `closure of ${account} accepted`);
          if (result.codeSent)
            deps.io.stdout(
              `  a one-time code went to every channel on file; confirm with \`offboard confirm ${account} CODE\` (read it with \`offboard mail --account ${account}\`)\n`,
            );
        }
        return 0;
      }),
    );

  program
    .command('confirm <account> <code>')
    .description('confirm a requested closure with the one-time code')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string, code: string) => {
        const closure = await (
          await closuresModule()
        ).confirmClosure(ctx.app, ctx.rules, {
          accountId: account,
          code,
          actor: { kind: 'holder', id: account },
        });
        if (opts.json) printJson(deps.io, { closure: closureJson(closure) });
        else printClosure(deps.io, closure, `closure of ${account} confirmed`);
        return 0;
      }),
    );

  program
    .command('cancel <account>')
    .description('cancel a closure (possible until finalization starts)')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const closure = await (
          await closuresModule()
        ).cancelClosure(ctx.app, ctx.rules, {
          accountId: account,
          actor: { kind: 'holder', id: account },
        });
        if (opts.json) printJson(deps.io, { closure: closureJson(closure) });
        else printClosure(deps.io, closure, `closure of ${account} cancelled`);
        return 0;
      }),
    );

  program
    .command('status <account>')
    .description("the account's latest closure: state, next step, last verdict")
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const status = await (await closuresModule()).closureStatus(ctx.app, account);
        if (opts.json) {
          printJson(deps.io, {
            accountId: account,
            closure: closureJson(status.closure),
            verdict: status.verdict,
          });
          return 0;
        }
        if (!status.closure) {
          deps.io.stdout(`${account}: no closure requested\n`);
          return 0;
        }
        printClosure(deps.io, status.closure, `${account}`);
        for (const b of status.verdict?.blockers ?? [])
          deps.io.stdout(`  - ${b.code}: ${escapeControl(b.message)}\n`);
        return 0;
      }),
    );
}
