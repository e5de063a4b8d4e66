import type { Command } from '@commander-js/extra-typings';
import { hostname } from 'node:os';
import { raise } from '../../../domain/errors.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount, parseDurationOption } from '../command-kit.js';
import { printJson } from '../output.js';
import { startProgress } from '../progress.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const erasureModule = () => import('../../../app/erasure.js');
const kekModule = () => import('../../../app/kek.js');
const sandboxKekModule = () => import('../../../main/kek.js');
const certificateModule = () => import('../../crypto/certificate.js');
const signingKeyModule = () => import('../../statements/signing-key.js');
const certificateKeyModule = () => import('../../crypto/sandbox-signing-key.js');

export function registerErasure(program: Command, deps: CliDeps, exit: ExitBox): void {
  const erasure = program
    .command('erasure')
    .description('retention and erasure of closed accounts (docs/retention.md)');

  erasure
    .command('due')
    .description('list closed accounts whose retention has ended and are not erased yet')
    .option('--limit <n>', 'list at most this many', '100')
    .option('--json', 'print the list as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const limit = parseCount(opts.limit, '--limit', 1);
        const due = await (await erasureModule()).dueErasures(ctx.app, { limit });
        if (opts.json) printJson(deps.io, { due });
        else if (due.length === 0) deps.io.stdout('nothing is due for erasure\n');
        else
          for (const e of due)
            deps.io.stdout(
              `${e.accountId}  ${e.jurisdiction}  closed ${e.closedAt.toISOString()}  due ${e.dueAt?.toISOString() ?? '-'}  ${e.state}${e.lastError ? `  last error: ${e.lastError}` : ''}\n`,
            );
        return 0;
      }),
    );

  erasure
    .command('run')
    .description(
      'erase every account whose retention has ended, except those a hold suspends; each gets a signed certificate',
    )
    .option('--batch <n>', 'accounts claimed per batch', '100')
    .option('--lease <duration>', 'how long a claim lasts if this process dies', '5m')
    .option('--json', 'print a summary as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const batchSize = parseCount(opts.batch, '--batch', 1);
        const leaseMs = parseDurationOption(opts.lease, '--lease', { positive: true });
        const module = await erasureModule();
        const before = await module.erasureCounts(ctx.app);
        const progress = startProgress(deps.io, 'erasing', before.due, Boolean(opts.json));
        const tally = { erased: 0, held: 0, notDue: 0, failed: 0 };
        let seen = 0;
        try {
          await module.runDueErasures(ctx.app, {
            owner: `${hostname()}:${process.pid}`,
            batchSize,
            leaseMs,
            onOutcome: (o) => {
              seen += 1;
              progress.update(seen);
              switch (o.result) {
                case 'erased':
                  tally.erased += 1;
                  if (!opts.json)
                    deps.io.stdout(
                      `${o.accountId}: erased ${o.classes.join(', ')} (${o.certificateId})\n`,
                    );
                  return;
                case 'held':
                  tally.held += 1;
                  if (!opts.json) deps.io.stdout(`${o.accountId}: suspended by a hold\n`);
                  return;
                case 'not_due':
                  tally.notDue += 1;
                  return;
                case 'failed':
                  tally.failed += 1;
                  if (!opts.json)
                    deps.io.stdout(`${o.accountId}: failed: ${o.code}: ${o.message}\n`);
                  return;
              }
            },
          });
        } finally {
          progress.stop();
        }
        if (opts.json) printJson(deps.io, tally);
        else
          deps.io.stdout(
            `${tally.erased} erased, ${tally.held} suspended by holds, ${tally.failed} failed\n`,
          );
        return tally.failed > 0 ? 1 : 0;
      }),
    );

  erasure
    .command('status [account]')
    .description("one account's erasure (when each class ends, its certificates), or counts")
    .option('--json', 'print as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string | undefined) => {
        const module = await erasureModule();
        if (account === undefined) {
          const counts = await module.erasureCounts(ctx.app);
          if (opts.json) printJson(deps.io, counts);
          else
            deps.io.stdout(
              `${counts.scheduled} scheduled (${counts.due} due), ${counts.held} held, ${counts.erased} erased\n`,
            );
          return 0;
        }
        const status = await module.erasureStatus(ctx.app, account);
        const certificates = status.certificates.map((c) => ({
          id: c.id,
          issuedAt: c.issuedAt,
        }));
        if (opts.json) printJson(deps.io, { ...status, certificates });
        else {
          const e = status.erasure;
          deps.io.stdout(
            `${e.accountId} (${e.jurisdiction}): ${e.state}; closed ${e.closedAt.toISOString()}; erased: ${e.erasedClasses.join(', ') || 'nothing yet'}; next due ${e.dueAt?.toISOString() ?? '-'}\n`,
          );
          for (const [c, end] of Object.entries(status.retentionEnds ?? {}))
            deps.io.stdout(`  ${c}: retention ends ${end}\n`);
          for (const c of certificates)
            deps.io.stdout(`  certificate ${c.id} issued ${c.issuedAt.toISOString()}\n`);
        }
        return 0;
      }),
    );

  erasure
    .command('certificate <id>')
    .description('print a signed erasure certificate (JSON), to keep or hand to an auditor')
    .action(
      action(deps, exit, async (ctx, _opts, id: string) => {
        const found = await (await erasureModule()).erasureCertificate(ctx.app, id);
        deps.io.stdout(`${JSON.stringify(JSON.parse(found.document), null, 2)}\n`);
        return 0;
      }),
    );

  erasure
    .command('public-key')
    .description(
      'print the public key erasure certificates are signed with (OFFBOARD_SIGNING_KEY, else the sandbox key)',
    )
    .action(
      action(deps, exit, async (ctx) => {
        const key = await (await certificateKeyModule()).certificateKey(deps.io.env, ctx.database);
        deps.io.stdout((await signingKeyModule()).publicKeyPem(key.publicKey));
        return 0;
      }),
    );

  erasure
    .command('replay-journal <file>')
    .description(
      'after restoring a backup: erase again every account the erasure journal lists (docs/operations.md)',
    )
    .option('--json', 'print a summary as JSON')
    .action(
      action(deps, exit, async (ctx, opts, file: string) => {
        const { readFile } = await import('node:fs/promises');
        let text: string;
        try {
          text = await readFile(file, 'utf8');
        } catch (error) {
          throw raise('OFFBOARD_ERR_NOT_FOUND', {
            record: 'journal',
            id: `${file} (${(error as Error).message})`,
          });
        }
        const module = await erasureModule();
        const lines = parseJournal(text, file);
        let erased = 0;
        const outcomes = await module.replayJournal(ctx.app, lines, {
          owner: `${hostname()}:${process.pid}`,
          leaseMs: 5 * 60_000,
          onOutcome: (o) => {
            if (o.result === 'erased') {
              erased += 1;
              if (!opts.json) deps.io.stdout(`${o.accountId}: erased again (${o.certificateId})\n`);
            }
          },
        });
        const failed = outcomes.filter((o) => o.result === 'failed').length;
        if (opts.json) printJson(deps.io, { entries: lines.length, erased, failed });
        else
          deps.io.stdout(
            `${lines.length} journal entries: ${erased} erased again, ${lines.length - erased - failed} already erased, ${failed} failed\n`,
          );
        return failed > 0 ? 1 : 0;
      }),
    );

  const kek = program
    .command('kek')
    .description('the key-encryption key that wraps the per-account data keys');
  kek
    .command('status')
    .description('which KEK wraps how many data keys')
    .option('--json', 'print as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const usage = await (await kekModule()).kekUsage(ctx.app);
        const report = { source: ctx.keyring.source, ...usage };
        if (opts.json) printJson(deps.io, report);
        else {
          deps.io.stdout(
            `current KEK ${usage.current} (${ctx.keyring.source === 'sandbox' ? 'sandbox: kept in the database, demo only' : ctx.keyring.source === 'env' ? 'OFFBOARD_KEK' : 'OFFBOARD_KEK_FILE'})\n`,
          );
          for (const [id, n] of Object.entries(usage.byKek))
            deps.io.stdout(`  ${id}: ${n} data key${n === 1 ? '' : 's'}\n`);
        }
        return 0;
      }),
    );
  kek
    .command('rotate')
    .description(
      're-wrap every data key with the current KEK (list the new KEK first in OFFBOARD_KEK, the old after it); the sandbox makes itself a new KEK',
    )
    .option('--batch <n>', 'data keys re-wrapped per transaction', '500')
    .option('--json', 'print a summary as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const batchSize = parseCount(opts.batch, '--batch', 1);
        const sandbox =
          ctx.keyring.source === 'sandbox'
            ? await (await sandboxKekModule()).rotateSandboxKeyring(ctx)
            : null;
        const app = sandbox?.app ?? ctx.app;
        const progress = startProgress(deps.io, 're-wrapping', 0, Boolean(opts.json));
        let result;
        try {
          result = await (
            await kekModule()
          ).rotateKek(app, {
            batchSize,
            onProgress: (done) => progress.update(done),
          });
        } finally {
          progress.stop();
        }
        await sandbox?.finish();
        if (opts.json) printJson(deps.io, result);
        else
          deps.io.stdout(
            `${result.rewrapped} data key${result.rewrapped === 1 ? '' : 's'} re-wrapped with ${result.current}${sandbox ? '' : '; the older KEKs can now be removed from the configuration'}\n`,
          );
        return 0;
      }),
    );

  program
    .command('verify-certificate <file>')
    .description('check an erasure certificate: exit 0 when valid, 1 naming what is wrong')
    .option(
      '--public-key <file>',
      "the platform's public key, PEM (default: the public half of OFFBOARD_SIGNING_KEY, else the database's sandbox key)",
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, file: string) => {
        const keys = await signingKeyModule();
        const publicKey = opts.publicKey
          ? await keys.loadPublicKey(opts.publicKey)
          : (await (await certificateKeyModule()).certificateKey(deps.io.env, ctx.database))
              .publicKey;
        const certificates = await certificateModule();
        const text = await certificates.readCertificateFile(file);
        const certificate = certificates.verifyCertificateText(text, file, publicKey);
        if (opts.json)
          printJson(deps.io, {
            valid: true,
            certificateId: certificate.certificateId,
            accountId: certificate.accountId,
            erased: certificate.erased.map((e) => e.class),
            erasedAt: certificate.erasedAt,
            keyId: certificate.keyId,
          });
        else
          deps.io.stdout(
            `${file}: valid erasure certificate ${certificate.certificateId} of ${certificate.accountId} (${certificate.erased.map((e) => e.class).join(', ')} erased ${certificate.erasedAt}), signed by key ${certificate.keyId}\n`,
          );
        return 0;
      }),
    );
}

const CLASSES = new Set(['identity', 'transactions', 'communications', 'security', 'preferences']);

/** The journal file's lines; a malformed line is an error naming its number. */
function parseJournal(text: string, file: string) {
  return text
    .split('\n')
    .map((line, index) => ({ line: line.trim(), index }))
    .filter(({ line }) => line !== '')
    .map(({ line, index }) => {
      let parsed: { accountId?: unknown; erasedAt?: unknown; classes?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        parsed = {};
      }
      const { accountId, erasedAt, classes } = parsed;
      if (
        typeof accountId !== 'string' ||
        typeof erasedAt !== 'string' ||
        Number.isNaN(Date.parse(erasedAt)) ||
        !Array.isArray(classes) ||
        !classes.every((c) => typeof c === 'string' && CLASSES.has(c))
      )
        throw raise('OFFBOARD_ERR_INVALID_ARGUMENT', {
          problem: 'bad_journal_line',
          file,
          line: index + 1,
        });
      return {
        accountId,
        erasedAt,
        classes: classes as (
          'identity' | 'transactions' | 'communications' | 'security' | 'preferences'
        )[],
      };
    });
}
