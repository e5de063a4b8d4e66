import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Database } from '../store/database.js';
import {
  completeIdempotencyKey,
  releaseIdempotencyKey,
  reserveIdempotencyKey,
} from '../store/idempotency-repository.js';
import { identityOf } from './auth.js';

/*
 * `Idempotency-Key` on POST: the first request with a key runs and its response is kept;
 * a repeat (a client retrying after a timeout) gets that response back and changes
 * nothing. The same key with a different request is refused rather than guessed at, and a
 * repeat that arrives while the first still runs is told to retry. Responses of 5xx are
 * not kept: the request did not happen, so a retry should run it.
 */

/** How long a key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A reservation older than this without a response belongs to a process that died. */
const STALE_MS = 60_000;

/**
 * JSON with every object's keys sorted, at every depth: `{"a":1,"b":2}` and `{"b":2,"a":1}`
 * are one request (JSON objects are unordered), so a client whose serializer orders keys
 * differently on a retry is not refused. Arrays keep their order: it is meaningful.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(v).sort()) sorted[key] = (v as Record<string, unknown>)[key];
    return sorted;
  });
}

interface Reserved {
  identity: string;
  key: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Reserved | null;
  }
}

export function installIdempotency(
  app: FastifyInstance,
  options: { database: Database; clock: Clock },
): void {
  app.decorateRequest('idempotency', null);

  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST' || !request.routeOptions.config.access) return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !/^[\x21-\x7e]{1,200}$/.test(key)) {
      throw new OffboardError(
        'OFFBOARD_ERR_INVALID_REQUEST',
        'Idempotency-Key must be 1 to 200 visible ASCII characters',
      );
    }
    const identity = identityOf(request);
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const requestHash = createHash('sha256')
      .update(canonicalJson([route, request.params ?? null, request.body ?? null]))
      .digest('hex');
    const now = options.clock.now().getTime();
    const reservation = await reserveIdempotencyKey(
      options.database.db,
      { identity, key, method: request.method, route, request_hash: requestHash, created_at: now },
      { expireBefore: now - IDEMPOTENCY_TTL_MS, staleBefore: now - STALE_MS },
    );
    if (reservation.reserved) {
      request.idempotency = { identity, key };
      return;
    }
    const first = reservation.existing;
    if (first.request_hash !== requestHash) {
      throw new OffboardError(
        'OFFBOARD_ERR_IDEMPOTENCY_KEY_REUSED',
        `Idempotency-Key "${key}" was used for a different request (${first.route}); use a new key for a new request`,
      );
    }
    if (first.status === null || first.response === null) {
      throw new OffboardError(
        'OFFBOARD_ERR_IDEMPOTENCY_IN_PROGRESS',
        `the request with Idempotency-Key "${key}" is still running; retry in a moment`,
      );
    }
    return reply
      .status(first.status)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .send(first.response);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const reserved = request.idempotency;
    if (!reserved) return payload;
    request.idempotency = null;
    if (reply.statusCode < 500 && typeof payload === 'string') {
      await completeIdempotencyKey(
        options.database.db,
        reserved.identity,
        reserved.key,
        reply.statusCode,
        payload,
      );
    } else {
      await releaseIdempotencyKey(options.database.db, reserved.identity, reserved.key);
    }
    return payload;
  });
}
