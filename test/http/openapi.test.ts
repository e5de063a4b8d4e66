import Schema from 'typebox/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/domain/errors.js';
import type { ErrorCode } from '../../src/domain/errors.js';
import { HTTP_STATUS } from '../../src/adapters/http/errors.js';
import { openHarness } from './harness.js';
import type { Harness } from './harness.js';

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { in: string; name: string; required?: boolean; schema: object }[];
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: object }> }>;
  security?: Record<string, string[]>[];
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, object> };
  tags: { name: string }[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const toOpenApiPath = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');

// The OpenAPI document is generated from the routes' schemas: it must be a well-formed
// OpenAPI 3.1 document, list every route, and describe what the routes really answer.
describe('the OpenAPI document', () => {
  let h: Harness;
  let doc: Document;
  // Every schema in an OpenAPI 3.1 document is a JSON Schema 2020-12 schema.
  const metaSchema = Schema.Compile(
    Schema.Meta['https://json-schema.org/draft/2020-12/schema'] as Schema.XSchema,
  );
  const compile = (schema: object) => Schema.Compile(schema as Schema.XSchema);

  beforeAll(async () => {
    h = await openHarness('sqlite');
    const answer = await h.call('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    doc = answer.json<Document>();
  });
  afterAll(async () => h.dispose());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );

  it('is OpenAPI 3.1 with an info object, tags and security schemes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('offboard');
    expect(doc.info.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'agentToken',
      'apiKey',
      'holderToken',
    ]);
  });

  it('lists every route of the service, and nothing that is not one', async () => {
    await h.app.ready();
    const served = h.app.routeTable
      .filter((r) => r.method !== 'HEAD' && r.access !== undefined && r.url !== '/openapi.json')
      .map((r) => `${r.method.toLowerCase()} ${toOpenApiPath(r.url)}`)
      .sort();
    const documented = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    expect(documented).toEqual(served);
    expect(served.length).toBeGreaterThan(30);
    // Every /v1 route states who may call it.
    for (const route of h.app.routeTable.filter((r) => r.url.startsWith('/v1')))
      expect(route.access, route.url).toBeDefined();
  });

  it('has well-formed operations: methods, responses, path parameters, tags, security', () => {
    const tags = new Set(doc.tags.map((t) => t.name));
    for (const { path, method, op } of operations()) {
      const where = `${method} ${path}`;
      expect(METHODS, where).toContain(method);
      expect(path.startsWith('/'), where).toBe(true);
      expect(op.summary, where).toBeTruthy();
      expect(Object.keys(op.responses).length, where).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses)) {
        expect(status, where).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof response.description, where).toBe('string');
      }
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), where).toEqual(templated);
      for (const p of declared) expect(p.required, `${where} ${p.name}`).toBe(true);
      const keys = (op.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      expect(new Set(keys).size, where).toBe(keys.length);
      for (const p of op.parameters ?? [])
        expect(['path', 'query', 'header', 'cookie'], where).toContain(p.in);
      for (const tag of op.tags ?? []) expect(tags, where).toContain(tag);
      for (const requirement of op.security ?? [])
        for (const name of Object.keys(requirement))
          expect(doc.components.securitySchemes, where).toHaveProperty(name);
      if (method === 'post') expect(keys, where).toContain('header:idempotency-key');
      const access = h.app.routeTable.find(
        (r) => r.method.toLowerCase() === method && toOpenApiPath(r.url) === path,
      )?.access;
      if (access?.public) expect(op.security, where).toBeUndefined();
      else expect(op.security?.length, where).toBeGreaterThan(0);
    }
  });

  it('has a valid JSON Schema (2020-12) for every parameter, body and response', () => {
    let compiled = 0;
    for (const { path, method, op } of operations()) {
      const schemas = [
        ...(op.parameters ?? []).map((p) => p.schema),
        ...Object.values(op.requestBody?.content ?? {}).map((c) => c.schema),
        ...Object.values(op.responses).flatMap((r) =>
          Object.values(r.content ?? {}).map((c) => c.schema),
        ),
      ];
      for (const schema of schemas) {
        expect(
          metaSchema.Check(schema),
          `${method} ${path}: ${JSON.stringify(schema).slice(0, 200)}`,
        ).toBe(true);
        expect(() => compile(schema), `${method} ${path}`).not.toThrow();
        compiled += 1;
      }
    }
    expect(compiled).toBeGreaterThan(100);
  });

  it('describes what the routes really answer', async () => {
    const check = async (
      method: string,
      path: string,
      url: string,
      token: string | undefined,
      status: number,
      body?: unknown,
    ) => {
      const answer = await h.call(method.toUpperCase(), url, { token, body });
      expect(answer.status, answer.body).toBe(status);
      const schema =
        doc.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
      expect(schema, `${method} ${path} ${status}`).toBeDefined();
      const [valid, problems] = compile(schema!).Errors(answer.json());
      expect(valid, JSON.stringify(problems)).toBe(true);
    };
    await check(
      'get',
      '/v1/me/eligibility',
      '/v1/me/eligibility',
      h.holder('demo-everything'),
      200,
    );
    await check(
      'get',
      '/v1/accounts/{id}/eligibility',
      '/v1/accounts/demo-hold-compliance/eligibility?audience=agent',
      h.keys.read,
      200,
    );
    await check(
      'post',
      '/v1/accounts/{id}/closure',
      '/v1/accounts/demo-balance/closure',
      h.keys.write,
      409,
      {},
    );
    await check(
      'post',
      '/v1/accounts/{id}/closure',
      '/v1/accounts/demo-clean/closure',
      h.keys.write,
      201,
      { confirmed: true },
    );
    await check('get', '/v1/me/closure', '/v1/me/closure', h.holder('demo-clean'), 200);
    await check(
      'get',
      '/v1/agent/accounts/{id}',
      '/v1/agent/accounts/demo-everything',
      h.agent('a', ['support']),
      200,
    );
    await check(
      'get',
      '/v1/accounts/{id}/eligibility',
      '/v1/accounts/demo-clean/eligibility',
      undefined,
      401,
    );
  });
});

describe('the HTTP status table', () => {
  it('gives every error code a 4xx or 5xx status', () => {
    for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
      expect(HTTP_STATUS[code], code).toBeGreaterThanOrEqual(400);
      expect(HTTP_STATUS[code], code).toBeLessThan(600);
    }
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
  });

  it('keeps 401, 403 and 404 for what they mean', () => {
    expect(HTTP_STATUS.OFFBOARD_ERR_UNAUTHENTICATED).toBe(401);
    expect(HTTP_STATUS.OFFBOARD_ERR_FORBIDDEN).toBe(403);
    expect(HTTP_STATUS.OFFBOARD_ERR_UNKNOWN_ACCOUNT).toBe(404);
    expect(HTTP_STATUS.OFFBOARD_ERR_INTERNAL).toBe(500);
  });
});
