import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import * as act from './actions.js';
import { ContractError, requireAccount } from './actions.js';
import { createFixtures, SCENARIOS } from './fixtures.js';
import type { FreshCopy, Scenario } from './fixtures.js';
import * as reads from './reads.js';
import { openStore } from './store.js';
import type { Db } from './store.js';

/*
 * A minimal platform that implements offboard's platform contract (docs/platform-contract.md)
 * from scratch: node:http, better-sqlite3, and nothing from offboard. Every request is
 * signed; every write runs once per Idempotency-Key, in one SQLite transaction with the
 * key it is remembered under.
 *
 *   npx tsx examples/minimal-platform/server.ts --port 8091 --db ./minimal.db --test-mode
 *   (the shared secret: OFFBOARD_PLATFORM_SECRET, or --secret)
 */

const PREFIX = '/offboard-platform/v1';
const REPLAY_WINDOW_SECONDS = 300;
const MAX_BODY_BYTES = 1024 * 1024;

// ---- signatures: the verification code of docs/platform-contract.md ------------------

/** Null when the request may proceed, else the error code to answer 401 with. */
function verifySignature(secret: string, req: IncomingMessage, body: string, nowMs: number) {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const timestamp = header('offboard-timestamp');
  const signature = header('offboard-signature');
  if (!timestamp || !signature || !/^\d{1,15}$/.test(timestamp))
    return 'OFFBOARD_ERR_PLATFORM_UNSIGNED';
  if (Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) > REPLAY_WINDOW_SECONDS)
    return 'OFFBOARD_ERR_PLATFORM_STALE_REQUEST';
  const signed = [req.method, req.url, timestamp, header('idempotency-key') ?? '', body].join('\n');
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(signed).digest('hex')}`);
  const got = Buffer.from(signature);
  // Compared in constant time, so the answer's timing tells nothing about the right value.
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    return 'OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE';
  return null;
}

const SIGNATURE_MESSAGES: Record<string, string> = {
  OFFBOARD_ERR_PLATFORM_UNSIGNED:
    'send offboard-timestamp (whole seconds since the epoch) and offboard-signature',
  OFFBOARD_ERR_PLATFORM_STALE_REQUEST: `the request was signed more than ${REPLAY_WINDOW_SECONDS} s from this platform's clock`,
  OFFBOARD_ERR_PLATFORM_BAD_SIGNATURE: 'offboard-signature does not match the request',
};

// ---- requests and validation ---------------------------------------------------------

interface Request {
  method: string;
  /** The path with its query string, exactly as on the request line. */
  url: string;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  rawBody: string;
  key: string | undefined;
}

const invalid = (message: string) =>
  new ContractError(400, 'OFFBOARD_ERR_INVALID_REQUEST', message);

/** Objects are closed: an unknown field is refused, naming it. */
function closed(value: unknown, allowed: string[], where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(`${where} must be a JSON object`);
  for (const field of Object.keys(value))
    if (!allowed.includes(field)) throw invalid(`${where} has an unknown field "${field}"`);
  return value as Record<string, unknown>;
}

function text(value: unknown, field: string, max = 200): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max)
    throw invalid(`${field} must be a string of 1 to ${max} characters`);
  return value;
}

