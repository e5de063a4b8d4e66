import type { ClosureConsent } from '../../../domain/closure.js';
import type { Lang, PageKey, RenderedBlocker } from '../../../domain/messages.js';
import { formatAmount, formatDuration, formatInstant } from '../format.js';
import { Csrf, Layout, text } from '../layout.js';
import type { AccountView } from './account-state.js';

/*
 * The holder's pages. Every word comes from the catalogue (`text`), every value is
 * escaped (`safe`), every action is a form that works without JavaScript; htmx only
 * refreshes the state (grace countdown) and the blockers.
 */

export interface Signed {
  lang: Lang;
  csrf: string;
}

const signOut = (csrf: string) => ({ action: '/account/sign-out', csrf });

function Alert(props: { lang: Lang; words: PageKey | null }): JSX.Element {
  if (!props.words) return '';
  return (
    <p class="alert" role="alert" safe>
      {text(props.lang, props.words)}
    </p>
  );
}

function Instant(props: { lang: Lang; at: Date | string }): JSX.Element {
  const iso = typeof props.at === 'string' ? props.at : props.at.toISOString();
  return (
    <time datetime={iso} safe>
      {formatInstant(iso, props.lang)}
    </time>
  );
}

/** The account's state; polls itself while something is under way (the grace countdown). */
export function StateSection(props: { view: AccountView; lang: Lang; csrf: string }): JSX.Element {
  const { view, lang } = props;
  const closure = view.closure;
  const live = ['requested', 'grace', 'finalizing', 'escalated'].includes(view.state);
  const cancellable = ['requested', 'grace', 'escalated'].includes(view.state);
  let body: JSX.Element;
  switch (view.state) {
    case 'grace': {
      const ends = closure?.graceEndsAt ?? view.now;
      body = (
        <p safe>
          {text(lang, 'state.grace', {
            at: formatInstant(ends, lang),
            in: formatDuration(ends.getTime() - view.now.getTime(), lang),
          })}
        </p>
      );
      break;
    }
    case 'requested':
      body = (
        <>
          <p safe>
            {text(lang, 'state.requested', {
              at: formatInstant(closure?.confirmationExpiresAt ?? view.now, lang),
            })}
          </p>
          <p>
            <a class="button" href="/account/close/code" safe>
              {text(lang, 'state.enter_code')}
            </a>
          </p>
        </>
      );
      break;
    case 'closed':
      body = (
        <>
          <p safe>{text(lang, 'state.closed')}</p>
          {closure?.endedAt ? (
            <p safe>
              {text(lang, 'state.closed_at', { at: formatInstant(closure.endedAt, lang) })}
            </p>
          ) : (
            ''
          )}
        </>
      );
      break;
    case 'active':
    case 'finalizing':
    case 'escalated':
    case 'frozen':
    case 'disabled':
      body = <p safe>{text(lang, `state.${view.state}`)}</p>;
      break;
  }
  return (
    <section
      id="state"
      class={`state ${view.state}`}
      aria-labelledby="state-heading"
      hx-get={live ? '/account/fragments/state' : undefined}
      hx-trigger={live ? 'every 1s' : undefined}
      hx-swap={live ? 'outerHTML' : undefined}
      data-state={view.state}
    >
      <h2 id="state-heading" safe>
        {text(lang, 'state.heading')}
      </h2>
      {body}
      {cancellable ? (
        <form method="post" action="/account/closure/cancel">
          <Csrf token={props.csrf} />
          <button type="submit" class="secondary" safe>
            {text(lang, 'state.cancel')}
          </button>
        </form>
      ) : (
        ''
      )}
    </section>
  );
}

const INSTANT_PARAMS = ['createdAt', 'openedAt', 'grantedAt', 'lastAt', 'placedAt'];

