import { Type } from 'typebox';
import { workflowFigures } from '../../../app/records.js';
import { CLOSURE_STATES } from '../../../domain/closure.js';
import { OffboardError } from '../../../domain/errors.js';
import type { App, Services } from '../app.js';
import { landingPage, sendPage } from '../pages.js';
import { Closed, errors } from '../schemas.js';

const PUBLIC = { access: { public: true } } as const;

export function registerSystemRoutes(app: App, services: Services): void {
  const { ctx } = services;

  app.get(
    '/healthz',
    {
      config: PUBLIC,
      schema: {
        tags: ['system'],
        summary: 'The process is up',
        response: { 200: Closed({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: PUBLIC,
      schema: {
        tags: ['system'],
        summary: 'The database answers and its schema is current',
        response: {
          200: Closed({ status: Type.Literal('ready'), database: Type.String() }),
          ...errors(503),
        },
      },
    },
    async () => {
      const readiness = await ctx.readiness();
      if (readiness === 'unreachable')
        throw new OffboardError('OFFBOARD_ERR_NOT_READY', 'the database is unreachable');
      if (readiness === 'schema_behind')
        throw new OffboardError(
          'OFFBOARD_ERR_NOT_READY',
          'the database schema is not current; run `offboard migrate`',
        );
      return { status: 'ready' as const, database: readiness.database };
    },
  );

  app.get(
    '/metrics',
    {
      config: PUBLIC,
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics',
        description:
          'Request counts and latencies by route and status, closures by state, worker lag.',
        produces: ['text/plain'],
        response: { 200: Type.String({ description: 'Prometheus text exposition format 0.0.4' }) },
      },
    },
    async (_request, reply) => {
      const now = ctx.clock.now().getTime();
      const { counts, oldestDueAt: due } = await workflowFigures(ctx.app, now);
      const text = await services.metrics.render({
        closures: CLOSURE_STATES.map((state) => ({ state, count: counts[state] ?? 0 })),
        workerLagSeconds: due === null ? 0 : Math.max(0, (now - due) / 1000),
        lastPass: services.worker?.lastPassAt() ?? null,
      });
      return reply.type(services.metrics.contentType).send(text);
    },
  );

  // Someone who opens the service's address in a browser learns what it is and where to go.
  app.get(
    '/',
    {
      config: PUBLIC,
      schema: {
        tags: ['system'],
        summary: 'A landing page linking the docs, the contract and the health check',
        produces: ['text/html'],
        response: { 200: Type.String({ description: 'An HTML page' }) },
      },
    },
    async (_request, reply) => sendPage(reply, 200, landingPage()),
  );

  app.get('/openapi.json', { config: PUBLIC, schema: { hide: true } }, async () => app.swagger());
}
