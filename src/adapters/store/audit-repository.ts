import { createHash } from 'node:crypto';
import type { Selectable } from 'kysely';
import {
  ChainVerifier,
  brokenAt,
  chainEntry,
  chainOf,
  checkpointRoot,
  checkpointSignedText,
  sortHeads,
} from '../../domain/audit-chain.js';
import type {
  AuditCheckpoint,
  AuditEntry,
  AuditEntryContent,
  ChainHead,
  ChainVerdict,
} from '../../domain/audit-chain.js';
import type { AuditRepository, AuditVerifyOptions, CheckpointSigner } from '../../ports/audit.js';
import type { Database, Db } from './database.js';
import type { AuditCheckpointTable, AuditLogTable } from './workflow.table.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

// The number of account chains is fixed when migration 006 runs, so it is read once per
// database and kept.
const accountChainCounts = new WeakMap<Database, number>();

async function accountChains(database: Database, tx: Db): Promise<number> {
  const known = accountChainCounts.get(database);
  if (known !== undefined) return known;
  // Read through `tx`: on SQLite the pool is the one connection the transaction holds.
  const row = await tx
    .selectFrom('audit_chains')
    .select((eb) => eb.fn.max('chain').as('last'))
    .executeTakeFirstOrThrow();
  const count = Number(row.last);
  accountChainCounts.set(database, count);
  return count;
}

/**
 * Appends one entry to its account's chain inside the caller's transaction, so the entry
 * lands with the change it records or not at all. The update that advances the chain's
 * head row locks that row until commit: two writers of one chain take turns (they would
 * fork it otherwise), writers of different chains never wait for each other.
 */
export async function appendAudit(
  database: Database,
  tx: Db,
  content: AuditEntryContent,
): Promise<AuditEntry> {
  // Bound to the pool, not a unit of work: the head's advance and the entry still commit together.
  if (tx === database.db) {
    return database.store.transaction(tx, (inner) => appendAudit(database, inner, content));
  }
  const chain = chainOf(content.accountId, await accountChains(database, tx), sha256);
  const head = await tx
    .updateTable('audit_chains')
    .set((eb) => ({ seq: eb('seq', '+', 1) }))
    .where('chain', '=', chain)
    .returning(['seq', 'hash'])
    .executeTakeFirstOrThrow();
  const entry = chainEntry(chain, Number(head.seq), head.hash, content, sha256);
  const seq = await database.store.insertAuditEntry(tx, {
    at: entry.at,
    actor_kind: entry.actorKind,
    actor_id: entry.actorId,
    action: entry.action,
    account_id: entry.accountId,
    data: entry.data,
    prev_hash: entry.prevHash,
    hash: entry.hash,
    chain,
    chain_seq: entry.chainSeq,
  });
  return { ...entry, seq };
}

const PAGE = 5000;

/** Every chain's stored head: the legacy chain's (when it has entries), then chains 0..P. */
export async function auditHeads(db: Db): Promise<ChainHead[]> {
  const legacy = await db
    .selectFrom('audit_head')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const chains = await db
    .selectFrom('audit_chains')
    .select(['chain', 'seq', 'hash'])
    .orderBy('chain')
    .execute();
  return [
    ...(legacy ? [{ chain: null, seq: Number(legacy.seq), hash: legacy.hash }] : []),
    ...chains.map((c) => ({ chain: Number(c.chain), seq: Number(c.seq), hash: c.hash })),
  ];
}

/**
 * Walks one chain in pages (constant memory) up to the head read before the walk, then
 * checks nothing lies beyond it. Writers keep appending while `verify` runs: an entry past
 * that head is theirs if the head has moved past it since, and was put there by hand if not.
 */