function BlockerDetails(props: { blocker: RenderedBlocker; lang: Lang; now: Date }): JSX.Element {
  const { blocker, lang } = props;
  const p = blocker.params;
  const rows: [PageKey, JSX.Element][] = [];
  if (p['amount'] && p['asset'])
    rows.push(['detail.amount', <span safe>{formatAmount(p['amount'], p['asset'], lang)}</span>]);
  if (p['orderId']) rows.push(['detail.order', <code safe>{p['orderId']}</code>]);
  if (p['name']) rows.push(['detail.app', <span safe>{p['name']}</span>]);
  if (p['transferId']) rows.push(['detail.transfer', <code safe>{p['transferId']}</code>]);
  if (p['disputeId']) rows.push(['detail.dispute', <code safe>{p['disputeId']}</code>]);
  const since = INSTANT_PARAMS.map((name) => p[name]).find(Boolean);
  if (since) rows.push(['detail.since', <Instant lang={lang} at={since} />]);
  const until = blocker.remedy.until;
  if (until) {
    rows.push(['detail.ends', <Instant lang={lang} at={until} />]);
    rows.push([
      'detail.remaining',
      <span class="countdown" safe>
        {formatDuration(Date.parse(until) - props.now.getTime(), lang)}
      </span>,
    ]);
  }
  rows.push(['detail.fix', <span safe>{blocker.fix}</span>]);
  return (
    <dl>
      {rows.map(([label, value]) => (
        <>
          <dt safe>{text(lang, label)}</dt>
          <dd>{value}</dd>
        </>
      ))}
    </dl>
  );
}

/** The way back to the account page, at the foot of every page the account page links to. */
function BackToAccount(props: { lang: Lang }): JSX.Element {
  return (
    <p>
      <a href="/account" safe>
        {text(props.lang, 'close.back')}
      </a>
    </p>
  );
}

const CONSENT_FIX: Partial<Record<string, { consent: keyof ClosureConsent; words: PageKey }>> = {
  sweep_dust: { consent: 'sweepDust', words: 'fix.sweep_dust' },
  cancel_order: { consent: 'cancelOrders', words: 'fix.cancel_order' },
  revoke_authorization: { consent: 'revokeApps', words: 'fix.revoke_authorization' },
};

function FixButton(props: { blocker: RenderedBlocker; lang: Lang }): JSX.Element {
  const { blocker, lang } = props;
  if (blocker.remedy.action === 'contact_support')
    return (
      <a
        class="button secondary"
        href={`/account/tickets/new?blocker=${encodeURIComponent(blocker.code)}`}
        safe
      >
        {text(lang, 'fix.contact_support')}
      </a>
    );
  const consent = CONSENT_FIX[blocker.remedy.action];
  if (consent && blocker.severity === 'automatic')
    return (
      <a class="button secondary" href={`/account/close?consent=${consent.consent}`} safe>
        {text(lang, consent.words)}
      </a>
    );
  return '';
}

/** Every blocker, in the verdict's order, with its message, what it concerns and its fix. */
export function BlockersSection(props: { view: AccountView; lang: Lang }): JSX.Element {
  const { view, lang } = props;
  const blockers = view.verdict.blockers;
  const waiting = blockers.some((b) => b.remedy.until);
  return (
    <section
      id="blockers"
      aria-labelledby="blockers-heading"
      hx-get={waiting ? '/account/fragments/blockers' : undefined}
      hx-trigger={waiting ? 'every 1s' : undefined}
      hx-swap={waiting ? 'outerHTML' : undefined}
    >
      <h2 id="blockers-heading" safe>
        {text(lang, 'blockers.heading')}
      </h2>
      {blockers.length === 0 ? (
        <p class="ok" safe>
          {text(lang, 'blockers.none')}
        </p>
      ) : (
        <ul class="blockers">
          {blockers.map((blocker) => (
            <li class="blocker" data-code={blocker.code}>
              <span class="severity" safe>
                {text(lang, `severity.${blocker.severity}`)}
              </span>
              <p safe>{blocker.message}</p>
              <BlockerDetails blocker={blocker} lang={lang} now={view.now} />
              <FixButton blocker={blocker} lang={lang} />
            </li>
          ))}
        </ul>
      )}
      {view.verdict.earliestEligibleAt ? (
        <p safe>
          {text(lang, 'blockers.waits_end', {
            at: formatInstant(view.verdict.earliestEligibleAt, lang),
          })}
        </p>
      ) : (
        ''
      )}
      <p class="muted" safe>
        {text(lang, 'blockers.checked', { at: formatInstant(view.verdict.evaluatedAt, lang) })}
      </p>
      <form
        method="get"
        action="/account"
        hx-get="/account/fragments/blockers"
        hx-target="#blockers"
        hx-swap="outerHTML"
      >
        <button type="submit" class="secondary" safe>
          {text(lang, 'blockers.check_again')}
        </button>
      </form>
    </section>
  );
}

