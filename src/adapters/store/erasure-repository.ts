import type { RecordClass } from '../../domain/retention.js';
import type {
  Erasure,
  ErasureRepository,
  JournalEntry,
  StoredCertificate,
} from '../../ports/erasures.js';
import type { Database, Db } from './database.js';
import type { ErasureTable } from './retention.table.js';

function toErasure(row: ErasureTable): Erasure {
  return {
    accountId: row.account_id,
    jurisdiction: row.jurisdiction,
    closedAt: new Date(Number(row.closed_at)),
    state: row.state,
    dueAt: row.due_at === null ? null : new Date(Number(row.due_at)),
    erasedClasses: JSON.parse(row.erased_classes) as RecordClass[],
    heldSince: row.held_since === null ? null : new Date(Number(row.held_since)),
    attempts: Number(row.attempts),
    lastError: row.last_error,
    version: Number(row.version),
  };
}

/** Erasure jobs in the `erasures` table, claimed with a lease like closures. */
export class KyselyErasureRepository implements ErasureRepository {
  constructor(
    private readonly database: Database,
    private readonly db: Db,
  ) {}

  async schedule(input: {
    accountId: string;
    jurisdiction: string;
    closedAt: Date;
    dueAt: Date | null;
    erasedClasses: readonly RecordClass[];
    now: Date;
  }): Promise<void> {
    await this.db
      .insertInto('erasures')
      .values({
        account_id: input.accountId,
        jurisdiction: input.jurisdiction,
        closed_at: input.closedAt.getTime(),
        state: 'scheduled',
        due_at: input.dueAt?.getTime() ?? null,
        erased_classes: JSON.stringify(input.erasedClasses),
        held_since: null,
        attempts: 0,
        last_error: null,
        version: 1,
        lease_owner: null,
        lease_expires_at: null,
        created_at: input.now.getTime(),
        updated_at: input.now.getTime(),
      })
      .onConflict((oc) => oc.column('account_id').doNothing())
      .execute();
  }

  async get(accountId: string): Promise<Erasure | null> {
    const row = await this.db
      .selectFrom('erasures')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    return row ? toErasure(row) : null;
  }

  async listDue(options: { now: Date; limit: number }): Promise<Erasure[]> {
    const rows = await this.db
      .selectFrom('erasures')
      .selectAll()
      .where('state', '!=', 'erased')
      .where('due_at', '<=', options.now.getTime())
      .orderBy('due_at')
      .orderBy('account_id')
      .limit(options.limit)
      .execute();
    return rows.map(toErasure);
  }

