import type { Selectable } from 'kysely';
import type { ApiKeyRecord, ApiKeyRepository } from '../../ports/api-keys.js';
import type { Db } from './database.js';
import type { ApiKeyTable } from './http.table.js';

/** All SQL of API keys. */

function toRecord(row: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    scopes: row.scopes.split(',').filter(Boolean),
    createdAt: new Date(Number(row.created_at)),
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
  };
}

/** The API keys, bound to `db` (the pool or one transaction). */
export class KyselyApiKeyRepository implements ApiKeyRepository {
  constructor(private readonly db: Db) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        name: key.name,
        secret_hash: key.secretHash,
        scopes: key.scopes.join(','),
        created_at: key.createdAt.getTime(),
        revoked_at: key.revokedAt === null ? null : key.revokedAt.getTime(),
      })
      .execute();
  }

  async find(id: string): Promise<ApiKeyRecord | null> {
    const row = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  async list(): Promise<ApiKeyRecord[]> {
    return (
      await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute()
    ).map(toRecord);
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now.getTime() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
