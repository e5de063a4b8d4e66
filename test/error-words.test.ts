import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_HINTS } from '../src/adapters/cli/error-hints.js';
import { reportError } from '../src/adapters/cli/output.js';
import type { CliIo } from '../src/adapters/cli/output.js';
import { HTTP_HINTS } from '../src/adapters/http/error-hints.js';
import { HTTP_STATUS, toErrorResponse } from '../src/adapters/http/errors.js';
import { CONSENTS } from '../src/domain/consent.js';
import { ERROR_CATALOGUE, ERROR_TEMPLATES, OffboardError, raise } from '../src/domain/errors.js';
import type { ErrorParams, TemplatedCode } from '../src/domain/errors.js';

// Errors are data; interfaces write the words. Use cases and the domain raise codes with
// parameters, and only the CLI speaks of commands and options, only HTTP of fields and routes.

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The code without its comments: a comment may name a command, a message may not. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** What only a command line says: an `offboard ...` command, a --flag. */
const CLI_WORDS = [/`offboard [a-z]/, /(?<![\w-])--[a-z][a-z-]*/];

const root = new URL('..', import.meta.url).pathname;

describe('interface words', () => {
  const files = ['app', 'domain'].flatMap((layer) => sourceFiles(join(root, 'src', layer)));

  it('appear nowhere in the code of src/app and src/domain', () => {
    const offenders: string[] = [];
    for (const file of files) {
      const lines = withoutComments(readFileSync(file, 'utf8')).split('\n');
      lines.forEach((line, index) => {
        if (CLI_WORDS.some((words) => words.test(line)))
          offenders.push(`${relative(root, file)}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it('reach src/app only as codes and parameters: use cases raise, never write a message', () => {
    const free = sourceFiles(join(root, 'src', 'app')).filter((file) =>
      /new OffboardError\(/.test(readFileSync(file, 'utf8')),
    );
    expect(free.map((file) => relative(root, file))).toEqual([]);
  });

  it('finds the files it checks, and would see a command or a flag', () => {
    expect(files.length).toBeGreaterThan(20);
    const sample =
      "throw new OffboardError('X', 'see `offboard status A`; pass --consent sweep-dust');";
    expect(CLI_WORDS.every((words) => words.test(withoutComments(sample)))).toBe(true);
    expect(
      CLI_WORDS.some((words) => words.test(withoutComments('// see `offboard status`, --consent'))),
    ).toBe(false);
  });

  it('stay out of the catalogue and its templates', () => {
    const texts = [
      ...Object.values(ERROR_CATALOGUE),
      ...Object.entries(SAMPLES).map(
        ([code, params]) => raise(code as TemplatedCode, params as never).message,
      ),
    ];
    for (const text of texts) for (const words of CLI_WORDS) expect(text).not.toMatch(words);
  });
});

/** One set of parameters for each templated code. */
const SAMPLES: { [C in TemplatedCode]: ErrorParams<C> } = {
  OFFBOARD_ERR_UNKNOWN_ACCOUNT: { accountId: 'acct-1' },
  OFFBOARD_ERR_INVALID_KEK: { source: 'OFFBOARD_KEK', problem: 'it holds no key' },
  OFFBOARD_ERR_RETENTION_UNCONFIGURED: { accountId: 'acct-1', jurisdiction: 'ZA' },
  OFFBOARD_ERR_INVALID_CERTIFICATE: { file: 'c.json', problem: 'the signature does not match' },
  OFFBOARD_ERR_PLATFORM_UNAVAILABLE: { call: 'freeze(acct-1)', attempts: 4, cause: 'HTTP 503' },
  OFFBOARD_ERR_NOT_FOUND: { record: 'api_key', id: 'key-1' },
  OFFBOARD_ERR_CONSENT_REQUIRED: { accountId: 'acct-1', consents: ['cancel-orders', 'sweep-dust'] },
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: {
    accountId: 'acct-1',
    status: 'disabled',
    refused: 'holder_token',
  },
  OFFBOARD_ERR_INVALID_ARGUMENT: {
    problem: 'unknown_scope',
    got: 'root',
    allowed: ['read', 'write', 'admin'],
  },
  OFFBOARD_ERR_INTERNAL: { problem: 'history_changed' },
  OFFBOARD_ERR_NOT_ELIGIBLE: { accountId: 'acct-1', blockers: 3, needHolderOrSupport: 1 },
  OFFBOARD_ERR_INVALID_STATE: { accountId: 'acct-1', reason: 'not_disabled' },
  OFFBOARD_ERR_DUPLICATE: { record: 'approval', id: 'ap_1', action: 'closure.approve' },
  OFFBOARD_ERR_FOUR_EYES: { agentId: 'agent-1', action: 'closure.approve' },
  OFFBOARD_ERR_UNSAFE_REPLY: {
    rule: 'asks_for_one_time_code',
    reason: 'support never asks for a one-time code',
  },
  OFFBOARD_ERR_PROPOSAL_CHANGED: { approvalId: 'apr_1', action: 'hold.lift' },
  OFFBOARD_ERR_NO_CLOSURE: { accountId: 'acct-1', awaiting: 'confirmation' },
  OFFBOARD_ERR_TOO_MANY_ATTEMPTS: { accountId: 'acct-1', attempts: 5 },
  OFFBOARD_ERR_TOO_EARLY: { accountId: 'acct-1', enableFrom: new Date('2026-01-02T00:00:00Z') },
  OFFBOARD_ERR_INVALID_LINK: { problem: 'bad_signature' },
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: { accountId: 'acct-1', closureId: 'cl_1', state: 'grace' },
  OFFBOARD_ERR_CLOSURE_REFUSED: { accountId: 'acct-1', reason: 'changed_meanwhile' },
  OFFBOARD_ERR_BAD_CODE: { accountId: 'acct-1' },
  OFFBOARD_ERR_REVERIFICATION_REQUIRED: { accountId: 'acct-1' },
  OFFBOARD_ERR_OUT_DIR_NOT_EMPTY: { dir: 'out', files: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] },
  OFFBOARD_ERR_SIGNING_KEY: { missing: 'public_key' },
};

