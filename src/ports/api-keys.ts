/** An API key as stored: only the hash of its secret. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret part. */
  secretHash: string;
  scopes: string[];
  createdAt: Date;
  revokedAt: Date | null;
}

/** The platform's API keys. */
export interface ApiKeyRepository {
  /** Stores a new key. */
  insert(key: ApiKeyRecord): Promise<void>;
  /** One key by its public id, revoked or not. */
  find(id: string): Promise<ApiKeyRecord | null>;
  /** Every key, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Revokes an active key; false when no active key has this id. */
  revoke(id: string, now: Date): Promise<boolean>;
}
