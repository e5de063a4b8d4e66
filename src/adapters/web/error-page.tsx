import type { ErrorCode } from '../../domain/errors.js';
import type { Lang, PageKey } from '../../domain/messages.js';
import { Layout, text } from './layout.js';

/*
 * An error as a page, in the reader's language: what happened in their words (the
 * catalogue's `error.` keys), the stable code beside it, and the way back. Never the
 * error's English message: it is written for API clients, and may name things a holder
 * is not told.
 */

/** The codes a page reader can meet with words of their own; the rest read `error.unexpected`. */
export const ERROR_WORDS: Partial<Record<ErrorCode, PageKey>> = {
  OFFBOARD_ERR_UNAUTHENTICATED: 'error.session',
};

export function errorWords(code: ErrorCode): PageKey {
  return ERROR_WORDS[code] ?? 'error.unexpected';
}

export function renderErrorPage(props: {
  lang: Lang;
  code: ErrorCode;
  /** The refusal was a form's CSRF token. */
  csrf: boolean;
  /** Where "back" goes. */
  path: string;
}): JSX.Element {
  const { lang } = props;
  const words = props.csrf ? 'error.csrf' : errorWords(props.code);
  return (
    <Layout
      lang={lang}
      title={text(lang, 'error.title')}
      path={props.path}
      audience={props.path.startsWith('/account') ? 'holder' : 'agent'}
    >
      <h1 safe>{text(lang, 'error.title')}</h1>
      <p class="alert" role="alert" safe>
        {text(lang, words)}
      </p>
      <p class="muted" safe>
        {text(lang, 'error.code', { code: props.code })}
      </p>
      <p>
        <a href={props.path} safe>
          {text(lang, 'error.back')}
        </a>
      </p>
    </Layout>
  );
}
