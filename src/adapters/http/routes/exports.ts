import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from 'typebox';
import { exportStatements, STATEMENT_FORMATS } from '../../statements/export-statements.js';
import type { StatementFormat } from '../../statements/export-statements.js';
import { OffboardError } from '../../../domain/errors.js';
import { parseIsoInstant } from '../../../domain/iso-instant.js';
import { MANIFEST_FILE, SIGNATURE_FILE, STATEMENT_FILE_NAMES } from '../../statements/manifest.js';
import { publicKeyPem } from '../../statements/signing-key.js';
import type { SigningKey } from '../../statements/signing-key.js';
import { exportAccountDir } from '../../statements/export-dir.js';
import type { App, Services } from '../app.js';
import { callerFor } from '../auth.js';
import { Closed, StringEnum, errors } from '../schemas.js';

/** Where exports are written and what signs them. */
export interface StatementsConfig {
  /** Each export is a folder below it, per account. */
  dir: string;
  signingKey: () => Promise<SigningKey>;
}

const CONTENT_TYPES: Record<string, string> = {
  [STATEMENT_FILE_NAMES.csv]: 'text/csv; charset=utf-8',
  [STATEMENT_FILE_NAMES.jsonl]: 'application/x-ndjson; charset=utf-8',
  [STATEMENT_FILE_NAMES.pdf]: 'application/pdf',
  [MANIFEST_FILE]: 'application/json; charset=utf-8',
  [SIGNATURE_FILE]: 'text/plain; charset=utf-8',
};
const FILE_NAMES = Object.keys(CONTENT_TYPES);
const EXPORT_ID = '^exp_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const accountDir = exportAccountDir;

/** Every file an export may hold, in the order they are listed. */
export const EXPORT_FILE_NAMES: readonly string[] = FILE_NAMES;

/** The Content-Type of an export's file. */
export function exportFileType(name: string): string {
  return CONTENT_TYPES[name] ?? 'application/octet-stream';
}

/**
 * Writes a new export of the account's statements (the API's and the web page's), and
 * answers its id and manifest. The account must exist.
 */
export async function exportForAccount(
  ctx: Services['ctx'],
  config: StatementsConfig,
  accountId: string,
  options: { formats?: StatementFormat[]; from?: Date; to?: Date } = {},
) {
  await ctx.jurisdiction(accountId); // 404 for an account that does not exist
  const id = `exp_${randomUUID()}`;
  const out = join(accountDir(config.dir, accountId), id);
  await mkdir(out, { recursive: true });
  const result = await exportStatements(
    { platform: ctx.app.platform, clock: ctx.clock, signingKey: await config.signingKey() },
    accountId,
    { ...options, out },
  );
  return { id, dir: out, manifest: result.manifest };
}

/** The folder of one of the account's exports (it may not exist); null for an id of the wrong form. */
export function exportDirOf(config: StatementsConfig, accountId: string, exportId: string) {
  return new RegExp(EXPORT_ID).test(exportId)
    ? join(accountDir(config.dir, accountId), exportId)
    : null;
}

/** The ids of the account's exports, newest first. */
export async function exportIds(config: StatementsConfig, accountId: string): Promise<string[]> {
  const dir = accountDir(config.dir, accountId);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) =>
    new RegExp(EXPORT_ID).test(n),
  );
  const dated = await Promise.all(
    names.map(async (name) => ({ name, at: (await stat(join(dir, name))).mtimeMs })),
  );
  return dated.sort((x, y) => y.at - x.at).map((d) => d.name);
}

/**
 * Where one file of one of the account's exports is, when it exists: ids resolve only
 * inside the account's own folder, and only the files an export holds.
 */
export async function exportFilePath(
  config: StatementsConfig,
  accountId: string,
  exportId: string,
  file: string,
): Promise<{ path: string; size: number } | null> {
  if (!new RegExp(EXPORT_ID).test(exportId) || !FILE_NAMES.includes(file)) return null;
  const path = join(accountDir(config.dir, accountId), exportId, file);
  const found = await stat(path).catch(() => null);
  return found?.isFile() ? { path, size: found.size } : null;
}

function instant(text: string | undefined, field: string): Date | undefined {
  if (text === undefined) return undefined;
  const parsed = parseIsoInstant(text);
  if (!parsed.ok) {
    throw new OffboardError(
      'OFFBOARD_ERR_INVALID_REQUEST',
      `body/${field} is not a valid date or instant (${parsed.reason}); use ISO 8601, e.g. 2026-01-01 or 2026-01-01T00:00:00Z`,
    );
  }
  return new Date(parsed.epochMs);
}