function optional<T>(value: unknown, check: (v: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(value);
}

const jurisdiction = (v: unknown) => {
  if (typeof v !== 'string' || !/^[A-Z]{2}$/.test(v))
    throw invalid('jurisdiction must be an ISO 3166 alpha-2 code such as DE');
  return v;
};

const limit = (max: number) => (v: unknown) => {
  if (typeof v !== 'string' || !/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw invalid(`limit must be a whole number from 1 to ${max}`);
  return Number(v);
};

// ---- idempotency ---------------------------------------------------------------------

/**
 * Runs a write once per Idempotency-Key. The key, a hash of the request and the first
 * answer are stored in the same transaction as the effect; a repeat gets that answer back,
 * the key with another request a 409. A refusal rolls back and is not remembered.
 * `.immediate()` takes SQLite's write lock first, so two racing duplicates act once.
 */
function once(db: Db, req: Request, run: (now: string) => unknown): Answer {
  const key = req.key;
  if (key === undefined || !/^[\x21-\x7e]{1,200}$/.test(key))
    throw new ContractError(
      400,
      'OFFBOARD_ERR_PLATFORM_KEY_MISSING',
      'send an Idempotency-Key header of 1 to 200 visible ASCII characters on every POST',
    );
  const hash = createHash('sha256')
    .update(`${req.method}\n${req.url}\n${req.rawBody}`)
    .digest('hex');
  return db
    .transaction((): Answer => {
      const seen = db
        .prepare('SELECT request_hash, status, response FROM idempotency_keys WHERE key = ?')
        .get(key) as { request_hash: string; status: number; response: string } | undefined;
      if (seen && seen.request_hash !== hash)
        throw new ContractError(
          409,
          'OFFBOARD_ERR_PLATFORM_KEY_REUSED',
          `Idempotency-Key "${key}" was used before for another request; use a new key`,
        );
      if (seen) return { status: seen.status, body: seen.response };
      const now = new Date().toISOString();
      const body = JSON.stringify(run(now));
      db.prepare('INSERT INTO idempotency_keys VALUES (?, ?, ?, ?, ?)').run(
        key,
        hash,
        200,
        body,
        now,
      );
      return { status: 200, body };
    })
    .immediate();
}

// ---- routes --------------------------------------------------------------------------

interface Answer {
  status: number;
  body: string;
}
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  names: string[];
  handle: (req: Request) => Answer;
}

function routes(db: Db, testMode: boolean): Route[] {
  const list: Route[] = [];
  const route = (method: Route['method'], template: string, handle: Route['handle']) => {
    const names = [...template.matchAll(/:(\w+)/g)].map((m) => m[1]!);
    const pattern = new RegExp(`^${PREFIX}${template.replace(/:\w+/g, '([^/]+)')}$`);
    list.push({ method, pattern, names, handle });
  };
  // A read runs in one transaction, so its queries see one consistent snapshot.
  const read = (method: Route['method'], template: string, handle: (req: Request) => unknown) =>
    route(method, template, (req) => ({
      status: 200,
      body: JSON.stringify(db.transaction(handle)(req)),
    }));
  // A write checks its body, then runs once per Idempotency-Key.
  const write = <T>(
    template: string,
    parse: (body: unknown) => T,
    run: (p: Record<string, string>, body: T, now: string) => unknown,
  ) =>
    route('POST', template, (req) => {
      const body = parse(req.body);
      return once(db, req, (now) => run(req.params, body, now));
    });
  const noBody = (body: unknown) => closed(body, [], 'the body');

  read('POST', '/facts/query', (req) => {
    const { accountIds } = closed(req.body, ['accountIds'], 'the body');
    if (!Array.isArray(accountIds) || accountIds.length < 1 || accountIds.length > 500)
      throw invalid('accountIds must be a list of 1 to 500 account ids');
    const ids = [...new Set(accountIds.map((id) => text(id, 'accountIds[]')))];
    const found = ids.map((id) => reads.facts(db, id));
    return {
      accounts: found.filter((f) => f !== null),
      missing: ids.filter((_, i) => found[i] === null),
    };
  });
  read('GET', '/accounts/:accountId/facts', (req) =>
    reads.facts(db, requireAccount(db, req.params['accountId']!).id),
  );
  read('GET', '/accounts', (req) => {
    const q = closed(req.query, ['after', 'limit', 'jurisdiction'], 'the query');
    return reads.listAccounts(db, {
      after: optional(q['after'], (v) => text(v, 'after')),
      limit: optional(q['limit'], limit(1000)) ?? 100,
      jurisdiction: optional(q['jurisdiction'], jurisdiction),
    });
  });
  read('GET', '/accounts/count', (req) => {
    const q = closed(req.query, ['jurisdiction'], 'the query');
    return reads.countAccounts(db, optional(q['jurisdiction'], jurisdiction));
  });
  read('GET', '/accounts/:accountId/contact', (req) =>
    reads.contact(requireAccount(db, req.params['accountId']!)),
  );
  read('GET', '/accounts/:accountId/transactions', (req) => {
    const q = closed(req.query, ['after', 'limit'], 'the query');
    const after = optional(q['after'], (v) => text(v, 'after'));
    const size = optional(q['limit'], limit(1000)) ?? 500;
    const accountId = requireAccount(db, req.params['accountId']!).id;
    if (after !== undefined && !/^\d{1,15}$/.test(after))
      throw new ContractError(
        400,
        'OFFBOARD_ERR_INVALID_ARGUMENT',
        '`after` must be the `next` cursor of an earlier page',
      );
    return reads.transactions(db, accountId, Number(after ?? 0), size);
  });

  write('/accounts/:accountId/freeze', noBody, (p) => act.freeze(db, p['accountId']!));
  write('/accounts/:accountId/unfreeze', noBody, (p) => act.unfreeze(db, p['accountId']!));
  write('/accounts/:accountId/close', noBody, (p) => act.close(db, p['accountId']!));
  write(
    '/accounts/:accountId/disabled',
    (body) => {
      const { disabled } = closed(body, ['disabled'], 'the body');
      if (typeof disabled !== 'boolean') throw invalid('disabled must be true or false');
      return disabled;
    },
    (p, disabled) => act.setDisabled(db, p['accountId']!, disabled),
  );
  write(
    '/accounts/:accountId/sweep-dust',
    (body) => text(closed(body, ['asset'], 'the body')['asset'], 'asset'),
    (p, asset, now) => act.sweepDust(db, p['accountId']!, asset, now),
  );
  write('/accounts/:accountId/orders/:id/cancel', noBody, (p) =>
    act.cancelOrder(db, p['accountId']!, p['id']!),
  );
  write('/accounts/:accountId/withdrawals/:id/cancel', noBody, (p, _, now) =>
    act.cancelWithdrawal(db, p['accountId']!, p['id']!, now),
  );
  for (const [path, table] of [
    ['authorizations/:id/revoke', 'authorizations'],
    ['credentials/:id/revoke', 'credentials'],
    ['holds/:id/lift', 'holds'],
  ] as const)
    write(`/accounts/:accountId/${path}`, noBody, (p, _, now) =>
      act.endRecord(db, table, p['accountId']!, p['id']!, now),
    );
  write(
    '/accounts/:accountId/holds',
    (body) => {
      const b = closed(body, ['id', 'kind', 'reason'], 'the body');
      if (!['legal', 'compliance', 'fraud', 'regulator'].includes(b['kind'] as string))
        throw invalid('kind must be legal, compliance, fraud or regulator');
      return {
        id: text(b['id'], 'id'),
        kind: b['kind'] as string,
        reason: text(b['reason'], 'reason', 1000),
      };
    },
    (p, hold, now) => act.placeHold(db, p['accountId']!, hold, now),
  );

  write(
    '/accounts/:accountId/erase',
    (body) => {
      const { classes } = closed(body, ['classes'], 'the body');
      if (
        !Array.isArray(classes) ||
        classes.length < 1 ||
        new Set(classes).size !== classes.length ||
        !classes.every((c) => act.RECORD_CLASSES.includes(c as string))
      )
        throw invalid(`classes must be a list of distinct ${act.RECORD_CLASSES.join(', ')}`);
      return classes as string[];
    },
    (p, classes) => act.erase(db, p['accountId']!, classes),
  );

  // Test mode only: outside it these routes do not exist (404 OFFBOARD_ERR_UNKNOWN_ROUTE).
  if (!testMode) return list;
  write(
    '/test/fixtures',
    (body): FreshCopy | undefined => {
      const b = closed(body, ['scenario', 'accountId'], 'the body');
      if (b['scenario'] === undefined && b['accountId'] === undefined) return undefined;
      if (b['scenario'] === undefined || b['accountId'] === undefined)
        throw invalid('give both scenario and accountId, or neither');
      const scenario = text(b['scenario'], 'scenario');
      if (!(SCENARIOS as readonly string[]).includes(scenario))
        throw invalid(`scenario must be one of ${SCENARIOS.join(', ')}`);
      return { scenario: scenario as Scenario, accountId: text(b['accountId'], 'accountId') };
    },
    (_, copy) => createFixtures(db, Date.now(), copy),
  );
  write(
    '/test/accounts/:accountId/deposits',
    (body) => {
      const b = closed(body, ['asset', 'amount', 'counterparty'], 'the body');
      const amount = b['amount'];
      if (typeof amount !== 'string' || !/^-?(0|[1-9][0-9]{0,77})$/.test(amount))
        throw invalid('amount must be a decimal-integer string of minor units, such as "500"');
      return {
        asset: text(b['asset'], 'asset'),
        amount: BigInt(amount),
        counterparty: optional(b['counterparty'], (v) => text(v, 'counterparty')) ?? null,
      };
    },
    (p, deposit, now) => act.testDeposit(db, p['accountId']!, deposit, now),
  );
  return list;
}

// ---- the HTTP server -----------------------------------------------------------------

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw invalid(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function handle(
  db: Db,
  secret: string,
  table: Route[],
  req: IncomingMessage,
): Promise<Answer> {
  const url = req.url ?? '/';
  const [path = '', search = ''] = url.split('?', 2);
  const rawBody = await readBody(req);
  let match: { route: Route; values: string[] } | undefined;
  for (const route of table) {
    const m = route.method === req.method ? route.pattern.exec(path) : null;
    if (m) {
      match = { route, values: m.slice(1) };
      break;
    }
  }
  if (!match)
    throw new ContractError(
      404,
      'OFFBOARD_ERR_UNKNOWN_ROUTE',
      `no route ${req.method} ${path}; docs/platform-contract.md lists them`,
    );

  // Before anything looks at the body: an unsigned caller learns nothing.
  const refused = verifySignature(secret, req, rawBody, Date.now());
  if (refused) throw new ContractError(401, refused, SIGNATURE_MESSAGES[refused]!);

  const params: Record<string, string> = {};
  for (const [i, name] of match.route.names.entries()) {
    let value: string;
    try {
      value = decodeURIComponent(match.values[i]!);
    } catch {
      throw invalid(`${name} is not a valid percent-encoded path segment`);
    }
    params[name] = text(value, name);
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(search)) {
    if (name in query) throw invalid(`${name} is given twice`);
    query[name] = value;
  }
  let body: unknown = {}; // a POST without a body is a POST of {}
  if (rawBody !== '') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw invalid('the body is not valid JSON');
    }
  }
  const key = req.headers['idempotency-key'];
  return match.route.handle({
    method: req.method!,
    url,
    params,
    query,
    body,
    rawBody,
    key: typeof key === 'string' ? key : undefined,
  });
}

