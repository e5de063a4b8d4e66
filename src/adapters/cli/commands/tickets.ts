import type { Command } from '@commander-js/extra-typings';
import { OffboardError } from '../../../domain/errors.js';
import { holderVerdict } from '../../../domain/messages.js';
import { PLACEHOLDERS } from '../../../domain/redaction.js';
import type { SecretKind } from '../../../domain/redaction.js';
import { TICKET_CATEGORIES, TICKET_PRIORITIES, TICKET_STATES } from '../../../domain/tickets.js';
import type {
  TicketCategory,
  TicketPriority,
  TicketSla,
  TicketState,
} from '../../../domain/tickets.js';
import type { Ticket } from '../../../domain/tickets.js';
import type { TicketMessage } from '../../../ports/tickets.js';
import type { CliDeps, ExitBox } from '../command-kit.js';
import { action, parseCount } from '../command-kit.js';
import type { CliIo } from '../output.js';
import { escapeControl, printJson } from '../output.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
const ticketsModule = () => import('../../../app/tickets.js');

/*
 * `offboard tickets ...`: who acts is named on the command line, as the closure commands
 * do: `--holder <account>` writes as the account's holder (and shows the holder's view),
 * `--agent <id>` as a support agent.
 */

function oneOf<T extends string>(values: readonly T[], option: string, got: string | undefined) {
  if (got === undefined) return undefined;
  const found = values.find((v) => v === got);
  if (!found)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `${option} takes ${values.join(', ')}; got "${got}"`,
    );
  return found;
}

