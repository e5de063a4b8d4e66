import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openHarness } from './http/harness.js';
import type { Harness } from './http/harness.js';

/*
 * docs/api.md's route table and the routes the service registers, kept in step both ways:
 * every /v1 route the app registers has a row, and every /v1 row names a registered route.
 * Parameters compare by position, not name (`{id}` in the doc, `:id` in Fastify).
 */

const METHOD_PATH = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/;

/** `GET /v1/accounts/{id}/eligibility?lang=` → `GET /v1/accounts/{}/eligibility`. */
function normalize(method: string, path: string): string {
  const bare = path.split('?')[0] ?? path;
  return `${method} ${bare.replace(/\{[^}]*\}|:[A-Za-z0-9_]+/g, '{}')}`;
}

/** The routes of the table under "## Routes": each row's first cell, `.../x` continuing the path before it. */
function documentedRoutes(markdown: string): Set<string> {
  const section = markdown.split(/^## Routes$/m)[1]?.split(/^## /m)[0] ?? '';
  const routes = new Set<string>();
  for (const line of section.split('\n')) {
    const cell = /^\| (.+?) \|/.exec(line)?.[1];
    if (!cell) continue;
    let previous: { method: string; path: string } | null = null;
    for (const span of cell.matchAll(/`([^`]+)`/g)) {
      const text = (span[1] ?? '').replace(/\\\|/g, '|');
      const full = METHOD_PATH.exec(text);
      if (full) {
        previous = { method: full[1] as string, path: (full[2] as string).split('?')[0] as string };
        routes.add(normalize(previous.method, previous.path));
      } else if (text.startsWith('.../') && previous) {
        const path = `${previous.path.replace(/\/[^/]+$/, '')}/${text.slice(4)}`;
        routes.add(normalize(previous.method, path));
      }
    }
  }
  return routes;
}

describe('docs/api.md lists every route', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness('sqlite');
    await h.app.ready();
  });
  afterAll(async () => h.dispose());

  const registered = () =>
    new Set(
      h.app.routeTable
        .filter((r) => r.url.startsWith('/v1') && r.method !== 'HEAD')
        .map((r) => normalize(r.method, r.url)),
    );
  const documented = () =>
    [...documentedRoutes(readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8'))].filter(
      (r) => r.split(' ')[1]?.startsWith('/v1'),
    );

  it('has a row for every /v1 route the service registers', () => {
    const rows = new Set(documented());
    expect([...registered()].filter((r) => !rows.has(r)).sort()).toEqual([]);
  });

  it('has no row for a /v1 route the service does not register', () => {
    const routes = registered();
    expect(
      documented()
        .filter((r) => !routes.has(r))
        .sort(),
    ).toEqual([]);
  });

  it('reads the table (the comparison is not empty)', () => {
    expect(documented()).toContain('POST /v1/accounts/{}/closure/cancel');
    expect(documented()).toContain('POST /v1/agent/approvals/{}/decline');
    expect(registered().size).toBeGreaterThan(20);
  });
});
