import { Type } from 'typebox';
import { dueErasures, erasureCertificate, erasureStatus } from '../../../app/erasure.js';
import type { Erasure } from '../../../ports/erasures.js';
import type { App, Services } from '../app.js';
import { AccountParams, Closed, errors } from '../schemas.js';

// Retention and erasure (docs/retention.md): for agents and for the platform's back end.
// The certificate names hold kinds only in `suspendedByHold`'s period, never a reason; it
// never reaches the holder.
const ANY_AGENT = { access: { roles: ['support', 'compliance', 'admin'] } } as const;
const READ = { access: { scope: 'read' } } as const;

const Instant = Type.String({ format: 'date-time' });
const NullableInstant = Type.Union([Instant, Type.Null()]);
const RecordClasses = Type.Array(Type.String());

const ErasureView = Closed({
  accountId: Type.String(),
  jurisdiction: Type.String(),
  closedAt: Instant,
  state: Type.String({ description: 'scheduled, held (a hold suspends it) or erased' }),
  dueAt: NullableInstant,
  erasedClasses: RecordClasses,
  heldSince: NullableInstant,
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const ErasureStatus = Closed({
  erasure: ErasureView,
  retentionEnds: Type.Union([Type.Record(Type.String(), Instant), Type.Null()]),
  certificates: Type.Array(Closed({ id: Type.String(), issuedAt: Instant })),
});

const CertificateParams = Closed({ certificateId: Type.String({ minLength: 1, maxLength: 200 }) });
const Certificate = Type.Object(
  {},
  { additionalProperties: true, description: 'The signed certificate (docs/retention.md)' },
);

function view(e: Erasure) {
  return {
    accountId: e.accountId,
    jurisdiction: e.jurisdiction,
    closedAt: e.closedAt.toISOString(),
    state: e.state,
    dueAt: e.dueAt?.toISOString() ?? null,
    erasedClasses: e.erasedClasses,
    heldSince: e.heldSince?.toISOString() ?? null,
    attempts: e.attempts,
    lastError: e.lastError,
  };
}

export function registerErasureRoutes(app: App, services: Services): void {
  const { ctx } = services;

  const status = async (accountId: string) => {
    const found = await erasureStatus(ctx.app, accountId);
    return {
      erasure: view(found.erasure),
      retentionEnds: found.retentionEnds,
      certificates: found.certificates.map((c) => ({
        id: c.id,
        issuedAt: c.issuedAt.toISOString(),
      })),
    };
  };
  const certificate = async (id: string) =>
    JSON.parse((await erasureCertificate(ctx.app, id)).document) as Record<string, unknown>;

  app.get(
    '/v1/agent/erasures/due',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Closed accounts whose retention has ended and are not erased yet',
        querystring: Closed({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
        }),
        response: { 200: Closed({ due: Type.Array(ErasureView) }), ...errors(403) },
      },
    },
    async (request) => ({
      due: (await dueErasures(ctx.app, { limit: request.query.limit ?? 100 })).map(view),
    }),
  );

  app.get(
    '/v1/agent/accounts/:id/erasure',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: "An account's retention and erasure: when each class ends, its certificates",
        params: AccountParams,
        response: { 200: ErasureStatus, ...errors(403, 404) },
      },
    },
    async (request) => status(request.params.id),
  );

  app.get(
    '/v1/agent/erasure-certificates/:certificateId',
    {
      config: ANY_AGENT,
      schema: {
        tags: ['agent'],
        summary: 'Download a signed erasure certificate',
        params: CertificateParams,
        response: { 200: Certificate, ...errors(403, 404) },
      },
    },
    async (request) => certificate(request.params.certificateId),
  );

  app.get(
    '/v1/accounts/:id/erasure',
    {
      config: READ,
      schema: {
        tags: ['platform'],
        summary: "An account's retention and erasure",
        params: AccountParams,
        response: { 200: ErasureStatus, ...errors(403, 404) },
      },
    },
    async (request) => status(request.params.id),
  );

  app.get(
    '/v1/erasure-certificates/:certificateId',
    {
      config: READ,
      schema: {
        tags: ['platform'],
        summary: 'Download a signed erasure certificate',
        params: CertificateParams,
        response: { 200: Certificate, ...errors(403, 404) },
      },
    },
    async (request) => certificate(request.params.certificateId),
  );
}