async function verifyChain(
  db: Db,
  chain: number | null,
  stored: ChainHead | undefined,
  onPage: (rows: number) => void,
): Promise<ChainHead | Extract<ChainVerdict, { intact: false }>> {
  const headSeq = stored?.seq ?? 0;
  const verifier = new ChainVerifier(sha256, chain);
  let after = 0;
  for (;;) {
    const page = db
      .selectFrom('audit_log')
      .selectAll()
      .where('chain_seq', '>', after)
      .where('chain_seq', '<=', headSeq)
      .orderBy('chain_seq')
      .limit(PAGE);
    const rows = await (
      chain === null ? page.where('chain', 'is', null) : page.where('chain', '=', chain)
    ).execute();
    for (const row of rows) {
      if (!verifier.push(toAuditEntry(row))) return verifier.finish(null);
    }
    onPage(rows.length);
    if (rows.length < PAGE) break;
    after = Number(rows[rows.length - 1]!.chain_seq);
  }
  const last = db
    .selectFrom('audit_log')
    .select('chain_seq')
    .where('chain_seq', '>', headSeq)
    .orderBy('chain_seq', 'desc')
    .limit(1);
  const beyond = await (
    chain === null ? last.where('chain', 'is', null) : last.where('chain', '=', chain)
  ).executeTakeFirst();
  if (beyond) {
    const now = (await auditHeads(db)).find((h) => h.chain === chain)?.seq ?? 0;
    if (now < Number(beyond.chain_seq)) {
      return brokenAt(
        verifier.entries,
        { chain, seq: now + 1 },
        'unexpected',
        `entry ${now + 1} was inserted: the chain's head ends at ${now}`,
      );
    }
  }
  return verifier.finish(stored ?? null);
}

/**
 * Compares a checkpoint with the verified heads: every entry it saw must still be there
 * with the hash it saw. A chain alone cannot catch its newest entries removed together
 * with its head, nor a log rewritten and re-hashed by someone with write access; a
 * signed checkpoint kept elsewhere can.
 */
async function checkAgainst(
  db: Db,
  checkpoint: AuditCheckpoint,
  verified: Map<number | null, ChainHead>,
  options: AuditVerifyOptions,
  entries: number,
  label: string,
): Promise<Extract<ChainVerdict, { intact: false }> | null> {
  const first = sortHeads(checkpoint.heads)[0] ?? { chain: 0, seq: 0 };
  if (checkpointRoot(checkpoint.at, checkpoint.heads, sha256) !== checkpoint.root) {
    return brokenAt(entries, first, 'checkpoint', `${label}: its heads do not match its root`);
  }
  const { verifier } = options;
  if (
    verifier &&
    (verifier.keyId !== checkpoint.keyId ||
      !verifier.verify(checkpointSignedText(checkpoint.root), checkpoint.signature))
  ) {
    return brokenAt(
      entries,
      first,
      'bad_signature',
      `${label}: its signature does not verify with key ${verifier.keyId} (it names key ${checkpoint.keyId})`,
    );
  }
  for (const head of sortHeads(checkpoint.heads)) {
    const now = verified.get(head.chain)?.seq ?? 0;
    if (now < head.seq) {
      return brokenAt(
        entries,
        { chain: head.chain, seq: now + 1 },
        'missing',
        `entries ${now + 1}..${head.seq} were removed from the end: ${label} saw them`,
      );
    }
    if (head.seq === 0) continue;
    let query = db.selectFrom('audit_log').select('hash').where('chain_seq', '=', head.seq);
    query =
      head.chain === null
        ? query.where('chain', 'is', null)
        : query.where('chain', '=', head.chain);
    const row = await query.executeTakeFirst();
    if (row?.hash !== head.hash) {
      return brokenAt(
        entries,
        head,
        'checkpoint',
        `entry ${head.seq} does not match ${label}: the log was rewritten`,
      );
    }
  }
  return null;
}