function send(res: ServerResponse, answer: Answer) {
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(answer.body);
}

/** Every error has one shape; a 500 never carries a stack trace or a driver's words. */
function errorAnswer(error: unknown): Answer {
  if (error instanceof ContractError)
    return {
      status: error.status,
      body: JSON.stringify({ error: { code: error.code, message: error.message } }),
    };
  console.error('minimal-platform: internal error:', error);
  const message = 'the platform failed; retry with the same Idempotency-Key';
  return {
    status: 500,
    body: JSON.stringify({ error: { code: 'OFFBOARD_ERR_INTERNAL', message } }),
  };
}

function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8091' },
      host: { type: 'string', default: '127.0.0.1' },
      db: { type: 'string', default: './minimal-platform.db' },
      secret: { type: 'string' },
      'test-mode': { type: 'boolean', default: false },
    },
  });
  const secret = values.secret ?? process.env['OFFBOARD_PLATFORM_SECRET'];
  const port = Number(values.port);
  if (!secret || secret.length < 16) {
    console.error(
      'minimal-platform: give the shared secret (at least 16 characters) with --secret or OFFBOARD_PLATFORM_SECRET',
    );
    process.exit(2);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`minimal-platform: --port must be 0 to 65535, not "${values.port}"`);
    process.exit(2);
  }
  const db = openStore(values.db);
  const table = routes(db, values['test-mode']);
  const server = createServer((req, res) => {
    handle(db, secret, table, req).then(
      (answer) => send(res, answer),
      (error: unknown) => send(res, errorAnswer(error)),
    );
  });
  server.on('error', (error) => {
    console.error(`minimal-platform: cannot listen on ${values.host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, values.host, () => {
    const address = server.address();
    const actual = typeof address === 'object' && address ? address.port : port;
    const mode = values['test-mode'] ? ' (test mode: fixtures on)' : '';
    process.stdout.write(
      `minimal-platform: listening on http://${values.host}:${actual}${PREFIX}${mode}\n`,
    );
  });
  const stop = () => {
    server.close(() => {
      db.close();
      process.exit(0);
    });
    server.closeAllConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main();
