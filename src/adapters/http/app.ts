import { isUtf8 } from 'node:buffer';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  FastifyServerOptions,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { Context } from '../../main/context.js';
import { describeAccess, installAuth } from './auth.js';
import type { Access } from './auth.js';
import { answerClientError, MAX_PARAM_LENGTH, sendError } from './errors.js';
import { installIdempotency } from './idempotency.js';
import { sendErrorPage, wantsPage } from './pages.js';
import { HttpMetrics } from './metrics.js';
import { installRateLimits } from './rate-limit.js';
import type { RateRules } from './rate-limit.js';
import { registerAgentRoutes } from './routes/agent.js';
import { registerErasureRoutes } from './routes/erasure.js';
import { registerExportRoutes } from './routes/exports.js';
import type { StatementsConfig } from './routes/exports.js';
import { registerHolderRoutes } from './routes/holder.js';
import { registerPlatformRoutes } from './routes/platform.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTicketRoutes } from './routes/tickets.js';
import { IdempotencyHeaders } from './schemas.js';
import type { AgentVerifier } from './tokens.js';
import { installSecurityHeaders } from './security-headers.js';
import type { PageModule } from '../web/plugin.js';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What a worker running in the same process reports, for /metrics. */
export interface WorkerProbe {
  lastPassAt(): Date | null;
}

export interface HttpDeps {
  ctx: Context;
  /** Signs and checks holder tokens (see tokens.ts `tokenSecret`); never agent tokens. */
  tokenSecret: string;
  /** Checks agent tokens: the identity provider's public keys, or the sandbox key (agent-keys.ts). */
  agentKeys: AgentVerifier;
  /** Fastify's logger option; off by default (tests). */
  logger?: FastifyServerOptions['logger'];
  /** Largest request body in bytes (default 64 KiB: no request needs more). */
  bodyLimit?: number;
  rateLimits?: RateRules;
  worker?: WorkerProbe;
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits key on it). */
  trustProxy?: boolean;
  /** Where statement exports go and what signs them; without it, export routes answer OFFBOARD_ERR_SIGNING_KEY. */
  statements?: StatementsConfig;
  /**
   * The web pages (src/adapters/web): every page module by default (web/modules.ts: the
   * holder's /account, the agents' /console), the ones given, or none with `false`.
   */
  web?: false | readonly PageModule[];
}

/** Everything routes share. */
export interface Services {
  ctx: Context;
  secret: string;
  metrics: HttpMetrics;
  worker: WorkerProbe | null;
  /** Checks agent tokens (the agent console's sign-in takes one too). */
  agents: AgentVerifier;
}

export const VERSION = '0.1.0';

/** A route of the service as registered, for tests that check docs against reality. */
export interface RouteEntry {
  method: string;
  url: string;
  access: Access | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, HEAD included. */
    routeTable: RouteEntry[];
  }
}

const DEFAULT_BODY_LIMIT = 64 * 1024;

/**
 * The HTTP service, built but not listening: tests call `inject`, `offboard serve` calls
 * `listen`. Auth, idempotency, rate limits, errors, security headers and metrics are
 * hooks; the routes only call use cases.
 */
export async function buildApp(deps: HttpDeps): Promise<App> {
  const app = Fastify({
    logger: withRedaction(deps.logger),
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    trustProxy: deps.trustProxy ?? false,
    // A stack trace or driver message never leaves the process: errors go through sendError.
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // What the router refuses before any hook (a bad percent-encoding, an over-long
    // parameter) and what Node's parser refuses before Fastify sees a request (a malformed
    // Content-Length) answer like every other error: a code, and the security headers.
    frameworkErrors: (error, request, reply) => void sendError(request, reply, error),
    clientErrorHandler: answerClientError,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // TypeBox checks request parts exactly as declared: bodies are never coerced (a string
  // is not a number), query strings and parameters are converted from text.
  app.setValidatorCompiler(validatorCompiler);

  const services: Services = {
    ctx: deps.ctx,
    secret: deps.tokenSecret,
    metrics: new HttpMetrics(),
    worker: deps.worker ?? null,
    agents: deps.agentKeys,
  };

  installBodyParsers(app);
  installErrors(app);
  installSecurityHeaders(app);
  installMetrics(app, services.metrics);
  installRouteConventions(app);
  installAuth(app, {
    app: deps.ctx.app,
    holderSecret: deps.tokenSecret,
    agents: deps.agentKeys,
  });
  await installRateLimits(app, deps.rateLimits);
  installIdempotency(app, { database: deps.ctx.database, clock: deps.ctx.clock });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'offboard',
        version: VERSION,
        description:
          'Account offboarding: every blocker explained, safe closure, reversible disable. Holder routes (`/v1/me`) take a holder token, platform routes (`/v1/accounts`, `/v1/closures`, ...) an API key with scopes, agent routes (`/v1/agent`) an agent token with roles. Every POST takes an `Idempotency-Key`. Errors are `{"error":{"code","message"}}`; docs/errors.md lists the codes.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key (`obk_...`) from `offboard keys create --scopes read,write,admin`',
          },
          holderToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'A holder token (HS256 JWT, `aud: offboard-holder`, `sub`: the account id) the platform signs with OFFBOARD_TOKEN_SECRET; `offboard token holder ACCOUNT` mints one',
          },
          agentToken: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'JWT',
            description:
              'An agent token (EdDSA or ES256 JWT, `aud: offboard-agent`, `roles`) your identity provider signs, checked against its public keys (OFFBOARD_AGENT_JWKS, OFFBOARD_AGENT_PUBLIC_KEY); in the sandbox `offboard token agent ID --roles support,compliance,admin` mints one',
          },
        },
      },
      tags: [
        { name: 'holder', description: 'The account holder, for their own account' },
        { name: 'platform', description: 'The platform, with API keys' },
        { name: 'agent', description: 'Support and compliance agents' },
        { name: 'system', description: 'Health, readiness, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  registerSystemRoutes(app, services);
  registerHolderRoutes(app, services);
  registerPlatformRoutes(app, services);
  registerAgentRoutes(app, services);
  registerTicketRoutes(app, services);
  registerErasureRoutes(app, services);
  registerExportRoutes(app, services, deps.statements ?? null);
  if (deps.web !== false) {
    const web = await import('../web/plugin.js');
    await web.registerWeb(app, services, {
      pages: deps.web ?? (await import('../web/modules.js')).PAGE_MODULES,
      statements: deps.statements ?? null,
    });
  }
  return app;
}

/**
 * TypeBox's validator (TypeBoxValidatorCompiler), without a step that cannot change
 * anything: a part (parameters, a query string, headers) whose properties are all strings
 * has nothing to convert from text, so a value that already checks is taken as it is,
 * and converting it on every request (the eligibility route's cost) is skipped. Any other
 * part, and a value that does not check, goes through the provider's own conversion and
 * its error list, exactly as before.
 */
const validatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const convertAndCheck = TypeBoxValidatorCompiler(route);
  if (route.httpPart === 'body' || !onlyStrings(route.schema)) return convertAndCheck;
  const check = Compile(route.schema);
  return (value) => (check.Check(value) ? { value } : convertAndCheck(value));
};

