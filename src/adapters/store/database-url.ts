import { OffboardError } from '../../domain/errors.js';

export type DatabaseLocation =
  { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

export const DEFAULT_DATABASE_URL = 'sqlite:./offboard.db';

const ACCEPTED = 'sqlite:PATH, sqlite::memory:, postgres://... or postgresql://...';

/** Reads a database URL; anything but the accepted forms is an error naming them. */
export function parseDatabaseUrl(url: string): DatabaseLocation {
  const text = url.trim();
  if (text.startsWith('postgres://') || text.startsWith('postgresql://')) {
    return { dialect: 'postgres', url: text };
  }
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length);
    if (path.length === 0) {
      throw new OffboardError(
        'OFFBOARD_ERR_BAD_DATABASE_URL',
        `"${url}" names no file; use ${ACCEPTED}`,
      );
    }
    return { dialect: 'sqlite', path };
  }
  throw new OffboardError(
    'OFFBOARD_ERR_BAD_DATABASE_URL',
    `"${url}" is not a database URL offboard accepts; use ${ACCEPTED}`,
  );
}

/** `--db` flag, else OFFBOARD_DATABASE_URL, else the embedded SQLite file. */
export function resolveDatabaseUrl(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? env['OFFBOARD_DATABASE_URL'] ?? DEFAULT_DATABASE_URL;
}

/** A URL fit for messages: the password is never printed. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/(postgres(?:ql)?:\/\/[^:/@]+:)[^@]*@/, '$1***@');
}
