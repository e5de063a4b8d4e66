import type { Command } from 'commander';
import { OffboardError } from '../../../domain/errors.js';
import { formatAmount, parseAmount } from '../../../domain/money.js';
import type { BuiltinLedger } from '../../ledger/ledger.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import { printJson } from '../output.js';

/** Reads a decimal amount exactly by the asset's decimals: 10.255 for a 2-decimal asset is an error. */
async function readAmount(ledger: BuiltinLedger, asset: string, text: string): Promise<bigint> {
  const info = await ledger.asset(asset);
  const parsed = parseAmount(text, info.decimals);
  if (!parsed.ok) {
    throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', `"${text}" is not an amount of ${asset} (${info.decimals} decimals): ${parsed.reason}`);
  }
  if (parsed.value <= 0n) throw new OffboardError('OFFBOARD_ERR_INVALID_AMOUNT', `the amount must be positive, got "${text}"`);
  return parsed.value;
}

export function registerLedger(program: Command, deps: CliDeps, exit: ExitBox): void {
  const ledger = program.command('ledger').description('the builtin sandbox ledger: move money, read balances');

  ledger
    .command('deposit <account> <asset> <amount>')
    .description('credit a deposit (returned to the sender if the account is frozen or closed)')
    .option('--pending', 'record it in flight; complete it later with `ledger complete-deposit`')
    .option('--counterparty <name>', 'who sent it', 'sandbox-sender')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string, asset: string, amountText: string) => {
        const amount = await readAmount(ctx.ledger, asset, amountText);
        const result = await ctx.ledger.deposit(account, asset, amount, {
          pending: Boolean(opts['pending']),
          counterparty: String(opts['counterparty']),
        });
        if (opts.json) printJson(deps.io, { ...result, account, asset, amount: amountText });
        else if (result.returned) deps.io.stdout(`returned ${amountText} ${asset} to its sender: ${account} cannot take money (transaction ${result.transactionId})\n`);
        else deps.io.stdout(`${opts['pending'] ? 'pending' : 'credited'} ${amountText} ${asset} to ${account} (transaction ${result.transactionId})\n`);
        return 0;
      }),
    );

  ledger
    .command('complete-deposit <transaction>')
    .description('complete a pending deposit')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, transaction: string) => {
        const result = await ctx.ledger.completeDeposit(parseCount(transaction, 'transaction', 1));
        if (opts.json) printJson(deps.io, result);
        else deps.io.stdout(result.returned ? `deposit ${transaction} returned to its sender\n` : `deposit ${transaction} credited\n`);
        return 0;
      }),
    );

  ledger
    .command('withdraw <account> <asset> <amount>')
    .description('withdraw: locks the amount, and completes at once unless --pending')
    .option('--pending', 'leave it in flight; finish it with `ledger complete-withdrawal` or `ledger fail-withdrawal`')
    .option('--counterparty <name>', 'where it goes', 'external-wallet')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string, asset: string, amountText: string) => {
        const amount = await readAmount(ctx.ledger, asset, amountText);
        const id = await ctx.ledger.withdraw(account, asset, amount, { counterparty: String(opts['counterparty']) });
        if (!opts['pending']) await ctx.ledger.completeWithdrawal(id);
        const status = opts['pending'] ? 'pending' : 'completed';
        if (opts.json) printJson(deps.io, { transactionId: id, status, account, asset, amount: amountText });
        else deps.io.stdout(`withdrawal of ${amountText} ${asset} from ${account} ${status} (transaction ${id})\n`);
        return 0;
      }),
    );

  for (const [name, verb] of [
    ['complete-withdrawal', 'complete'],
    ['fail-withdrawal', 'fail'],
  ] as const) {
    ledger
      .command(`${name} <transaction>`)
      .description(`${verb} a pending withdrawal`)
      .option('--json', 'print the result as JSON')
      .action(
        action(deps, exit, async (ctx, opts, transaction: string) => {
          const id = parseCount(transaction, 'transaction', 1);
          if (verb === 'complete') await ctx.ledger.completeWithdrawal(id);
          else await ctx.ledger.failWithdrawal(id);
          if (opts.json) printJson(deps.io, { transactionId: id, status: verb === 'complete' ? 'completed' : 'failed' });
          else deps.io.stdout(`withdrawal ${id} ${verb === 'complete' ? 'completed' : 'failed; funds released'}\n`);
          return 0;
        }),
      );
  }

  ledger
    .command('balances <account>')
    .description('the account\'s balances per asset')
    .option('--json', 'print the balances as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const balances = await ctx.ledger.balances(account);
        const status = (await ctx.ledger.account(account)).status;
        const rows = balances.map((b) => ({
          asset: b.asset,
          decimals: b.decimals,
          available: formatAmount(b.available, b.decimals),
          locked: formatAmount(b.locked, b.decimals),
          total: formatAmount(b.available + b.locked, b.decimals),
          availableMinor: b.available.toString(),
          lockedMinor: b.locked.toString(),
        }));
        if (opts.json) {
          printJson(deps.io, { account, status, balances: rows });
          return 0;
        }
        deps.io.stdout(`${account} (${status})\n`);
        if (rows.length === 0) deps.io.stdout('  no balances\n');
        for (const r of rows) deps.io.stdout(`  ${r.asset.padEnd(5)} available ${r.available.padStart(24)}  locked ${r.locked.padStart(24)}\n`);
        return 0;
      }),
    );

  ledger
    .command('transactions <account>')
    .description('the account\'s transactions, oldest first')
    .option('--limit <n>', 'at most N rows (the newest)', '50')
    .option('--json', 'print the rows as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const limit = parseCount(opts['limit'], '--limit', 1);
        await ctx.ledger.account(account);
        const decimals = new Map((await ctx.ledger.assets()).map((a) => [a.code, a.decimals]));
        const rows = (await ctx.ledger.recentTransactions(account, limit)).map((t) => ({
          id: t.id,
          at: t.createdAt.toISOString(),
          type: t.type,
          asset: t.asset,
          amount: formatAmount(t.amount, decimals.get(t.asset) ?? 0),
          fee: formatAmount(t.fee, decimals.get(t.asset) ?? 0),
          status: t.status,
          counterparty: t.counterparty,
        }));
        if (opts.json) printJson(deps.io, { account, transactions: rows });
        else for (const r of rows) deps.io.stdout(`${String(r.id).padStart(8)} ${r.at} ${r.type.padEnd(10)} ${r.amount.padStart(24)} ${r.asset.padEnd(5)} ${r.status}\n`);
        return 0;
      }),
    );

  ledger
    .command('assets')
    .description('the assets the ledger knows, with decimals and reference prices')
    .option('--json', 'print the assets as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const assets = (await ctx.ledger.assets()).map((a) => ({
          code: a.code,
          decimals: a.decimals,
          priceMinor: a.priceMinor?.toString() ?? null,
          allowNegative: a.allowNegative,
        }));
        if (opts.json) printJson(deps.io, { assets });
        else for (const a of assets) deps.io.stdout(`${a.code.padEnd(5)} ${String(a.decimals).padStart(2)} decimals${a.allowNegative ? ', may go negative' : ''}\n`);
        return 0;
      }),
    );
}