export interface ExportSummary {
  id: string;
  tookMs: number | null;
  generatedAt: string;
  rows: number;
  keyId: string;
  fingerprint: string;
  files: string[];
}

const FILE_WORDS: Record<string, PageKey> = {
  'statement.csv': 'statements.csv',
  'statement.jsonl': 'statements.jsonl',
  'statement.pdf': 'statements.pdf',
  'manifest.json': 'statements.manifest',
  'manifest.sig': 'statements.signature',
};

export function ExportDetails(props: { lang: Lang; summary: ExportSummary }): JSX.Element {
  const { lang, summary } = props;
  const base = `/account/statements/${summary.id}`;
  return (
    <div class="export" data-export={summary.id}>
      {summary.tookMs !== null ? (
        <p class="ok" safe>
          {text(lang, 'statements.ready', { took: formatDuration(summary.tookMs, lang) })}
        </p>
      ) : (
        ''
      )}
      <p safe>
        {text(lang, 'statements.generated', {
          at: formatInstant(summary.generatedAt, lang),
          rows: new Intl.NumberFormat(lang).format(summary.rows),
        })}
      </p>
      <dl class="facts">
        <dt safe>{text(lang, 'statements.fingerprint')}</dt>
        <dd>
          <code class="fingerprint" safe>
            {summary.fingerprint}
          </code>
        </dd>
        <dt safe>{text(lang, 'statements.key')}</dt>
        <dd>
          <code safe>{summary.keyId}</code> (
          <a href="/v1/statements/public-key" safe>
            {text(lang, 'statements.public_key')}
          </a>
          )
        </dd>
      </dl>
      <p>
        <a class="button" href={`${base}/statements.zip`} download="" safe>
          {text(lang, 'statements.zip')}
        </a>
      </p>
      <ul class="plain">
        {summary.files.map((name) => (
          <li>
            <a href={`${base}/${name}`} download="">
              <span safe>{text(lang, FILE_WORDS[name] ?? 'statements.manifest')}</span> (
              <code safe>{name}</code>)
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

function StatementsSection(props: {
  lang: Lang;
  csrf: string;
  latest: ExportSummary | null;
  available: boolean;
}): JSX.Element {
  const { lang } = props;
  return (
    <section id="statements" aria-labelledby="statements-heading">
      <h2 id="statements-heading" safe>
        {text(lang, 'statements.heading')}
      </h2>
      <p safe>{text(lang, 'statements.explain')}</p>
      {props.latest ? <ExportDetails lang={lang} summary={props.latest} /> : ''}
      {props.available ? (
        <form method="post" action="/account/statements">
          <Csrf token={props.csrf} />
          <button type="submit" safe>
            {text(lang, 'statements.prepare')}
          </button>
        </form>
      ) : (
        <p class="alert" safe>
          {text(lang, 'statements.unavailable')}
        </p>
      )}
    </section>
  );
}

export function AccountPage(props: {
  view: AccountView;
  lang: Lang;
  csrf: string;
  latest: ExportSummary | null;
  statements: boolean;
  flash: PageKey | null;
  error: PageKey | null;
}): JSX.Element {
  const { view, lang, csrf } = props;
  const open = view.state !== 'closed' && view.state !== 'disabled';
  return (
    <Layout
      lang={lang}
      title={text(lang, 'account.title')}
      path="/account"
      audience="holder"
      signOut={signOut(csrf)}
    >
      <h1 safe>{text(lang, 'account.title')}</h1>
      <p class="muted" safe>
        {text(lang, 'account.id', { accountId: view.accountId })}
      </p>
      <Alert lang={lang} words={props.error} />
      {props.flash ? (
        <p class="ok" role="status" safe>
          {text(lang, props.flash)}
        </p>
      ) : (
        ''
      )}
      <StateSection view={view} lang={lang} csrf={csrf} />
      {view.state === 'closed' ? '' : <BlockersSection view={view} lang={lang} />}
      <StatementsSection
        lang={lang}
        csrf={csrf}
        latest={props.latest}
        available={props.statements}
      />
      {open ? (
        <section id="disable" aria-labelledby="disable-heading">
          <h2 id="disable-heading" safe>
            {text(lang, 'disable.heading')}
          </h2>
          <p safe>{text(lang, 'disable.explain')}</p>
          <form method="post" action="/account/disable">
            <Csrf token={csrf} />
            <button type="submit" class="secondary" safe>
              {text(lang, 'disable.button')}
            </button>
          </form>
        </section>
      ) : (
        ''
      )}
      {view.state === 'active' || view.state === 'frozen' ? (
        <section id="close" aria-labelledby="close-heading">
          <h2 id="close-heading" safe>
            {text(lang, 'close.heading')}
          </h2>
          <p safe>{text(lang, 'close.explain')}</p>
          <p>
            <a class="button secondary" href="/account/close" safe>
              {text(lang, 'close.start')}
            </a>
          </p>
        </section>
      ) : (
        ''
      )}
    </Layout>
  );
}

export function ClosePage(props: {
  view: AccountView;
  lang: Lang;
  csrf: string;
  checked: readonly string[];
  grace: string;
  retention: { transactions: string; kyc: string };
  error: PageKey | null;
}): JSX.Element {
  const { view, lang } = props;
  const blocked = view.blocking > 0;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'close.title')}
      path="/account/close"
      audience="holder"
      signOut={signOut(props.csrf)}
    >
      <h1 safe>{text(lang, 'close.title')}</h1>
      <Alert lang={lang} words={props.error} />
      <h2 safe>{text(lang, 'close.means')}</h2>
      <ul class="plain">
        <li safe>{text(lang, 'close.undo')}</li>
        <li safe>{text(lang, 'close.grace', { grace: props.grace })}</li>
        <li safe>{text(lang, 'close.kept', props.retention)}</li>
        <li safe>{text(lang, 'close.late_money')}</li>
        <li safe>{text(lang, 'close.login')}</li>
      </ul>
      {blocked ? (
        <>
          <p class="alert" role="alert" safe>
            {text(lang, 'close.blocked')}
          </p>
          <BlockersSection view={view} lang={lang} />
        </>
      ) : (
        <form method="post" action="/account/close">
          <Csrf token={props.csrf} />
          {view.consents.length > 0 ? (
            <fieldset>
              <legend safe>{text(lang, 'close.consents')}</legend>
              <p class="muted" safe>
                {text(lang, 'close.consent_needed')}
              </p>
              {view.consents.map((consent) => (
                <label class="check">
                  <input
                    type="checkbox"
                    name={consent}
                    value="yes"
                    checked={props.checked.includes(consent)}
                  />
                  <span safe>{text(lang, `consent.${consent}`)}</span>
                </label>
              ))}
            </fieldset>
          ) : (
            ''
          )}
          <button type="submit" safe>
            {text(lang, 'close.continue')}
          </button>
        </form>
      )}
      <BackToAccount lang={lang} />
    </Layout>
  );
}

export function CodePage(props: {
  lang: Lang;
  csrf: string;
  expiresAt: Date;
  error: PageKey | null;
}): JSX.Element {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'code.title')}
      path="/account/close/code"
      audience="holder"
      signOut={signOut(props.csrf)}
    >
      <h1 safe>{text(lang, 'code.title')}</h1>
      <Alert lang={lang} words={props.error} />
      <p safe>{text(lang, 'code.sent', { at: formatInstant(props.expiresAt, lang) })}</p>
      <form method="post" action="/account/close/confirm">
        <Csrf token={props.csrf} />
        <label for="code" safe>
          {text(lang, 'code.label')}
        </label>
        <input
          type="text"
          id="code"
          name="code"
          inputmode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9]{6}"
          maxlength="6"
          required
        />
        <p safe>{text(lang, 'code.last')}</p>
        <button type="submit" class="danger" safe>
          {text(lang, 'code.final')}
        </button>
      </form>
      <form method="post" action="/account/closure/cancel">
        <Csrf token={props.csrf} />
        <button type="submit" class="secondary" safe>
          {text(lang, 'state.cancel')}
        </button>
      </form>
    </Layout>
  );
}

