import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import { isJurisdiction } from '../../../domain/jurisdictions.js';
import { formatAmount, parseAmount } from '../../../domain/money.js';
import type { BuiltinLedger } from '../../ledger/ledger.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import { escapeControl, hasControl, printJson } from '../output.js';

/** Reads a decimal amount exactly by the asset's decimals: 10.255 for a 2-decimal asset is an error. */
async function readAmount(ledger: BuiltinLedger, asset: string, text: string): Promise<bigint> {
  const info = await ledger.asset(asset);
  const parsed = parseAmount(text, info.decimals);
  if (!parsed.ok) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_AMOUNT',
      `"${text}" is not an amount of ${asset} (${info.decimals} decimals): ${parsed.reason}`,
    );
  }
  if (parsed.value <= 0n)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_AMOUNT',
      `the amount must be positive, got "${text}"`,
    );
  return parsed.value;
}

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_TEXT = 200;

/** Free text a script sets (a reference, a name): bounded, and no control characters. */
function readText(value: string, option: string): string {
  const text = String(value);
  if (text.length === 0 || text.length > MAX_TEXT || hasControl(text)) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option} takes 1 to ${MAX_TEXT} characters without control characters, got "${text}"`,
    );
  }
  return text;
}

/** `--reference TEXT` or its synonym `--memo TEXT`: the transaction's reference, as a bank statement shows it. */
function readReference(opts: { reference?: string; memo?: string }): string | undefined {
  const reference = opts.reference;
  const memo = opts.memo;
  if (reference !== undefined && memo !== undefined) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      '--reference and --memo set the same field; give one of them',
    );
  }
  const value = reference ?? memo;
  return value === undefined
    ? undefined
    : readText(value, reference !== undefined ? '--reference' : '--memo');
}

export function registerLedger(program: Command, deps: CliDeps, exit: ExitBox): void {
  const ledger = program
    .command('ledger')
    .description('the builtin sandbox ledger: open accounts, move money, read balances');

  ledger
    .command('open <account>')
    .description('open an account for a new holder (holder id: holder-ACCOUNT)')
    .requiredOption('--holder <name>', "the holder's name")
    .requiredOption('--jurisdiction <code>', 'ISO 3166 alpha-2 code, e.g. DE, GB, US')
    .option('--email <address>', "the holder's email (default: ACCOUNT@example.invalid)")
    .option('--phone <number>', "the holder's phone for SMS, e.g. +49 30 1234567 (default: none)")
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string) => {
          if (!ACCOUNT_ID.test(account)) {
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `account id "${account}": use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
            );
          }
          const jurisdiction = opts.jurisdiction;
          if (!isJurisdiction(jurisdiction)) {
            const hint = isJurisdiction(jurisdiction.toUpperCase())
              ? `; did you mean ${jurisdiction.toUpperCase()}?`
              : '';
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--jurisdiction takes an assigned ISO 3166 alpha-2 code such as DE, GB or US, got "${jurisdiction}"${hint}`,
            );
          }
          const name = readText(opts.holder, '--holder');
          const email =
            opts.email === undefined
              ? `${account}@example.invalid`
              : readText(opts.email, '--email');
          if (!/^[^\s@]+@[^\s@]+$/.test(email))
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--email takes an address such as ana@example.com, got "${email}"`,
            );
          const phone = opts.phone === undefined ? null : readText(opts.phone, '--phone');
          if (phone !== null && !/^\+?[0-9][0-9 ()-]{3,24}$/.test(phone)) {
            throw new OffboardError(
              'OFFBOARD_ERR_INVALID_ARGUMENT',
              `--phone takes a number such as "+49 30 1234567", got "${phone}"`,
            );
          }
          const { holderId } = await ctx.ledger.openHolderAccount({
            accountId: account,
            name,
            email,
            phone,
            jurisdiction,
          });
          if (opts.json)
            printJson(deps.io, { account, holderId, status: 'active', jurisdiction, email, phone });
          else
            deps.io.stdout(
              `opened ${account} (${jurisdiction}) for ${escapeControl(name)}; holder ${holderId}\n`,
            );
          return 0;
        },
        { builtinLedger: true },
      ),
    );

  ledger
    .command('deposit <account> <asset> <amount>')
    .description('credit a deposit (returned to the sender if the account is frozen or closed)')
    .option('--pending', 'record it in flight; complete it later with `ledger complete-deposit`')
    .option('--counterparty <name>', 'who sent it', 'sandbox-sender')
    .option('--reference <text>', "the transaction's reference (an invoice number, a note)")
    .option('--memo <text>', 'the same as --reference')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string, asset: string, amountText: string) => {
          const reference = readReference(opts);
          const amount = await readAmount(ctx.ledger, asset, amountText);
          const result = await ctx.ledger.deposit(account, asset, amount, {
            pending: Boolean(opts.pending),
            counterparty: readText(opts.counterparty, '--counterparty'),
            reference,
          });
          if (opts.json)
            printJson(deps.io, {
              ...result,
              account,
              asset,
              amount: amountText,
              reference: reference ?? null,
            });
          else if (result.returned)
            deps.io.stdout(
              `returned ${amountText} ${asset} to its sender: ${account} cannot take money (transaction ${result.transactionId})\n`,
            );
          else
            deps.io.stdout(
              `${opts.pending ? 'pending' : 'credited'} ${amountText} ${asset} to ${account} (transaction ${result.transactionId})\n`,
            );
          return 0;
        },
        { builtinLedger: true },
      ),
    );

  ledger
    .command('complete-deposit <transaction>')
    .description('complete a pending deposit')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, transaction: string) => {
          const result = await ctx.ledger.completeDeposit(
            parseCount(transaction, 'transaction', 1),
          );
          if (opts.json) printJson(deps.io, result);
          else
            deps.io.stdout(
              result.returned
                ? `deposit ${transaction} returned to its sender\n`
                : `deposit ${transaction} credited\n`,
            );
          return 0;
        },
        { builtinLedger: true },
      ),
    );

  ledger
    .command('withdraw <account> <asset> <amount>')
    .description('withdraw: locks the amount, and completes at once unless --pending')
    .option(
      '--pending',
      'leave it in flight; finish it with `ledger complete-withdrawal` or `ledger fail-withdrawal`',
    )
    .option('--counterparty <name>', 'where it goes', 'external-wallet')
    .option('--reference <text>', "the transaction's reference (an invoice number, a note)")
    .option('--memo <text>', 'the same as --reference')
    .option('--json', 'print the result as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string, asset: string, amountText: string) => {
          const reference = readReference(opts);
          const amount = await readAmount(ctx.ledger, asset, amountText);
          const id = await ctx.ledger.withdraw(account, asset, amount, {
            counterparty: readText(opts.counterparty, '--counterparty'),
            reference,
          });
          if (!opts.pending) await ctx.ledger.completeWithdrawal(id);
          const status = opts.pending ? 'pending' : 'completed';
          if (opts.json)
            printJson(deps.io, {
              transactionId: id,
              status,
              account,
              asset,
              amount: amountText,
              reference: reference ?? null,
            });
          else
            deps.io.stdout(
              `withdrawal of ${amountText} ${asset} from ${account} ${status} (transaction ${id})\n`,
            );
          return 0;
        },
        { builtinLedger: true },
      ),
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
          if (opts.json)
            printJson(deps.io, {
              transactionId: id,
              status: verb === 'complete' ? 'completed' : 'failed',
            });
          else
            deps.io.stdout(
              `withdrawal ${id} ${verb === 'complete' ? 'completed' : 'failed; funds released'}\n`,
            );
          return 0;
        }),
      );
  }

  ledger
    .command('balances <account>')
    .description("the account's balances per asset")
    .option('--json', 'print the balances as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string) => {
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
          for (const r of rows)
            deps.io.stdout(
              `  ${r.asset.padEnd(5)} available ${r.available.padStart(24)}  locked ${r.locked.padStart(24)}\n`,
            );
          return 0;
        },
        { builtinLedger: true },
      ),
    );

  ledger
    .command('transactions <account>')
    .description("the account's transactions, oldest first")
    .option('--limit <n>', 'at most N rows (the newest)', '50')
    .option('--json', 'print the rows as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts, account: string) => {
          const limit = parseCount(opts.limit, '--limit', 1);
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
            reference: t.reference,
          }));
          if (opts.json) printJson(deps.io, { account, transactions: rows });
          else {
            for (const r of rows) {
              const reference = r.reference === null ? '' : `  ${escapeControl(r.reference)}`;
              deps.io.stdout(
                `${String(r.id).padStart(8)} ${r.at} ${r.type.padEnd(10)} ${r.amount.padStart(24)} ${r.asset.padEnd(5)} ${r.status}${reference}\n`,
              );
            }
          }
          return 0;
        },
        { builtinLedger: true },
      ),
    );

  ledger
    .command('assets')
    .description(
      "the assets the ledger knows: decimals, and the ledger's price of one whole unit in the policy's reference currency (the policy's prices override it)",
    )
    .option('--json', 'print the assets as JSON')
    .action(
      action(
        deps,
        exit,
        async (ctx, opts) => {
          const { referenceCurrency, referenceDecimals } = ctx.policy.base;
          const assets = (await ctx.ledger.assets()).map((a) => ({
            code: a.code,
            decimals: a.decimals,
            priceMinor: a.priceMinor?.toString() ?? null,
            price: a.priceMinor === null ? null : formatAmount(a.priceMinor, referenceDecimals),
            currency: referenceCurrency,
            allowNegative: a.allowNegative,
          }));
          if (opts.json) printJson(deps.io, { assets });
          else {
            for (const a of assets) {
              const price = a.price === null ? 'no price' : `price ${a.price} ${a.currency}`;
              deps.io.stdout(
                `${a.code.padEnd(5)} ${String(a.decimals).padStart(2)} decimals, ${price}${a.allowNegative ? ', may go negative' : ''}\n`,
              );
            }
          }
          return 0;
        },
        { builtinLedger: true },
      ),
    );
}
