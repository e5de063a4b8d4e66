import type { Selectable } from 'kysely';
import type { RenderedVerdict } from '../../domain/messages.js';
import type { SecretKind } from '../../domain/redaction.js';
import type {
  SlaSignal,
  Ticket,
  TicketCategory,
  TicketPriority,
  TicketState,
} from '../../domain/tickets.js';
import type {
  StoredTicket,
  TicketFilter,
  TicketMessage,
  TicketMessageKind,
  TicketRepository,
} from '../../ports/tickets.js';
import type { Db } from './database.js';
import type { TicketMessageTable, TicketTable } from './ticket.table.js';

/** All SQL of support tickets. Rows become domain values here, at the edge. */

const instant = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));
const ms = (date: Date | null) => (date === null ? null : date.getTime());

// Only this module writes these JSON columns, always from the types they are read back as.
function toStored(row: Selectable<TicketTable>): StoredTicket {
  return {
    ticket: {
      id: row.id,
      accountId: row.account_id,
      subject: row.subject,
      category: row.category as TicketCategory,
      priority: row.priority as TicketPriority,
      state: row.state as TicketState,
      assignee: row.assignee,
      closureId: row.closure_id,
      blockerCode: row.blocker_code,
      createdAt: new Date(Number(row.created_at)),
      updatedAt: new Date(Number(row.updated_at)),
      firstRespondedAt: instant(row.first_responded_at),
      resolvedAt: instant(row.resolved_at),
      closedAt: instant(row.closed_at),
      pausedMs: Number(row.paused_ms),
      pausedSince: instant(row.paused_since),
      slaSignals: JSON.parse(row.sla_signals) as SlaSignal[],
      version: Number(row.version),
    },
    verdict: row.verdict === null ? null : (JSON.parse(row.verdict) as RenderedVerdict),
  };
}

function toMessage(row: Selectable<TicketMessageTable>): TicketMessage {
  return {
    id: row.id,
    ticketId: row.ticket_id,
    kind: row.kind as TicketMessageKind,
    author: { kind: row.author_kind as TicketMessage['author']['kind'], id: row.author_id },
    body: row.body,
    redacted: JSON.parse(row.redacted) as SecretKind[],
    phishing: JSON.parse(row.phishing) as string[],
    createdAt: new Date(Number(row.created_at)),
  };
}

function columns(ticket: Ticket) {
  return {
    subject: ticket.subject,
    category: ticket.category,
    priority: ticket.priority,
    state: ticket.state,
    assignee: ticket.assignee,
    closure_id: ticket.closureId,
    blocker_code: ticket.blockerCode,
    updated_at: ticket.updatedAt.getTime(),
    first_responded_at: ms(ticket.firstRespondedAt),
    resolved_at: ms(ticket.resolvedAt),
    closed_at: ms(ticket.closedAt),
    paused_ms: ticket.pausedMs,
    paused_since: ms(ticket.pausedSince),
    sla_signals: JSON.stringify(ticket.slaSignals),
    version: ticket.version,
  };
}

/** The tickets, bound to `db` (the pool or one transaction). */
export class KyselyTicketRepository implements TicketRepository {
  constructor(private readonly db: Db) {}

  async insert(
    ticket: Ticket,
    extra: { verdict: RenderedVerdict | null; nextSlaAt: number | null },
  ): Promise<void> {
    await this.db
      .insertInto('tickets')
      .values({
        id: ticket.id,
        account_id: ticket.accountId,
        created_at: ticket.createdAt.getTime(),
        ...columns(ticket),
        verdict: extra.verdict === null ? null : JSON.stringify(extra.verdict),
        next_sla_at: extra.nextSlaAt,
      })
      .execute();
  }

  async save(
    next: Ticket,
    previousVersion: number,
    extra: { nextSlaAt: number | null },
  ): Promise<boolean> {
    const result = await this.db
      .updateTable('tickets')
      .set({ ...columns(next), next_sla_at: extra.nextSlaAt })
      .where('id', '=', next.id)
      .where('version', '=', previousVersion)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async get(ticketId: string): Promise<StoredTicket | null> {
    const row = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('id', '=', ticketId)
      .executeTakeFirst();
    return row ? toStored(row) : null;
  }

  async list(filter: TicketFilter): Promise<StoredTicket[]> {
    let query = this.db
      .selectFrom('tickets')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.accountId) query = query.where('account_id', '=', filter.accountId);
    if (filter.state === 'active') query = query.where('state', 'not in', ['resolved', 'closed']);
    else if (filter.state) query = query.where('state', '=', filter.state);
    if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
    if (filter.category) query = query.where('category', '=', filter.category);
    if (filter.priority) query = query.where('priority', '=', filter.priority);
    return (await query.execute()).map(toStored);
  }

  async slaDue(now: number, limit: number): Promise<StoredTicket[]> {
    const rows = await this.db
      .selectFrom('tickets')
      .selectAll()
      .where('next_sla_at', '<=', now)
      .orderBy('next_sla_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toStored);
  }

  async addMessage(message: TicketMessage): Promise<void> {
    await this.db
      .insertInto('ticket_messages')
      .values({
        id: message.id,
        ticket_id: message.ticketId,
        kind: message.kind,
        author_kind: message.author.kind,
        author_id: message.author.id,
        body: message.body,
        redacted: JSON.stringify(message.redacted),
        phishing: JSON.stringify(message.phishing),
        created_at: message.createdAt.getTime(),
      })
      .execute();
  }

  async messages(ticketId: string): Promise<TicketMessage[]> {
    const rows = await this.db
      .selectFrom('ticket_messages')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .orderBy('seq')
      .execute();
    return rows.map(toMessage);
  }

  /*
   * The one place the holder's views read messages from: replies only, and without the
   * phishing flags (agents' notes on what the holder forwarded). An internal note never
   * leaves this method.
   */
  async holderMessages(ticketId: string): Promise<TicketMessage[]> {
    const rows = await this.db
      .selectFrom('ticket_messages')
      .selectAll()
      .where('ticket_id', '=', ticketId)
      .where('kind', '=', 'reply')
      .orderBy('seq')
      .execute();
    return rows.map((row) => ({ ...toMessage(row), phishing: [] }));
  }
}
