import {
  isSealed,
  newDataKey,
  openField,
  sealField,
  unwrapDataKey,
  wrapDataKey,
} from '../crypto/envelope.js';
import type { Keyring } from '../crypto/envelope.js';
import type { PersonalDataRepository } from '../../ports/personal-data.js';
import type { Db } from './database.js';

/**
 * Data keys in the `data_keys` table, wrapped by the keyring's KEK; fields sealed and opened
 * with them. The key row is the only way to the data: deleting it is the erasure.
 */
export class KyselyPersonalDataRepository implements PersonalDataRepository {
  /**
   * Keys already read in this transaction (null: none). Only a repository bound to one
   * transaction keeps them, for as long as that transaction lasts, so a message sealed
   * into three fields reads its key once; a key shredded elsewhere is never served from
   * here after that transaction ends.
   */
  private readonly keys: Map<string, Buffer> | null;

  constructor(
    private readonly db: Db,
    private readonly keyring: Keyring,
    private readonly now: () => number = Date.now,
    options: { cacheKeys?: boolean } = {},
  ) {
    this.keys = options.cacheKeys ? new Map() : null;
  }

  async seal(subject: string, plaintext: string): Promise<string> {
    return sealField(await this.dataKey(subject, true), subject, plaintext);
  }

  async open(subject: string, sealed: string): Promise<string | null> {
    // Rows written before migration 008 sealed anything are plain text.
    if (!isSealed(sealed)) return sealed;
    const key = await this.dataKey(subject, false);
    return key ? openField(key, subject, sealed) : null;
  }

  async shred(subject: string): Promise<boolean> {
    this.keys?.delete(subject);
    const result = await this.db
      .deleteFrom('data_keys')
      .where('subject', '=', subject)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  private async dataKey(subject: string, create: true): Promise<Buffer>;
  private async dataKey(subject: string, create: false): Promise<Buffer | null>;
  private async dataKey(subject: string, create: boolean): Promise<Buffer | null> {
    const known = this.keys?.get(subject);
    if (known) return known;
    const key = await this.readKey(subject, create);
    if (key) this.keys?.set(subject, key);
    return key;
  }

  private async readKey(subject: string, create: boolean): Promise<Buffer | null> {
    const row = await this.db
      .selectFrom('data_keys')
      .select('wrapped')
      .where('subject', '=', subject)
      .executeTakeFirst();
    if (row) return unwrapDataKey(this.keyring, subject, row.wrapped);
    if (!create) return null;
    const key = newDataKey();
    await this.db
      .insertInto('data_keys')
      .values({
        subject,
        kek_id: this.keyring.current.id,
        wrapped: wrapDataKey(this.keyring.current, subject, key),
        created_at: this.now(),
      })
      // Two writers creating the same subject's key at once: the first one's key wins.
      .onConflict((oc) => oc.column('subject').doNothing())
      .execute();
    return this.readKey(subject, true);
  }

  async rewrap(limit: number): Promise<number> {
    const rows = await this.db
      .selectFrom('data_keys')
      .select(['subject', 'wrapped'])
      .where('kek_id', '!=', this.keyring.current.id)
      .orderBy('subject')
      .limit(limit)
      .execute();
    for (const row of rows) {
      const key = unwrapDataKey(this.keyring, row.subject, row.wrapped);
      await this.db
        .updateTable('data_keys')
        .set({
          kek_id: this.keyring.current.id,
          wrapped: wrapDataKey(this.keyring.current, row.subject, key),
        })
        .where('subject', '=', row.subject)
        // A key shredded meanwhile stays shredded: the update finds no row.
        .where('wrapped', '=', row.wrapped)
        .execute();
    }
    return rows.length;
  }

  async usage(): Promise<{ current: string; byKek: Record<string, number> }> {
    const rows = await this.db
      .selectFrom('data_keys')
      .select(['kek_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('kek_id')
      .execute();
    return {
      current: this.keyring.current.id,
      byKek: Object.fromEntries(rows.map((r) => [r.kek_id, Number(r.n)])),
    };
  }
}