  async counts(now: Date) {
    const rows = await this.db
      .selectFrom('erasures')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const by = new Map(rows.map((r) => [r.state, Number(r.n)]));
    const due = await this.db
      .selectFrom('erasures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('state', '!=', 'erased')
      .where('due_at', '<=', now.getTime())
      .executeTakeFirstOrThrow();
    return {
      scheduled: by.get('scheduled') ?? 0,
      held: by.get('held') ?? 0,
      erased: by.get('erased') ?? 0,
      due: Number(due.n),
    };
  }

  claimDue(options: { now: Date; owner: string; until: Date; limit: number }): Promise<Erasure[]> {
    const now = options.now.getTime();
    return this.database.store.transaction(this.db, async (tx) => {
      const due = await this.database.store
        .forUpdateSkipLocked(
          tx
            .selectFrom('erasures')
            .select('account_id')
            .where('state', '!=', 'erased')
            .where('due_at', '<=', now)
            .where((eb) =>
              eb.or([eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<=', now)]),
            )
            .orderBy('due_at')
            .limit(options.limit),
        )
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((d) => d.account_id);
      await tx
        .updateTable('erasures')
        .set({ lease_owner: options.owner, lease_expires_at: options.until.getTime() })
        .where('account_id', 'in', ids)
        .execute();
      const rows = await tx
        .selectFrom('erasures')
        .selectAll()
        .where('account_id', 'in', ids)
        .orderBy('due_at')
        .execute();
      return rows.map(toErasure);
    });
  }

  async claim(
    accountId: string,
    options: { now: Date; owner: string; until: Date },
  ): Promise<Erasure | null> {
    const now = options.now.getTime();
    const result = await this.db
      .updateTable('erasures')
      .set({ lease_owner: options.owner, lease_expires_at: options.until.getTime() })
      .where('account_id', '=', accountId)
      .where((eb) =>
        eb.or([
          eb('lease_expires_at', 'is', null),
          eb('lease_expires_at', '<=', now),
          eb('lease_owner', '=', options.owner),
        ]),
      )
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return null;
    return this.get(accountId);
  }

  async save(erasure: Erasure, owner: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('erasures')
      .set({
        state: erasure.state,
        due_at: erasure.dueAt?.getTime() ?? null,
        erased_classes: JSON.stringify(erasure.erasedClasses),
        held_since: erasure.heldSince?.getTime() ?? null,
        attempts: erasure.attempts,
        last_error: erasure.lastError,
        version: erasure.version + 1,
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now.getTime(),
      })
      .where('account_id', '=', erasure.accountId)
      .where('version', '=', erasure.version)
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async wake(accountId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set({ due_at: now.getTime(), updated_at: now.getTime() })
      .where('account_id', '=', accountId)
      .where('state', '=', 'held')
      .execute();
  }

  async fail(
    accountId: string,
    owner: string,
    error: string,
    retryAt: Date,
    now: Date,
  ): Promise<void> {
    await this.db
      .updateTable('erasures')
      .set((eb) => ({
        attempts: eb('attempts', '+', 1),
        last_error: error.slice(0, 500),
        due_at: retryAt.getTime(),
        lease_owner: null,
        lease_expires_at: null,
        updated_at: now.getTime(),
      }))
      .where('account_id', '=', accountId)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async eraseOwnRecords(accountId: string, classes: readonly RecordClass[]): Promise<void> {
    if (classes.includes('communications')) {
      await this.db.deleteFrom('mailbox').where('account_id', '=', accountId).execute();
      // Free text written about the holder: kept for agents while the records are kept.
      await this.db
        .updateTable('closures')
        .set({ reason: null })
        .where('account_id', '=', accountId)
        .execute();
      await this.db
        .updateTable('disablements')
        .set({ reason: '' })
        .where('account_id', '=', accountId)
        .execute();
      await this.db
        .updateTable('approvals')
        .set({ note: '' })
        .where('account_id', '=', accountId)
        .execute();
    }
    if (classes.includes('identity')) {
      // Kept until now so a link pressed after closure still says the account is closed.
      await this.db.deleteFrom('disable_links').where('account_id', '=', accountId).execute();
    }
    if (classes.includes('security')) {
      // Token cutoffs stay: they hold no personal data, and deleting one would revive
      // tokens a disable killed.
      await this.db
        .deleteFrom('idempotency_keys')
        .where('identity', '=', `holder:${accountId}`)
        .execute();
    }
  }

  compact(): Promise<void> {
    return this.database.store.compactAfterErasure(this.db);
  }

  async addCertificate(certificate: StoredCertificate): Promise<void> {
    await this.db
      .insertInto('erasure_certificates')
      .values({
        id: certificate.id,
        account_id: certificate.accountId,
        issued_at: certificate.issuedAt.getTime(),
        document: certificate.document,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async certificates(accountId: string): Promise<StoredCertificate[]> {
    const rows = await this.db
      .selectFrom('erasure_certificates')
      .selectAll()
      .where('account_id', '=', accountId)
      .orderBy('issued_at')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      issuedAt: new Date(Number(r.issued_at)),
      document: r.document,
    }));
  }

  async certificate(id: string): Promise<StoredCertificate | null> {
    const r = await this.db
      .selectFrom('erasure_certificates')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return r
      ? {
          id: r.id,
          accountId: r.account_id,
          issuedAt: new Date(Number(r.issued_at)),
          document: r.document,
        }
      : null;
  }

  async journal(accountId: string, erasedAt: Date, classes: readonly RecordClass[]): Promise<void> {
    await this.db
      .insertInto('erasure_journal')
      .values({
        account_id: accountId,
        erased_at: erasedAt.getTime(),
        classes: JSON.stringify(classes),
        copied: 0,
      })
      .execute();
  }

  async uncopiedJournal(limit: number): Promise<JournalEntry[]> {
    const rows = await this.db
      .selectFrom('erasure_journal')
      .selectAll()
      .where('copied', '=', 0)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      accountId: r.account_id,
      erasedAt: new Date(Number(r.erased_at)),
      classes: JSON.parse(r.classes) as RecordClass[],
    }));
  }

  async markCopied(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    await this.db
      .updateTable('erasure_journal')
      .set({ copied: 1 })
      .where('seq', 'in', [...seqs])
      .execute();
  }
}