function cliLine(error: OffboardError): string {
  let text = '';
  const io: CliIo = { stdout: () => {}, stderr: (t) => (text += t), interactive: false, env: {} };
  reportError(io, error, false);
  return text;
}

function httpMessage(error: OffboardError): string {
  return toErrorResponse(error, 'req-1').body.error.message;
}

describe('one error, two audiences', () => {
  it('has a template for every code it has a hint for', () => {
    for (const code of [...Object.keys(CLI_HINTS), ...Object.keys(HTTP_HINTS)])
      expect(Object.keys(ERROR_TEMPLATES)).toContain(code);
  });

  it('says the consent as an option on the command line and as a field over HTTP', () => {
    const error = raise('OFFBOARD_ERR_CONSENT_REQUIRED', SAMPLES.OFFBOARD_ERR_CONSENT_REQUIRED);
    expect(error.params).toEqual(SAMPLES.OFFBOARD_ERR_CONSENT_REQUIRED);
    expect(cliLine(error)).toBe(
      "offboard: OFFBOARD_ERR_CONSENT_REQUIRED: closing needs the holder's consent to: cancel-orders, sweep-dust; pass --consent cancel-orders,sweep-dust\n",
    );
    expect(httpMessage(error)).toBe(
      `closing needs the holder's consent to: cancel-orders, sweep-dust; send "consent": {"cancelOrders": true} and "consent": {"sweepDust": true} (only what the holder agreed to)`,
    );
  });

  it('names the command to run only on the command line', () => {
    for (const [code, params] of Object.entries(SAMPLES)) {
      const error = raise(code as TemplatedCode, params as never);
      const http = httpMessage(error);
      for (const words of CLI_WORDS) expect(http, code).not.toMatch(words);
      // A 5xx says nothing of its insides (the CLI's export folder and keys never meet HTTP).
      if (HTTP_STATUS[code as TemplatedCode] < 500)
        expect(http.startsWith(error.message), code).toBe(true);
      expect(cliLine(error).startsWith(`offboard: ${code}: ${error.message}`), code).toBe(true);
    }
    expect(cliLine(raise('OFFBOARD_ERR_BAD_CODE', { accountId: 'acct-1' }))).toContain(
      '`offboard mail --account acct-1`',
    );
    expect(cliLine(raise('OFFBOARD_ERR_CLOSURE_IN_PROGRESS', { accountId: 'acct-1' }))).toContain(
      '`offboard status acct-1`',
    );
    expect(
      httpMessage(raise('OFFBOARD_ERR_REVERIFICATION_REQUIRED', { accountId: 'acct-1' })),
    ).toContain('"reverified": true');
  });

  it("adds the CLI's hint to an adapter's own message of the same code", () => {
    const error = new OffboardError('OFFBOARD_ERR_UNKNOWN_ACCOUNT', 'no account "x"');
    expect(cliLine(error)).toBe(
      'offboard: OFFBOARD_ERR_UNKNOWN_ACCOUNT: no account "x"; list the accounts with `offboard accounts list`\n',
    );
    expect(httpMessage(error)).toBe('no account "x"');
  });

  it('counts the blockers that need the holder or support', () => {
    const say = (blockers: number, needHolderOrSupport: number) =>
      raise('OFFBOARD_ERR_NOT_ELIGIBLE', { accountId: 'a', blockers, needHolderOrSupport }).message;
    expect(say(3, 1)).toBe(
      'account "a" cannot be closed yet: 3 blockers; 1 needs the holder or support',
    );
    expect(say(3, 2)).toBe(
      'account "a" cannot be closed yet: 3 blockers; 2 need the holder or support',
    );
    expect(say(2, 2)).toBe(
      'account "a" cannot be closed yet: 2 blockers; all need the holder or support',
    );
    expect(say(1, 1)).toBe(
      'account "a" cannot be closed yet: 1 blocker; it needs the holder or support',
    );
  });

  it('spells each consent in the one table', () => {
    expect(CONSENTS.map((c) => [c.name, c.field])).toEqual([
      ['sweep-dust', 'sweepDust'],
      ['cancel-orders', 'cancelOrders'],
      ['revoke-apps', 'revokeApps'],
    ]);
  });
});