export function ClosurePage(props: { view: AccountView; lang: Lang; csrf: string }): JSX.Element {
  const { view, lang } = props;
  const closure = view.closure!;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'closure.title')}
      path="/account/closure"
      audience="holder"
      signOut={signOut(props.csrf)}
    >
      <h1 safe>{text(lang, 'closure.title')}</h1>
      <dl class="facts">
        <dt safe>{text(lang, 'closure.reference')}</dt>
        <dd>
          <code class="reference" safe>
            {closure.id}
          </code>
        </dd>
        {closure.graceEndsAt ? (
          <>
            <dt safe>{text(lang, 'closure.ends')}</dt>
            <dd>
              <Instant lang={lang} at={closure.graceEndsAt} />
            </dd>
          </>
        ) : (
          ''
        )}
      </dl>
      <StateSection view={view} lang={lang} csrf={props.csrf} />
      <p safe>{text(lang, 'closure.cancel_explain')}</p>
      <BackToAccount lang={lang} />
    </Layout>
  );
}

export function SupportPage(props: { lang: Lang; csrf: string; accountId: string }): JSX.Element {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'support.title')}
      path="/account/support"
      audience="holder"
      signOut={signOut(props.csrf)}
    >
      <h1 safe>{text(lang, 'support.title')}</h1>
      <p safe>{text(lang, 'support.body', { accountId: props.accountId })}</p>
      <p>
        <a class="button secondary" href="/account/tickets/new" safe>
          {text(lang, 'holder_tickets.list.new')}
        </a>{' '}
        <a href="/account/tickets" safe>
          {text(lang, 'holder_tickets.list.title')}
        </a>
      </p>
      <BackToAccount lang={lang} />
    </Layout>
  );
}

