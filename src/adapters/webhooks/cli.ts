import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../domain/errors.js';
import type { CliDeps, ExitBox } from '../cli/command-kit.js';
import { action, parseCount } from '../cli/command-kit.js';
import { printJson } from '../cli/output.js';
import { DELIVERY_STATUSES } from './delivery-status.js';
import type { DeliveryStatus } from './delivery-status.js';
import type { WebhookDelivery } from './webhooks.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const webhooksModule = () => import('./webhooks.js');

function parseStatus(value: unknown): DeliveryStatus | undefined {
  if (value === undefined) return undefined;
  const found = DELIVERY_STATUSES.find((s) => s === value);
  if (!found) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--status must be one of ${DELIVERY_STATUSES.join(', ')}, got "${String(value)}"`,
    );
  }
  return found;
}

function toJson(d: WebhookDelivery) {
  return {
    id: d.id,
    outboxId: d.outboxId,
    event: d.event,
    accountId: d.accountId,
    endpoint: d.endpoint,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt.toISOString() : null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    lastError: d.lastError,
  };
}

/** What an operator needs next about a delivery: when it goes out, when it went, or why it died. */
function whatNext(d: WebhookDelivery): string {
  switch (d.status) {
    case 'pending':
      return `next attempt ${d.nextAttemptAt.toISOString()}${d.lastError ? ` (last error: ${d.lastError})` : ''}`;
    case 'delivered':
      return `delivered ${d.deliveredAt?.toISOString() ?? ''}`;
    case 'dead':
      return `last error: ${d.lastError ?? 'none recorded'}; retry with \`offboard webhooks retry ${d.id}\``;
  }
}

export function registerWebhooks(program: Command, deps: CliDeps, exit: ExitBox): void {
  const webhooks = program
    .command('webhooks')
    .description('webhook deliveries: inspect them, send dead ones again');

  webhooks
    .command('list')
    .description('deliveries, newest first, with their status and last error')
    .option('--status <status>', `only deliveries in this status: ${DELIVERY_STATUSES.join(', ')}`)
    .option('--limit <n>', 'at most N rows (the newest)', '50')
    .option('--json', 'print the deliveries as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const status = parseStatus(opts.status);
        const limit = parseCount(opts.limit, '--limit', 1);
        const deliveries = await (
          await webhooksModule()
        ).listDeliveries(ctx.database, {
          ...(status ? { status } : {}),
          limit,
        });
        if (opts.json) {
          printJson(deps.io, { deliveries: deliveries.map(toJson) });
          return 0;
        }
        if (deliveries.length === 0)
          deps.io.stdout(`no ${status ? `${status} ` : ''}webhook deliveries\n`);
        for (const d of deliveries) {
          deps.io.stdout(
            `${String(d.id).padStart(8)} ${d.status.padEnd(9)} ${String(d.attempts).padStart(2)} attempts  ${d.event} ${d.accountId ?? '-'} → ${d.endpoint}  ${whatNext(d)}\n`,
          );
        }
        return 0;
      }),
    );

  webhooks
    .command('retry <id>')
    .description('send a dead delivery again: queue it now, with a fresh set of attempts')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, idText: string) => {
        const id = parseCount(idText, 'id', 1);
        const result = await (await webhooksModule()).retryDead(ctx.database, id, ctx.clock.now());
        if (!result.ok && result.reason === 'not_found') {
          throw new OffboardError(
            'OFFBOARD_ERR_NOT_FOUND',
            `no webhook delivery has id ${id}; see them with \`offboard webhooks list\``,
          );
        }
        if (!result.ok) {
          throw new OffboardError(
            'OFFBOARD_ERR_INVALID_STATE',
            `webhook delivery ${id} is ${result.status}, not dead: only dead deliveries are retried by hand (pending ones retry on their own)`,
          );
        }
        if (opts.json) printJson(deps.io, { id, status: 'pending' });
        else
          deps.io.stdout(`webhook delivery ${id} queued again; the next delivery pass sends it\n`);
        return 0;
      }),
    );
}