function actorOf(opts: { holder?: string; agent?: string }): 'holder' | 'agent' {
  if ((opts.holder === undefined) === (opts.agent === undefined))
    throw new OffboardError(
      'OFFBOARD_ERR_USAGE',
      'name who writes: --holder <account> or --agent <id> (one of them)',
    );
  return opts.holder !== undefined ? 'holder' : 'agent';
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

function ticketJson(t: Ticket, sla?: TicketSla) {
  return {
    id: t.id,
    accountId: t.accountId,
    subject: t.subject,
    category: t.category,
    priority: t.priority,
    state: t.state,
    assignee: t.assignee,
    closureId: t.closureId,
    blockerCode: t.blockerCode,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    firstRespondedAt: iso(t.firstRespondedAt),
    resolvedAt: iso(t.resolvedAt),
    ...(sla
      ? {
          sla: {
            firstResponse: {
              dueAt: sla.firstResponse.dueAt.toISOString(),
              status: sla.firstResponse.status,
            },
            resolution: {
              dueAt: sla.resolution.dueAt.toISOString(),
              status: sla.resolution.status,
            },
            paused: sla.paused,
          },
        }
      : {}),
  };
}

/** The holder's view of a ticket: what /v1/me/tickets/{id} answers (no assignee, no notes). */
function holderTicketJson(t: Ticket) {
  return {
    id: t.id,
    subject: t.subject,
    category: t.category,
    state: t.state,
    blockerCode: t.blockerCode,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    resolvedAt: iso(t.resolvedAt),
  };
}

function messageJson(m: TicketMessage, audience: 'holder' | 'agent') {
  if (audience === 'holder')
    return {
      id: m.id,
      from: m.author.kind === 'holder' ? 'holder' : 'support',
      body: m.body,
      redacted: m.redacted,
      createdAt: m.createdAt.toISOString(),
    };
  return { ...m, createdAt: m.createdAt.toISOString() };
}

function printRedaction(io: CliIo, redacted: { kind: SecretKind }[], warning: string | null) {
  if (redacted.length === 0) return;
  io.stderr(
    `offboard: redacted before storing: ${redacted.map((r) => PLACEHOLDERS[r.kind]).join(', ')}\n`,
  );
  if (warning) io.stderr(`offboard: warning: ${warning}\n`);
}

function printMessages(io: CliIo, messages: TicketMessage[], audience: 'holder' | 'agent') {
  for (const m of messages) {
    const who =
      audience === 'holder'
        ? m.author.kind === 'holder'
          ? 'you'
          : 'support'
        : `${m.kind === 'note' ? 'NOTE ' : ''}${m.author.kind}:${m.author.id}`;
    io.stdout(`  [${m.createdAt.toISOString()}] ${escapeControl(who)}: ${escapeControl(m.body)}\n`);
    if (audience === 'agent' && m.phishing.length > 0)
      io.stdout(`    ! looks like phishing: ${escapeControl(m.phishing.join('; '))}\n`);
  }
}

export function registerTickets(program: Command, deps: CliDeps, exit: ExitBox): void {
  const tickets = program
    .command('tickets')
    .description('support tickets: open, list, show, reply, note, assign, resolve')
    .option('--breaching', 'list tickets late or about to be (the SLA queue)')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const rows = await (
          await ticketsModule()
        ).listTickets(ctx.app, ctx.rules, {
          breaching: Boolean(opts.breaching),
          state: 'active',
          limit: 200,
        });
        return printList(deps.io, rows, Boolean(opts.json));
      }),
    );

  tickets
    .command('open <account>')
    .description("open a ticket as the account's holder (from a blocker: --blocker CODE)")
    .requiredOption(
      '--message <text>',
      'the first message (secrets in it are redacted before storage)',
    )
    .option('--blocker <code>', 'the blocker the ticket is about: it keeps the verdict')
    .option('--subject <text>', 'a subject (default: from the blocker)')
    .option('--category <category>', `one of ${TICKET_CATEGORIES.join(', ')}`)
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, account: string) => {
        const opened = await (
          await ticketsModule()
        ).openSupportTicket(ctx.app, ctx.rules, {
          accountId: account,
          actor: { kind: 'holder', id: account },
          body: opts.message,
          subject: opts.subject,
          category: oneOf<TicketCategory>(TICKET_CATEGORIES, '--category', opts.category),
          blockerCode: opts.blocker,
        });
        if (opts.json) {
          printJson(deps.io, {
            ticket: holderTicketJson(opened.ticket),
            message: messageJson(opened.message, 'holder'),
            verdict: opened.verdict ? holderVerdict(opened.verdict) : null,
            redacted: opened.redacted.map((r) => ({
              kind: r.kind,
              placeholder: PLACEHOLDERS[r.kind],
            })),
            warning: opened.warning,
          });
        } else {
          deps.io.stdout(
            `ticket ${opened.ticket.id} opened (${opened.ticket.category}): ${escapeControl(opened.ticket.subject)}\n`,
          );
        }
        printRedaction(deps.io, opened.redacted, opened.warning);
        return 0;
      }),
    );

  tickets
    .command('list')
    .description('the ticket queue, newest first, with each SLA')
    .option('--account <account>', "one account's tickets")
    .option('--state <state>', `one of ${TICKET_STATES.join(', ')}, or active`)
    .option('--assignee <agent>', "one agent's tickets")
    .option('--priority <priority>', `one of ${TICKET_PRIORITIES.join(', ')}`)
    .option('--breaching', 'only tickets late or about to be')
    .option('--limit <n>', 'how many (default 50)')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts) => {
        const rows = await (
          await ticketsModule()
        ).listTickets(ctx.app, ctx.rules, {
          accountId: opts.account,
          state: oneOf<TicketState | 'active'>([...TICKET_STATES, 'active'], '--state', opts.state),
          assignee: opts.assignee,
          priority: oneOf<TicketPriority>(TICKET_PRIORITIES, '--priority', opts.priority),
          breaching: Boolean(opts.breaching),
          limit: opts.limit === undefined ? 50 : parseCount(opts.limit, '--limit', 1),
        });
        return printList(deps.io, rows, Boolean(opts.json));
      }),
    );

  tickets
    .command('show <ticket>')
    .description("a ticket: the agent's view (notes, flags, account picture), or --holder's")
    .option('--holder <account>', "the holder's view: replies only, the verdict in their words")
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, ticketId: string) => {
        const mod = await ticketsModule();
        if (opts.holder !== undefined) {
          const view = await mod.holderTicket(ctx.app, { accountId: opts.holder, ticketId });
          if (opts.json) {
            printJson(deps.io, {
              ticket: holderTicketJson(view.ticket),
              messages: view.messages.map((m) => messageJson(m, 'holder')),
              verdict: view.verdict ? holderVerdict(view.verdict) : null,
            });
            return 0;
          }
          deps.io.stdout(
            `ticket ${view.ticket.id} (${view.ticket.state}): ${escapeControl(view.ticket.subject)}\n`,
          );
          printMessages(deps.io, view.messages, 'holder');
          return 0;
        }
        const view = await mod.agentTicket(ctx.app, ctx.rules, { ticketId });
        if (opts.json) {
          printJson(deps.io, {
            ticket: ticketJson(view.ticket, view.sla),
            messages: view.messages.map((m) => messageJson(m, 'agent')),
            openedWith: view.openedWith,
            account: {
              verdict: view.picture.verdict,
              closures: view.picture.closures.map((s) => ({
                id: s.closure.id,
                state: s.closure.state,
              })),
              audit: view.picture.audit.map((e) => ({
                seq: e.seq,
                at: new Date(e.at).toISOString(),
                actor: `${e.actorKind}:${e.actorId}`,
                action: e.action,
              })),
            },
          });
          return 0;
        }
        const t = view.ticket;
        deps.io.stdout(
          `ticket ${t.id} on ${t.accountId} (${t.state}, ${t.category}, ${t.priority}${t.assignee ? `, ${escapeControl(t.assignee)}` : ''}): ${escapeControl(t.subject)}\n` +
            `  SLA: first response ${view.sla.firstResponse.status} (due ${view.sla.firstResponse.dueAt.toISOString()}), resolution ${view.sla.resolution.status} (due ${view.sla.resolution.dueAt.toISOString()})${view.sla.paused ? ', paused' : ''}\n`,
        );
        printMessages(deps.io, view.messages, 'agent');
        deps.io.stdout(
          `  account: ${view.picture.verdict.eligible ? 'eligible' : view.picture.verdict.blockers.map((b) => b.code).join(', ')}\n`,
        );
        return 0;
      }),
    );

  tickets
    .command('reply <ticket>')
    .description('reply on a ticket as the holder (--holder) or as an agent (--agent)')
    .requiredOption('--message <text>', 'the reply (secrets in it are redacted before storage)')
    .option('--holder <account>', "write as the account's holder")
    .option('--agent <id>', 'write as this support agent')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, ticketId: string) => {
        const mod = await ticketsModule();
        const posted =
          actorOf(opts) === 'holder'
            ? await mod.holderReply(ctx.app, ctx.rules, {
                accountId: opts.holder!,
                ticketId,
                body: opts.message,
              })
            : await mod.agentReply(ctx.app, ctx.rules, {
                ticketId,
                agentId: opts.agent!,
                body: opts.message,
              });
        const audience = opts.holder !== undefined ? 'holder' : 'agent';
        if (opts.json)
          printJson(deps.io, {
            ticket:
              audience === 'holder' ? holderTicketJson(posted.ticket) : ticketJson(posted.ticket),
            message: messageJson(posted.message, audience),
            redacted: posted.redacted.map((r) => ({
              kind: r.kind,
              placeholder: PLACEHOLDERS[r.kind],
            })),
            warning: posted.warning,
          });
        else deps.io.stdout(`replied on ticket ${posted.ticket.id} (${posted.ticket.state})\n`);
        printRedaction(deps.io, posted.redacted, posted.warning);
        return 0;
      }),
    );

  tickets
    .command('note <ticket>')
    .description('add an internal note (agents only; the holder never sees it)')
    .requiredOption('--agent <id>', 'the agent writing')
    .requiredOption('--message <text>', 'the note (secrets in it are redacted before storage)')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, ticketId: string) => {
        const posted = await (
          await ticketsModule()
        ).addNote(ctx.app, ctx.rules, { ticketId, agentId: opts.agent, body: opts.message });
        if (opts.json)
          printJson(deps.io, {
            ticket: ticketJson(posted.ticket),
            message: messageJson(posted.message, 'agent'),
          });
        else deps.io.stdout(`note added to ticket ${posted.ticket.id}\n`);
        printRedaction(deps.io, posted.redacted, posted.warning);
        return 0;
      }),
    );

  tickets
    .command('assign <ticket>')
    .description('assign a ticket (to the acting agent unless --to names another)')
    .requiredOption('--agent <id>', 'the agent acting')
    .option('--to <id>', 'the agent to assign (default: --agent)')
    .option('--priority <priority>', `one of ${TICKET_PRIORITIES.join(', ')}`)
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, ticketId: string) => {
        const ticket = await (
          await ticketsModule()
        ).assignTicket(ctx.app, ctx.rules, {
          ticketId,
          agentId: opts.agent,
          assignee: opts.to ?? opts.agent,
          priority: oneOf<TicketPriority>(TICKET_PRIORITIES, '--priority', opts.priority),
        });
        if (opts.json) printJson(deps.io, { ticket: ticketJson(ticket) });
        else
          deps.io.stdout(
            `ticket ${ticket.id} assigned to ${escapeControl(ticket.assignee ?? '')}\n`,
          );
        return 0;
      }),
    );

  tickets
    .command('resolve <ticket>')
    .description('resolve a ticket, with an optional last reply to the holder')
    .requiredOption('--agent <id>', 'the agent acting')
    .option('--message <text>', 'a last reply to the holder')
    .option('--json', 'print the result as JSON')
    .action(
      action(deps, exit, async (ctx, opts, ticketId: string) => {
        const ticket = await (
          await ticketsModule()
        ).resolveTicket(ctx.app, ctx.rules, { ticketId, agentId: opts.agent, reply: opts.message });
        if (opts.json) printJson(deps.io, { ticket: ticketJson(ticket) });
        else deps.io.stdout(`ticket ${ticket.id} resolved\n`);
        return 0;
      }),
    );
}

function printList(
  io: CliIo,
  rows: { ticket: Ticket; sla: TicketSla; breaching: boolean }[],
  json: boolean,
): number {
  if (json) {
    printJson(io, {
      tickets: rows.map((r) => ({ ...ticketJson(r.ticket, r.sla), breaching: r.breaching })),
    });
    return 0;
  }
  if (rows.length === 0) {
    io.stdout('no tickets\n');
    return 0;
  }
  for (const { ticket: t, sla, breaching } of rows) {
    io.stdout(
      `${t.id}  ${t.accountId}  ${t.state}  ${t.category}/${t.priority}  ${t.assignee ? escapeControl(t.assignee) : '-'}  first response ${sla.firstResponse.status}, resolution ${sla.resolution.status}${breaching ? '  BREACHING' : ''}  ${escapeControl(t.subject)}\n`,
    );
  }
  return 0;
}
