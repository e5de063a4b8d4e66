import type { Command } from '@commander-js/extra-typings';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action } from '../command-kit.js';
import { EXIT_NEGATIVE } from '../exit-codes.js';
import { printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const recordsModule = () => import('../../../app/records.js');
const checkpointFileModule = () => import('../checkpoint-file.js');
const signingKeyModule = () => import('../../statements/signing-key.js');

export function registerAudit(program: Command, deps: CliDeps, exit: ExitBox): void {
  const audit = program.command('audit').description('the hash-chained audit log');
  audit
    .command('verify')
    .description(
      'walk every chain and checkpoint: exit 0 when intact, 1 naming the first entry altered, deleted, inserted, reordered or rewritten',
    )
    .option(
      '--checkpoint <file>',
      'also check a checkpoint published earlier (`audit checkpoint --out`): catches the newest entries removed and a rewritten log',
    )
    .option(
      '--public-key <file>',
      'check checkpoint signatures with this public key, PEM (default: the public half of OFFBOARD_SIGNING_KEY, if set)',
    )
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const files = await checkpointFileModule();
        const external = opts.checkpoint
          ? await files.readCheckpointFile(opts.checkpoint)
          : undefined;
        const verifier = await files.checkpointVerifier(
          deps.io.env,
          opts.publicKey,
          external !== undefined,
        );
        const verdict = await (
          await recordsModule()
        ).verifyAuditChain(ctx.app, {
          ...(external ? { external } : {}),
          ...(verifier ? { verifier } : {}),
        });
        if (opts.json)
          printJson(deps.io, { ...verdict, signaturesChecked: verifier !== undefined });
        else if (verdict.intact)
          deps.io.stdout(
            `audit log intact: ${count(verdict.entries, 'entry', 'entries')} in ${count(verdict.chains, 'chain', 'chains')}, ${count(verdict.checkpoints, 'checkpoint', 'checkpoints')} ${verifier ? 'verified' : 'consistent (signatures not checked: no key)'}\n`,
          );
        else
          deps.io.stdout(
            `audit log BROKEN at entry ${verdict.seq} (${verdict.problem}): ${verdict.message}\n`,
          );
        return verdict.intact ? 0 : EXIT_NEGATIVE;
      }),
    );
  audit
    .command('checkpoint')
    .description(
      'sign every chain head with OFFBOARD_SIGNING_KEY and store the checkpoint; --out also publishes it as JSON',
    )
    .option(
      '--out <file>',
      'write the new checkpoint (signed JSON) to this file, to keep outside the database',
    )
    .option('--json', 'print the checkpoint as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const keys = await signingKeyModule();
        const key = await keys.signingKeyFromEnv(deps.io.env);
        const checkpoint = await (
          await recordsModule()
        ).writeAuditCheckpoint(ctx.app, keys.textSigner(key));
        if (opts.out)
          await (await checkpointFileModule()).writeCheckpointFile(opts.out, checkpoint);
        if (opts.json) printJson(deps.io, checkpoint);
        else
          deps.io.stdout(
            `checkpoint of ${new Date(checkpoint.at).toISOString()} over ${checkpoint.heads.length} chains, signed by key ${checkpoint.keyId}${opts.out ? `, written to ${opts.out}` : ''}\n`,
          );
        return 0;
      }),
    );
}

/** `1 entry`, `3 entries`. */
function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