/** Walks every chain, then every stored checkpoint and `external`, and names the first broken entry. */
export async function verifyAudit(
  database: Pick<Database, 'db'>,
  options: AuditVerifyOptions = {},
): Promise<ChainVerdict> {
  const db = database.db;
  const stored = await auditHeads(db);
  const byChain = new Map(stored.map((h) => [h.chain, h]));
  let entries = 0;
  const onPage = (rows: number) => {
    entries += rows;
    options.onProgress?.(entries);
  };
  // Rows of a chain that has no head row were put there by hand: name the first.
  const stray = await db
    .selectFrom('audit_log')
    .select(['chain', 'chain_seq'])
    .where('chain', 'is not', null)
    .where('chain', 'not in', db.selectFrom('audit_chains').select('chain'))
    .orderBy('chain')
    .orderBy('chain_seq')
    .executeTakeFirst();
  if (stray) {
    const head = { chain: Number(stray.chain), seq: Number(stray.chain_seq) };
    return brokenAt(0, head, 'unexpected', `entry ${head.seq} belongs to no chain of this log`);
  }
  const legacyRows = await db
    .selectFrom('audit_log')
    .select('seq')
    .where('chain', 'is', null)
    .limit(1)
    .execute();
  const chains: (number | null)[] = [
    ...(byChain.has(null) || legacyRows.length > 0 ? [null] : []),
    ...stored.filter((h) => h.chain !== null).map((h) => h.chain),
  ];
  const verified = new Map<number | null, ChainHead>();
  for (const chain of chains) {
    const result = await verifyChain(db, chain, byChain.get(chain), onPage);
    if ('intact' in result) return { ...result, entries: entries + result.entries };
    verified.set(chain, result);
  }
  let checkpoints = 0;
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_checkpoints')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(100)
      .execute();
    for (const row of rows) {
      const label = `the stored checkpoint ${row.id} of ${new Date(Number(row.at)).toISOString()}`;
      const broken = await checkAgainst(db, toCheckpoint(row), verified, options, entries, label);
      if (broken) return broken;
      checkpoints += 1;
    }
    if (rows.length < 100) break;
    after = Number(rows[rows.length - 1]!.id);
  }
  if (options.external) {
    const label = `the checkpoint of ${new Date(options.external.at).toISOString()}`;
    const broken = await checkAgainst(db, options.external, verified, options, entries, label);
    if (broken) return broken;
    checkpoints += 1;
  }
  const headSeq = Math.max(0, ...[...verified.values()].map((h) => h.seq));
  return { intact: true, entries, headSeq, chains: verified.size, checkpoints };
}

export function toCheckpoint(row: Selectable<AuditCheckpointTable>): AuditCheckpoint {
  return {
    format: 'offboard-audit-checkpoint/1',
    at: Number(row.at),
    heads: JSON.parse(row.heads) as ChainHead[],
    root: row.root,
    keyId: row.key_id,
    signature: row.signature,
  };
}

/** Signs every chain's head as one statement reads them, and stores the checkpoint. */
export async function writeCheckpoint(
  db: Db,
  at: number,
  signer: CheckpointSigner,
): Promise<AuditCheckpoint> {
  const heads = sortHeads(await auditHeads(db));
  const root = checkpointRoot(at, heads, sha256);
  const checkpoint: AuditCheckpoint = {
    format: 'offboard-audit-checkpoint/1',
    at,
    heads,
    root,
    keyId: signer.keyId,
    signature: signer.sign(checkpointSignedText(root)),
  };
  await db
    .insertInto('audit_checkpoints')
    .values({
      at,
      heads: JSON.stringify(heads),
      root,
      key_id: signer.keyId,
      signature: checkpoint.signature,
    })
    .execute();
  return checkpoint;
}

export async function latestCheckpoint(db: Db): Promise<AuditCheckpoint | null> {
  const row = await db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toCheckpoint(row) : null;
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
    chain: row.chain === null ? null : Number(row.chain),
    chainSeq: Number(row.chain_seq ?? row.seq),
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

/** Audit entries in insertion order after `afterSeq`, of one account or all. */
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

  verify(options?: AuditVerifyOptions): Promise<ChainVerdict> {
    return verifyAudit({ db: this.db }, options);
  }

  checkpoint(at: number, signer: CheckpointSigner): Promise<AuditCheckpoint> {
    return writeCheckpoint(this.db, at, signer);
  }

  latestCheckpoint(): Promise<AuditCheckpoint | null> {
    return latestCheckpoint(this.db);
  }

  heads(): Promise<ChainHead[]> {
    return auditHeads(this.db);
  }

  forAccount(accountId: string, limit?: number): Promise<AuditEntry[]> {
    return auditEntries({ db: this.db }, accountId, limit);
  }

  page(options: { accountId?: string; afterSeq: number; limit: number }): Promise<AuditEntry[]> {
    return auditPage(this.db, options);
  }
}
