import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { Clock } from '../../ports/clock.js';
import { toErrorResponse } from '../http/errors.js';
import * as C from './contract.js';
import { registerActionRoutes } from './sandbox-actions.js';
import { sandboxTools } from './sandbox-kit.js';
import type { SandboxApp, SandboxDeps } from './sandbox-kit.js';
import { registerReadRoutes } from './sandbox-reads.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  IDEMPOTENCY_HEADER,
  verifyRequest,
} from './signing.js';

/*
 * The sandbox platform server: the builtin ledger served through the platform contract,
 * as a platform would serve its own. Every request is signed; every write is idempotent by
 * its Idempotency-Key, remembered in this server's own database.
 */

export type { SandboxApp, SandboxDeps } from './sandbox-kit.js';
export { factsToWire } from './sandbox-reads.js';

/** One request the sandbox answered, as `offboard demo --platform-http` prints it. */
export interface SandboxExchange {
  method: string;
  /** The path, query string included. */
  path: string;
  status: number;
  ms: number;
}

export interface SandboxServerOptions {
  /**
   * Serve HTTPS with this certificate and key; with `clientCa`, require a client
   * certificate signed by it (mutual TLS) and refuse the connection without one.
   */
  tls?: { cert: string | Buffer; key: string | Buffer; clientCa?: string | Buffer };
  /** Told of every answered request (the demo prints the contract's traffic). */
  onExchange?: (exchange: SandboxExchange) => void;
  /**
   * The clock signatures are checked against (default: the ledger's). Tests that move the
   * ledger's clock keep this one on the wall clock their callers sign with.
   */
  signatureClock?: Clock;
}

export async function buildSandboxApp(
  deps: SandboxDeps,
  options: SandboxServerOptions = {},
): Promise<SandboxApp> {
  const tls = options.tls;
  const app = Fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    ...(tls
      ? {
          https: {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa
              ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
              : {}),
          },
        }
      : {}),
    // The routes' types do not depend on whether the server speaks HTTP or HTTPS.
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as SandboxApp;
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  // The signature covers the exact bytes sent: keep them beside the parsed body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    request.rawBody = body as string;
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(
        new OffboardError('OFFBOARD_ERR_INVALID_REQUEST', 'the body is not valid JSON'),
        undefined,
      );
    }
  });

  // Before validation: an unsigned request learns nothing, not even what its body lacks.
  app.addHook('preValidation', async (request) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const verdict = verifyRequest(
      deps.secret,
      {
        method: request.method,
        path: request.url,
        idempotencyKey: header(IDEMPOTENCY_HEADER) ?? null,
        body: request.rawBody ?? '',
        timestamp: header(TIMESTAMP_HEADER),
        signature: header(SIGNATURE_HEADER),
      },
      (options.signatureClock ?? deps.clock).now(),
    );
    if (!verdict.ok) throw new OffboardError(verdict.code, verdict.message);
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });

  const onExchange = options.onExchange;
  if (onExchange)
    app.addHook('onResponse', async (request, reply) => {
      onExchange({
        method: request.method,
        path: request.url,
        status: reply.statusCode,
        ms: reply.elapsedTime,
      });
    });

  app.setErrorHandler((error, request, reply) => sendContractError(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendContractError(
      request,
      reply,
      new OffboardError(
        'OFFBOARD_ERR_UNKNOWN_ROUTE',
        `no route ${request.method} ${request.url.split('?')[0]}; docs/platform-contract.md lists them`,
      ),
    ),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'offboard platform contract',
        version: C.CONTRACT_VERSION,
        description:
          'What a platform implements so offboard can read facts about its accounts and act on them. Every request is signed (offboard-timestamp, offboard-signature: HMAC-SHA256, 5-minute window); every POST carries an Idempotency-Key remembered for at least 30 days. Amounts are decimal-integer strings of minor units, instants RFC 3339 UTC. Errors are {"error":{"code","message"}}. docs/platform-contract.md explains each rule.',
      },
      components: {
        securitySchemes: {
          signature: {
            type: 'apiKey',
            in: 'header',
            name: SIGNATURE_HEADER,
            description:
              'v1=hex(HMAC-SHA256(secret, METHOD\\nPATH\\nTIMESTAMP\\nIDEMPOTENCY-KEY\\nBODY)), with offboard-timestamp',
          },
        },
      },
      security: [{ signature: [] }],
    },
  });

  const tools = sandboxTools(deps);
  registerReadRoutes(app, tools);
  registerActionRoutes(app, tools);
  return app;
}

/** The one error shape of the contract: `{"error":{"code","message"}}`, never a stack. */
function sendContractError(request: FastifyRequest, reply: FastifyReply, error: unknown) {
  const { status, body } = toErrorResponse(error, request.id);
  return reply.code(status).send({ error: { code: body.error.code, message: body.error.message } });
}

/** The OpenAPI 3.1 document of the contract, generated from the routes' schemas. */
export async function contractDocument(): Promise<Record<string, unknown>> {
  const { openDatabase } = await import('../store/database.js');
  // The routes need a database only to answer; building them needs none open for long.
  const database = await openDatabase('sqlite::memory:');
  try {
    const app = await buildSandboxApp({
      database,
      clock: { now: () => new Date() },
      secret: 'contract',
      testMode: true,
    });
    await app.ready();
    const document = app.swagger() as unknown as Record<string, unknown>;
    await app.close();
    return document;
  } finally {
    await database.close();
  }
}
