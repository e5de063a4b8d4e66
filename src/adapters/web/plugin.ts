import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OffboardError } from '../../domain/errors.js';
import type { App, Services } from '../http/app.js';
import { toErrorResponse } from '../http/errors.js';
import type { StatementsConfig } from '../http/routes/exports.js';
import { WEB_CSP_DIRECTIVES } from '../http/security-headers.js';
import { renderErrorPage } from './error-page.js';
import type { WebKit } from './kit.js';
import { langOf, localPath, sendPage, seeOther } from './kit.js';
import { CSS_PATH, HTMX_PATH } from './layout.js';
import { LANG_COOKIE, parseLang } from './locale.js';
import { cookieOptions, sessionKey } from './session.js';

/*
 * The web pages, inside the same Fastify app as the JSON API and calling the same use
 * cases. One encapsulated scope: its own form parser (the API takes JSON only), cookies,
 * helmet's page headers, and an error handler that answers with a page. Page modules
 * (the holder's /account, the agents' /console) register their routes through `pages`.
 */

/** A module of pages: registers its routes in the web scope. */
export type PageModule = (web: FastifyInstance, kit: WebKit) => void | Promise<void>;

const FORM_LIMIT = 16 * 1024;
const YEAR_S = 365 * 86_400;

const require = createRequire(import.meta.url);
/** Exactly the htmx the layout names: the version is in its path, so a cached copy never lies. */
const HTMX_FILE = require.resolve('htmx.org/dist/htmx.min.js');
/** The stylesheet sits at the package root (`assets/`), three levels above src/ and dist/ alike. */
const CSS_FILE = new URL('../../../assets/web.css', import.meta.url);
/** Simplified Chinese for readers without a CJK font (the npm package the PDFs use too). */
const CJK_FONT_FILE =
  require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');
export const CJK_FONT_PATH = '/assets/fonts/noto-sans-sc-400.ttf';

export interface WebOptions {
  pages: readonly PageModule[];
  /** Where statements go and what signs them (the export routes' own); null without a key. */
  statements: StatementsConfig | null;
}

export async function registerWeb(
  app: App,
  services: Services,
  options: WebOptions,
): Promise<void> {
  const kit: WebKit = {
    services,
    key: sessionKey(services.secret),
    tokenSecret: services.secret,
    statements: options.statements,
  };
  const htmx = readFileSync(HTMX_FILE);
  const css = readFileSync(CSS_FILE);

  await app.register(async (web) => {
    // Pages are not the API: they stay out of the OpenAPI document.
    web.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    await web.register(cookie);
    // Helmet's page headers (Origin-Agent-Cluster, X-DNS-Prefetch-Control, ...) with the
    // pages' CSP; security-headers.ts applies the shared table last, with the same CSP.
    await web.register(helmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: Object.fromEntries(
          Object.entries(WEB_CSP_DIRECTIVES).map(([name, values]) => [name, [...values]]),
        ),
      },
      hsts: false, // the shared table sets it
    });
    installFormParser(web);
    // Pages are not API: the OpenAPI document leaves them out (docs/web.md lists them).
    web.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    web.setErrorHandler(async (error, request, reply) => answerWithPage(error, request, reply));

    web.get(HTMX_PATH, async (_request, reply) =>
      reply.type('text/javascript; charset=utf-8').send(htmx),
    );
    web.get(CSS_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').send(css));
    web.get(CJK_FONT_PATH, async (_request, reply) =>
      reply.type('font/ttf').send(createReadStream(CJK_FONT_FILE)),
    );

    // The language links: remember the choice, go back where the reader was.
    web.get('/language', async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const lang = parseLang(query['to']);
      if (lang)
        void reply.setCookie(LANG_COOKIE, lang, { ...cookieOptions(request), maxAge: YEAR_S });
      return seeOther(reply, localPath(query['back'], '/account'));
    });

    for (const register of options.pages) await register(web, kit);
  });
}

/**
 * HTML forms only, and small: `a=1&b=2` becomes `{ a: '1', b: '2' }` (the first of a
 * repeated field wins). Anything else a page is sent is refused like the API refuses it.
 */
function installFormParser(web: FastifyInstance): void {
  web.removeAllContentTypeParsers();
  web.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => {
      const form: Record<string, string> = {};
      for (const [name, value] of new URLSearchParams(body as string))
        if (!Object.hasOwn(form, name)) form[name] = value;
      done(null, form);
    },
  );
}

async function answerWithPage(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const { status, body, unexpected } = toErrorResponse(error, request.id);
  if (unexpected) request.log.error({ err: error }, 'page failed');
  const reason =
    error instanceof OffboardError
      ? (error.data as { reason?: unknown } | undefined)?.reason
      : undefined;
  return sendPage(
    reply,
    status,
    renderErrorPage({
      lang: langOf(request),
      code: body.error.code,
      csrf: reason === 'csrf',
      path: request.url.startsWith('/console') ? '/console' : '/account',
    }),
  );
}
