/** What `serve`, `demo` and `token` share: the HTTP stack, loaded on use, and their options. */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OffboardError } from '../../../domain/errors.js';
import type { Context } from '../../../main/context.js';
import type { RunningServer, ServeOptions } from '../../http/server.js';
import type { StatementsConfig } from '../../http/routes/exports.js';
import {
  generateSigningKey,
  loadSigningKey,
  SIGNING_KEY_ENV,
  signingKeyFromEnv,
} from '../../statements/signing-key.js';
import type { SigningKey } from '../../statements/signing-key.js';
import { parseCount } from '../command-kit.js';

// Loaded when the command runs: `offboard --help` must not load the database stack.
export const tokensModule = () => import('../../http/tokens.js');

// Loaded when the command runs: `offboard --help` must not load the database stack.
export const agentKeysModule = () => import('../../http/agent-keys.js');

/**
 * The HTTP stack (Fastify, OpenAPI, every route) loads only for `serve` and `demo`: every
 * other command starts without paying for it.
 */
export async function startServer(ctx: Context, options: ServeOptions): Promise<RunningServer> {
  const http = await import('../../http/server.js');
  return http.startServer(ctx, options);
}

export function port(value: string): number {
  const n = parseCount(value, '--port', 0);
  if (n > 65_535)
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_ARGUMENT',
      `--port must be at most 65535, got ${n}`,
    );
  return n;
}

/**
 * Exports go below OFFBOARD_EXPORT_DIR (default ./offboard-exports), signed with the key
 * OFFBOARD_SIGNING_KEY names. The demo, when no key is named, makes a sandbox key there
 * once and keeps using it.
 */
export function statementsConfig(env: NodeJS.ProcessEnv, sandbox: boolean): StatementsConfig {
  const dir = resolve(env['OFFBOARD_EXPORT_DIR'] ?? 'offboard-exports');
  let key: Promise<SigningKey> | null = null;
  const load = async (): Promise<SigningKey> => {
    if (env[SIGNING_KEY_ENV] || !sandbox) return signingKeyFromEnv(env);
    const path = join(dir, 'sandbox-signing-key.pem');
    if (existsSync(path)) return loadSigningKey(path);
    await mkdir(dir, { recursive: true });
    return generateSigningKey(path);
  };
  return {
    dir,
    signingKey: () => {
      key ??= load().catch((error: unknown) => {
        key = null; // a fixed configuration is picked up on the next request
        throw error;
      });
      return key;
    },
  };
}

/** Resolves on SIGINT or SIGTERM: a server runs until then. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
