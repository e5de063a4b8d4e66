import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import { ChainVerifier, GENESIS_HASH, chainEntry } from '../../domain/audit-chain.js';
import type { AuditEntry, AuditEntryContent, ChainVerdict } from '../../domain/audit-chain.js';
import type { AuditRepository } from '../../ports/audit.js';
import type { Database, Db } from './database.js';
import type { AuditLogTable } from './workflow.table.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Appends one entry inside the caller's transaction, so the entry lands with the change
 * it records or not at all. Appends are serialized (SQLite's write lock; an advisory
 * lock on PostgreSQL): two writers reading the same head would fork the chain.
 */
export async function appendAudit(
  database: Database,
  tx: Db,
  content: AuditEntryContent,
): Promise<AuditEntry> {
  await database.store.lockAuditChain(tx);
  const head = await tx
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const entry = chainEntry((head?.seq ?? 0) + 1, head?.hash ?? GENESIS_HASH, content, sha256);
  await tx
    .insertInto('audit_log')
    .values({
      seq: entry.seq,
      at: entry.at,
      actor_kind: entry.actorKind,
      actor_id: entry.actorId,
      action: entry.action,
      account_id: entry.accountId,
      data: entry.data,
      prev_hash: entry.prevHash,
      hash: entry.hash,
    })
    .execute();
  await tx
    .insertInto('audit_head')
    .values({ id: 1, seq: entry.seq, hash: entry.hash })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seq: entry.seq, hash: entry.hash }))
    .execute();
  return entry;
}

const PAGE = 5000;

/** Walks the whole chain in pages (constant memory) and names the first broken entry. */
export async function verifyAudit(
  database: Pick<Database, 'db'>,
  onProgress?: (checked: number) => void,
): Promise<ChainVerdict> {
  const verifier = new ChainVerifier(sha256);
  let after = 0;
  let checked = 0;
  for (;;) {
    const rows = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      if (!verifier.push(toAuditEntry(row))) return verifier.finish(null);
    }
    checked += rows.length;
    onProgress?.(checked);
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.seq);
  }
  const head = await database.db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return verifier.finish(head ? { seq: Number(head.seq), hash: head.hash } : null);
}

export async function auditEntries(
  database: Pick<Database, 'db'>,
  accountId: string,
  limit = 100,
): Promise<AuditEntry[]> {
  const rows = await database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map(toAuditEntry);
}

export function toAuditEntry(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    seq: Number(row.seq),
    at: Number(row.at),
    actorKind: row.actor_kind as AuditEntry['actorKind'],
    actorId: row.actor_id,
    action: row.action,
    accountId: row.account_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Audit entries in chain order after `afterSeq`, of one account or all. */
export async function auditPage(
  db: Db,
  options: { accountId?: string; afterSeq: number; limit: number },
): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .where('seq', '>', options.afterSeq)
    .orderBy('seq')
    .limit(options.limit);
  if (options.accountId) query = query.where('account_id', '=', options.accountId);
  return (await query.execute()).map(toAuditEntry);
}

/** The audit repository, bound to `db` (the pool or one transaction). */
export class KyselyAuditRepository implements AuditRepository {
  constructor(
    private readonly database: Database,
    private readonly db: Db,
  ) {}

  append(content: AuditEntryContent): Promise<AuditEntry> {
    return appendAudit(this.database, this.db, content);
  }

  verify(onProgress?: (checked: number) => void): Promise<ChainVerdict> {
    return verifyAudit({ db: this.db }, onProgress);
  }

  forAccount(accountId: string, limit?: number): Promise<AuditEntry[]> {
    return auditEntries({ db: this.db }, accountId, limit);
  }

  page(options: { accountId?: string; afterSeq: number; limit: number }): Promise<AuditEntry[]> {
    return auditPage(this.db, options);
  }
}