const Manifest = Closed({
  manifestVersion: Type.Integer(),
  account: Type.String(),
  holder: Type.String(),
  period: Closed({
    from: Type.Union([Type.String(), Type.Null()]),
    to: Type.Union([Type.String(), Type.Null()]),
  }),
  generatedAt: Type.String(),
  rows: Type.Integer(),
  balances: Type.Array(
    Closed({
      asset: Type.String(),
      decimals: Type.Integer(),
      opening: Type.String(),
      closing: Type.String(),
    }),
  ),
  algorithm: Type.String(),
  keyId: Type.String(),
  statementSha256: Type.String(),
  files: Type.Array(
    Closed({
      name: Type.String(),
      format: StringEnum(STATEMENT_FORMATS),
      rows: Type.Integer(),
      bytes: Type.Integer(),
      sha256: Type.String(),
    }),
  ),
});

export function registerExportRoutes(
  app: App,
  services: Services,
  config: StatementsConfig | null,
): void {
  const { ctx } = services;
  const configured = (): StatementsConfig => {
    if (!config)
      throw new OffboardError(
        'OFFBOARD_ERR_SIGNING_KEY',
        'statement exports are not configured on this service (no signing key)',
      );
    return config;
  };

  app.post(
    '/v1/me/exports',
    {
      config: { access: { holder: true, closedAccount: true } },
      schema: {
        tags: ['holder'],
        summary: 'Export my statements: CSV, JSON Lines and PDF with a signed manifest',
        description:
          'Writes the whole history (or the period asked for) and answers with the manifest and where to download each file.',
        body: Closed({
          formats: Type.Optional(
            Type.Array(StringEnum(STATEMENT_FORMATS), {
              minItems: 1,
              maxItems: 3,
              uniqueItems: true,
              description: 'Default: all three',
            }),
          ),
          from: Type.Optional(
            Type.String({
              maxLength: 40,
              description: 'Inclusive ISO 8601 date or instant; default: the beginning',
            }),
          ),
          to: Type.Optional(
            Type.String({
              maxLength: 40,
              description: 'Exclusive ISO 8601 date or instant; default: now',
            }),
          ),
        }),
        response: {
          201: Closed({
            id: Type.String(),
            manifest: Manifest,
            files: Type.Array(Closed({ name: Type.String(), href: Type.String() })),
          }),
          ...errors(404),
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request);
      const config = configured();
      // Bad dates are refused before a folder is made for the export.
      const from = instant(request.body.from, 'from');
      const to = instant(request.body.to, 'to');
      const { id, manifest } = await exportForAccount(ctx, config, caller.accountId, {
        formats: request.body.formats as StatementFormat[] | undefined,
        from,
        to,
      });
      const result = { manifest };
      const names = [...result.manifest.files.map((f) => f.name), MANIFEST_FILE, SIGNATURE_FILE];
      return reply.status(201).send({
        id,
        manifest: result.manifest,
        files: names.map((name) => ({ name, href: `/v1/me/exports/${id}/${name}` })),
      });
    },
  );

  app.get(
    '/v1/me/exports/:exportId/:file',
    {
      config: { access: { holder: true, closedAccount: true } },
      schema: {
        tags: ['holder'],
        summary: 'Download one file of my export: a statement, the manifest or its signature',
        params: Closed({
          exportId: Type.String({ pattern: EXPORT_ID }),
          file: StringEnum(FILE_NAMES as [string, ...string[]]),
        }),
        produces: [
          'text/csv',
          'application/x-ndjson',
          'application/pdf',
          'application/json',
          'text/plain',
        ],
        response: {
          200: Type.Unsafe<unknown>({ type: 'string', description: 'The file, streamed' }),
          ...errors(404),
        },
      },
    },
    async (request, reply) => {
      const caller = callerFor(request);
      const found = await exportFilePath(
        configured(),
        caller.accountId,
        request.params.exportId,
        request.params.file,
      );
      if (!found)
        throw new OffboardError(
          'OFFBOARD_ERR_NOT_FOUND',
          `no file ${request.params.file} in export ${request.params.exportId}`,
        );
      return reply
        .type(exportFileType(request.params.file))
        .header('content-length', found.size)
        .header('content-disposition', `attachment; filename="${request.params.file}"`)
        .send(createReadStream(found.path));
    },
  );

  app.get(
    '/v1/statements/public-key',
    {
      config: { access: { public: true } },
      schema: {
        tags: ['holder'],
        summary: 'The public key statements are signed with (for auditors and tax offices)',
        produces: ['application/x-pem-file'],
        response: {
          200: Type.String({ description: 'Ed25519 public key, SPKI PEM' }),
          ...errors(),
        },
      },
    },
    async (_request, reply) =>
      reply
        .type('application/x-pem-file')
        .send(publicKeyPem((await configured().signingKey()).publicKey)),
  );
}