/** An object schema whose every property is a plain string (an enum of strings included). */
function onlyStrings(schema: TSchema): boolean {
  const { type, properties } = schema as { type?: unknown; properties?: Record<string, unknown> };
  if (type !== 'object' || !properties) return false;
  return Object.values(properties).every((property) => {
    const { type: t, anyOf, oneOf, allOf } = property as Record<string, unknown>;
    return t === 'string' && !anyOf && !oneOf && !allOf;
  });
}

/**
 * A disable link's token in a log would let anyone who reads the log disable the account:
 * request lines are logged with it masked.
 */
export function redactUrl(url: string): string {
  return url.replace(/\/v1\/disable-links\/[^/?#]+/, '/v1/disable-links/[redacted]');
}

function withRedaction(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  return {
    ...(typeof logger === 'object' ? logger : {}),
    serializers: {
      req: (request: { method: string; url: string; ip?: string }) => ({
        method: request.method,
        url: redactUrl(request.url),
        remoteAddress: request.ip,
      }),
    },
  };
}

function installBodyParsers(app: App): void {
  // JSON only, and only valid UTF-8: Node would otherwise turn bad bytes into U+FFFD
  // silently and the request would mean something other than what was sent.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    if (!isUtf8(bytes)) {
      done(
        new OffboardError('OFFBOARD_ERR_INVALID_REQUEST', 'the body is not valid UTF-8'),
        undefined,
      );
      return;
    }
    void parseJson(request, bytes.toString('utf8'), done);
  });
  // The disable-link page's button posts an empty HTML form; nothing else may use forms.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1024 },
    (_request, body, done) => {
      if (body !== '')
        done(
          new OffboardError(
            'OFFBOARD_ERR_UNSUPPORTED_MEDIA_TYPE',
            'send JSON (Content-Type: application/json)',
          ),
          undefined,
        );
      else done(null, undefined);
    },
  );
  // A POST with no body at all validates as `{}`: routes whose fields are all optional
  // need none. A JSON `null` is a body, and is refused like any other non-object.
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body === undefined) request.body = {};
  });
}

function installErrors(app: App): void {
  app.setErrorHandler((error, request, reply) =>
    wantsPage(request) ? sendErrorPage(request, reply, error) : sendError(request, reply, error),
  );
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new OffboardError(
        'OFFBOARD_ERR_UNKNOWN_ROUTE',
        `no route ${request.method} ${request.url.split('?')[0]}; /docs lists them`,
      ),
    ),
  );
}

function installMetrics(app: App, metrics: HttpMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.observe(
      request.routeOptions.url ?? 'unmatched',
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
}

/**
 * Every route states who may call it; the docs say so, and every POST documents
 * Idempotency-Key. Added before any route, so each passes through it.
 */
function installRouteConventions(app: App): void {
  app.decorate('routeTable', [] as RouteEntry[]);
  app.addHook('onRoute', (route) => {
    const access = route.config?.access as Access | undefined;
    for (const method of Array.isArray(route.method) ? route.method : [route.method])
      app.routeTable.push({ method, url: route.url, access });
    if (!access || !route.schema) return;
    const schema = { ...route.schema } as Record<string, unknown>;
    const description =
      typeof schema['description'] === 'string' ? `${schema['description']}\n\n` : '';
    schema['description'] = `${description}${describeAccess(access)}`;
    if (!access.public) {
      const security: Record<string, string[]>[] = [];
      if (access.scope) security.push({ apiKey: [] });
      if (access.holder) security.push({ holderToken: [] });
      if (access.roles) security.push({ agentToken: [] });
      schema['security'] = security;
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.includes('POST') && !schema['headers']) schema['headers'] = IdempotencyHeaders;
    route.schema = schema;
  });
}
