import type { ErrorCode } from '../../domain/errors.js';
import type { Lang, PageKey } from '../../domain/messages.js';
import { Layout, text } from './layout.js';

/*
 * An error as a page, in the reader's language: what happened in their words (the
 * catalogue's `error.` keys), the stable code beside it, and the way back. Never the
 * error's English message: it is written for API clients, and may name things a holder
 * is not told.
 */

/**
 * The refusals a holder's form can meet, and the words they are told with: the form's
 * page shows them when its POST comes back with `?error=CODE`.
 */
export const FORM_ERRORS: Partial<Record<ErrorCode, PageKey>> = {
  OFFBOARD_ERR_BAD_CODE: 'error.bad_code',
  OFFBOARD_ERR_TOO_MANY_ATTEMPTS: 'error.too_many',
  OFFBOARD_ERR_NOT_ELIGIBLE: 'error.not_eligible',
  OFFBOARD_ERR_CONSENT_REQUIRED: 'error.consent',
  OFFBOARD_ERR_CLOSURE_IN_PROGRESS: 'error.in_progress',
  OFFBOARD_ERR_NO_CLOSURE: 'error.no_closure',
  OFFBOARD_ERR_CLOSURE_REFUSED: 'error.refused',
  OFFBOARD_ERR_ACCOUNT_CLOSED: 'error.closed',
  OFFBOARD_ERR_ACCOUNT_NOT_ACTIVE: 'error.not_active',
  OFFBOARD_ERR_RATE_LIMITED: 'error.rate_limited',
};

/** The codes a page reader can meet with words of their own; the rest read `error.unexpected`. */
export const ERROR_WORDS: Partial<Record<ErrorCode, PageKey>> = {
  ...FORM_ERRORS,
  OFFBOARD_ERR_UNAUTHENTICATED: 'error.session',
  OFFBOARD_ERR_NOT_FOUND: 'error.not_found',
  OFFBOARD_ERR_UNKNOWN_ROUTE: 'error.not_found',
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