export function ExportPage(props: {
  lang: Lang;
  csrf: string;
  summary: ExportSummary;
}): JSX.Element {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'statements.heading')}
      path={`/account/statements/${props.summary.id}`}
      audience="holder"
      signOut={signOut(props.csrf)}
    >
      <h1 safe>{text(lang, 'statements.heading')}</h1>
      <ExportDetails lang={lang} summary={props.summary} />
      <BackToAccount lang={lang} />
    </Layout>
  );
}

/**
 * Pages for someone not signed in: how to sign in, or why the link did not work. With a
 * `token` (a sign-in link just opened), a button that posts it: opening the link only
 * shows the page, so a mail scanner that fetches the link does not spend it.
 */
export function SignInPage(props: {
  lang: Lang;
  problem: PageKey | null;
  token?: string | null;
}): JSX.Element {
  const { lang, token } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'signin.title')}
      path="/account/sign-in"
      audience="holder"
    >
      <h1 safe>{text(lang, 'signin.title')}</h1>
      <Alert lang={lang} words={props.problem} />
      {token ? (
        <form method="post" action="/account/sign-in">
          <p safe>{text(lang, 'signin.confirm')}</p>
          <input type="hidden" name="token" value={token} />
          <button type="submit" safe>
            {text(lang, 'signin.button')}
          </button>
        </form>
      ) : (
        <p safe>{text(lang, 'signin.how')}</p>
      )}
      <p class="muted" safe>
        {text(lang, 'signin.sandbox')}
      </p>
    </Layout>
  );
}

export function DisabledPage(props: { lang: Lang }): JSX.Element {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'disabled.title')}
      path="/account/disabled"
      audience="holder"
    >
      <h1 safe>{text(lang, 'disabled.title')}</h1>
      <section class="state disabled" data-state="disabled">
        <p safe>{text(lang, 'disabled.body')}</p>
        <p safe>{text(lang, 'disabled.enable')}</p>
      </section>
    </Layout>
  );
}
