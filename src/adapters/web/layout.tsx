import type { PropsWithChildren } from '@kitajs/html';
import { LANGS, pageText } from '../../domain/messages.js';
import type { Lang, PageKey } from '../../domain/messages.js';

/*
 * The frame of every page: language, title, the stylesheet and htmx (both served by the
 * app itself: the CSP allows scripts and styles from 'self' only), a skip link, the
 * language switch, and, on holder pages, the standing notice against impostors.
 *
 * htmx is told not to inject its indicator styles nor evaluate anything: the CSP would
 * refuse both, and no page needs them.
 */

export const HTMX_PATH = '/assets/htmx-2.0.11.min.js';
export const CSS_PATH = '/assets/web.css';
const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  historyCacheSize: 0,
});

/** The names each language is known by, in itself. */
const LANG_NAMES: Record<Lang, string> = { en: 'English', 'zh-CN': '简体中文' };

export interface LayoutProps {
  lang: Lang;
  /** The page's title (plain text; escaped here). */
  title: string;
  /** The path the language switch returns to. */
  path: string;
  /** Holder pages show the notice against impostors on every page. */
  audience: 'holder' | 'agent' | 'public';
  /** A sign-out form (the session's CSRF token and where it posts), when signed in. */
  signOut?: { action: string; csrf: string };
}

/** Shorthand for a page's sentence in the layout's language. */
export function text(lang: Lang, key: PageKey, params?: Record<string, string>): string {
  return pageText(lang, key, params);
}

/** The page; `sendPage` puts the doctype before it. */
export function Layout(props: PropsWithChildren<LayoutProps>): JSX.Element {
  const { lang } = props;
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <meta name="referrer" content="no-referrer" />
        <title safe>{props.title}</title>
        <link rel="stylesheet" href={CSS_PATH} />
        <script src={HTMX_PATH} defer></script>
      </head>
      <body>
        <a class="skip" href="#main" safe>
          {text(lang, 'layout.skip')}
        </a>
        <header class="top">
          <span class="product" safe>
            {text(lang, 'layout.product')}
          </span>
          <nav aria-label={text(lang, 'layout.language')}>
            <ul class="langs">
              {LANGS.map((l) => (
                <li>
                  {l === lang ? (
                    <span aria-current="true" lang={l} safe>
                      {LANG_NAMES[l]}
                    </span>
                  ) : (
                    <a
                      href={`/language?to=${encodeURIComponent(l)}&back=${encodeURIComponent(props.path)}`}
                      lang={l}
                      hreflang={l}
                      safe
                    >
                      {LANG_NAMES[l]}
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </nav>
          {props.signOut ? (
            <form method="post" action={props.signOut.action} class="sign-out">
              <input type="hidden" name="_csrf" value={props.signOut.csrf} />
              <button type="submit" class="link" safe>
                {text(lang, 'layout.sign_out')}
              </button>
            </form>
          ) : (
            ''
          )}
        </header>
        {props.audience === 'holder' ? (
          <aside class="notice" aria-label="!" role="note">
            <p safe>{text(lang, 'layout.notice')}</p>
          </aside>
        ) : (
          ''
        )}
        <main id="main" tabindex="-1">
          {props.children}
        </main>
      </body>
    </html>
  );
}

/** A hidden CSRF field, for every form of a signed-in page. */
export function Csrf(props: { token: string }): JSX.Element {
  return <input type="hidden" name="_csrf" value={props.token} />;
}
