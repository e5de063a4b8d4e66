import type { PropsWithChildren } from '@kitajs/html';
import type { AgentCase, TimelineEntry } from '../../../app/agent-case.js';
import { caseTimeline } from '../../../app/agent-case.js';
import type { QueueFilter, QueueItem, QueuePage } from '../../../app/agent-queue.js';
import { QUEUE_KINDS } from '../../../app/agent-queue.js';
import type { Approval } from '../../../app/agent-decisions.js';
import type { ErrorCode } from '../../../domain/errors.js';
import { formatAmount as formatMinor } from '../../../domain/money.js';
import type { Lang, PageKey, RenderedBlocker } from '../../../domain/messages.js';
import { formatAmount, formatDuration, formatInstant } from '../format.js';
import { Csrf, Layout, text } from '../layout.js';
import { CaseTickets } from './ticket-pages.js';

/*
 * The agent console's pages. Agents see what holders are never told: a hold's kind and
 * reason, the verdict's agent detail. Everything else a holder must not see (one-time
 * codes, disable links) stays out: messages are listed by subject, never by body.
 */

export interface ConsoleFrame {
  lang: Lang;
  /** The path the language switch returns to. */
  path: string;
  /** Signed-in agent, with the CSRF token of their session. */
  agent: { id: string; roles: readonly string[]; csrf: string };
}

export type Done = 'proposed' | 'approved' | 'declined' | 'rejected';
export const DONE: readonly Done[] = ['proposed', 'approved', 'declined', 'rejected'];

/** Expected refusals the case page explains in the agent's language; anything else is an error page. */
export const CONSOLE_ERRORS: Partial<Record<ErrorCode, PageKey>> = {
  OFFBOARD_ERR_FOUR_EYES: 'console.error.four_eyes',
  OFFBOARD_ERR_PROPOSAL_CHANGED: 'console.error.proposal_changed',
  OFFBOARD_ERR_DUPLICATE: 'console.error.duplicate',
  OFFBOARD_ERR_INVALID_STATE: 'console.error.decided',
  OFFBOARD_ERR_NOT_FOUND: 'console.error.gone',
  OFFBOARD_ERR_NO_CLOSURE: 'console.error.gone',
  OFFBOARD_ERR_CLOSURE_REFUSED: 'console.error.closure_refused',
  OFFBOARD_ERR_FORBIDDEN: 'console.error.role',
  OFFBOARD_ERR_INVALID_ARGUMENT: 'console.error.reason',
};

export function ConsoleLayout(props: PropsWithChildren<ConsoleFrame & { title: string }>) {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={`${props.title} · ${text(lang, 'console.name')}`}
      path={props.path}
      audience="agent"
      signOut={{ action: '/console/sign-out', csrf: props.agent.csrf }}
    >
      <p class="muted" safe>
        {text(lang, 'console.signed_in_as', {
          agent: props.agent.id,
          roles: props.agent.roles.join(', '),
        })}
      </p>
      {props.children}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------
// Sign-in

export function SignInPage(props: { lang: Lang; link: string | null; refused: boolean }) {
  const { lang } = props;
  return (
    <Layout
      lang={lang}
      title={text(lang, 'console.sign_in.title')}
      path="/console/sign-in"
      audience="agent"
    >
      <h1 safe>{text(lang, 'console.sign_in.title')}</h1>
      {props.refused ? (
        <p class="alert" role="alert" safe>
          {text(lang, 'console.sign_in.refused')}
        </p>
      ) : (
        ''
      )}
      {props.link ? (
        <form method="post" action="/console/sign-in">
          <input type="hidden" name="link" value={props.link} />
          <p safe>{text(lang, 'console.sign_in.link_intro')}</p>
          <button type="submit" safe>
            {text(lang, 'console.sign_in.button')}
          </button>
        </form>
      ) : (
        <form method="post" action="/console/sign-in">
          <p safe>{text(lang, 'console.sign_in.token_intro')}</p>
          <label for="token" safe>
            {text(lang, 'console.sign_in.token')}
          </label>
          <textarea id="token" name="token" rows="4" cols="40" required></textarea>
          <p>
            <button type="submit" safe>
              {text(lang, 'console.sign_in.button')}
            </button>
          </p>
        </form>
      )}
    </Layout>
  );
}

// ---------------------------------------------------------------------------------------
// Queue

const AGES: readonly { value: string; ms: number; key: PageKey }[] = [
  { value: '1h', ms: 3_600_000, key: 'console.queue.age_1h' },
  { value: '1d', ms: 86_400_000, key: 'console.queue.age_1d' },
  { value: '7d', ms: 7 * 86_400_000, key: 'console.queue.age_7d' },
];

export function ageMs(value: unknown): number | undefined {
  return AGES.find((a) => a.value === value)?.ms;
}

const KIND_KEYS: Record<QueueItem['kind'], PageKey> = {
  ticket: 'console.kind.ticket',
  approval: 'console.kind.approval',
  escalated: 'console.kind.escalated',
  blocked: 'console.kind.blocked',
  hold: 'console.kind.hold',
  disabled: 'console.kind.disabled',
};

/** The query string of a filter (and page), for links and htmx. */
export function queueQuery(filter: QueueFilter & { age?: string }, page?: number): string {
  const q = new URLSearchParams();
  if (filter.kind) q.set('kind', filter.kind);
  if (filter.jurisdiction) q.set('jurisdiction', filter.jurisdiction);
  if (filter.age) q.set('age', filter.age);
  if (page && page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function QueuePageView(
  props: ConsoleFrame & { queue: QueuePage; filter: QueueFilter & { age?: string }; now: Date },
) {
  const { lang, filter } = props;
  return (
    <ConsoleLayout {...props} title={text(lang, 'console.queue.title')}>
      <>
        <h1 safe>{text(lang, 'console.queue.title')}</h1>
        <form method="get" action="/console/accounts" class="actions">
          <label for="open-account" safe>
            {text(lang, 'console.queue.open_account')}
          </label>
          <input type="text" id="open-account" name="id" required maxlength="200" />
          <button type="submit" class="secondary" safe>
            {text(lang, 'console.queue.open')}
          </button>
        </form>
        <form method="get" action="/console" class="actions filters">
          <label>
            <span safe>{text(lang, 'console.queue.filter_kind')}</span>
            <select name="kind">
              <option value="" selected={!filter.kind} safe>
                {text(lang, 'console.queue.any')}
              </option>
              {QUEUE_KINDS.map((k) => (
                <option value={k} selected={filter.kind === k} safe>
                  {text(lang, KIND_KEYS[k])}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span safe>{text(lang, 'console.queue.filter_jurisdiction')}</span>
            <input
              type="text"
              name="jurisdiction"
              value={filter.jurisdiction ?? ''}
              maxlength="2"
              pattern="[A-Za-z]{2}"
              class="short"
            />
          </label>
          <label>
            <span safe>{text(lang, 'console.queue.filter_age')}</span>
            <select name="age">
              <option value="" selected={!filter.age} safe>
                {text(lang, 'console.queue.any')}
              </option>
              {AGES.map((a) => (
                <option value={a.value} selected={filter.age === a.value} safe>
                  {text(lang, a.key)}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" safe>
            {text(lang, 'console.queue.apply')}
          </button>
        </form>
        <p>
          <a
            href={`/console${queueQuery(filter, props.queue.page)}`}
            hx-get={`/console/queue${queueQuery(filter, props.queue.page)}`}
            hx-target="#queue"
            hx-swap="innerHTML"
            id="refresh"
            safe
          >
            {text(lang, 'console.queue.refresh')}
          </a>
        </p>
        <div
          id="queue"
          hx-get={`/console/queue${queueQuery(filter, props.queue.page)}`}
          hx-trigger="every 30s"
          hx-swap="innerHTML"
        >
          <QueueTable lang={lang} queue={props.queue} filter={filter} now={props.now} />
        </div>
      </>
    </ConsoleLayout>
  );
}

/** The queue's table and pager: the fragment htmx refreshes. */
export function QueueTable(props: {
  lang: Lang;
  queue: QueuePage;
  filter: QueueFilter & { age?: string };
  now: Date;
}) {
  const { lang, queue } = props;
  if (queue.items.length === 0)
    return (
      <p class="ok" safe>
        {text(lang, 'console.queue.empty')}
      </p>
    );
  return (
    <>
      <p class="muted" aria-live="polite" safe>
        {text(lang, 'console.queue.count', {
          total: String(queue.total),
          page: String(queue.page),
          pages: String(queue.pages),
        })}
      </p>
      <div class="scroll">
        <table class="grid">
          <caption class="skip-caption" safe>
            {text(lang, 'console.queue.title')}
          </caption>
          <thead>
            <tr>
              <th scope="col" safe>
                {text(lang, 'console.queue.col_due')}
              </th>
              <th scope="col" safe>
                {text(lang, 'console.queue.col_kind')}
              </th>
              <th scope="col" safe>
                {text(lang, 'console.queue.col_account')}
              </th>
              <th scope="col" safe>
                {text(lang, 'console.queue.col_jurisdiction')}
              </th>
              <th scope="col" safe>
                {text(lang, 'console.queue.col_waiting')}
              </th>
            </tr>
          </thead>
          <tbody>
            {queue.items.map((item) => {
              const late = item.dueAt.getTime() <= props.now.getTime();
              const at = late
                ? text(lang, 'console.queue.overdue', { when: formatInstant(item.dueAt, lang) })
                : formatInstant(item.dueAt, lang);
              return (
                <tr data-kind={item.kind}>
                  <td>
                    <span class={item.breaching ? 'late' : ''} safe>
                      {item.breaching && !late
                        ? text(lang, 'console.queue.due_soon', { when: at })
                        : at}
                    </span>
                  </td>
                  <td>
                    {item.kind === 'ticket' ? (
                      <a href={`/console/tickets/${encodeURIComponent(item.subject)}`} safe>
                        {text(lang, KIND_KEYS[item.kind])}
                      </a>
                    ) : (
                      <span safe>{text(lang, KIND_KEYS[item.kind])}</span>
                    )}
                  </td>
                  <td>
                    <a href={`/console/accounts/${encodeURIComponent(item.accountId)}`} safe>
                      {item.accountId}
                    </a>
                  </td>
                  <td safe>{item.jurisdiction ?? '—'}</td>
                  <td safe>{formatDuration(props.now.getTime() - item.since.getTime(), lang)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {queue.pages > 1 ? (
        <nav aria-label={text(lang, 'console.queue.pages')} class="actions">
          {queue.page > 1 ? (
            <a href={`/console${queueQuery(props.filter, queue.page - 1)}`} safe>
              {text(lang, 'console.queue.previous')}
            </a>
          ) : (
            ''
          )}
          {queue.page < queue.pages ? (
            <a href={`/console${queueQuery(props.filter, queue.page + 1)}`} safe>
              {text(lang, 'console.queue.next')}
            </a>
          ) : (
            ''
          )}
        </nav>
      ) : (
        ''
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------
// Case

const canDecide = (roles: readonly string[]) =>
  roles.includes('compliance') || roles.includes('admin');

function amount(minor: bigint, decimals: number, asset: string, lang: Lang): string {
  return formatAmount(formatMinor(minor, decimals), asset, lang);
}

export function CasePage(
  props: ConsoleFrame & {
    accountId: string;
    picture: AgentCase;
    now: Date;
    done: Done | null;
    error: ErrorCode | null;
  },
) {
  const { lang, picture, accountId } = props;
  const decide = canDecide(props.agent.roles);
  const base = `/console/accounts/${encodeURIComponent(accountId)}`;
  const open = picture.closures.find((c) => c.closure.endedAt === null)?.closure ?? null;
  const pendingFor = (subject: string) =>
    picture.approvals.find((a) => a.status === 'pending' && a.subject === subject);
  return (
    <ConsoleLayout {...props} title={accountId}>
      <>
        <p>
          <a href="/console" safe>
            {text(lang, 'console.case.back')}
          </a>
        </p>
        <h1 safe>{text(lang, 'console.case.title', { account: accountId })}</h1>
        {props.done ? (
          <p class="ok" role="status" safe>
            {text(lang, `console.done.${props.done}`)}
          </p>
        ) : (
          ''
        )}
        {props.error ? (
          <p class="alert" role="alert" safe>
            {`${text(lang, CONSOLE_ERRORS[props.error] ?? 'error.unexpected')} (${props.error})`}
          </p>
        ) : (
          ''
        )}
        <dl class="facts">
          <dt safe>{text(lang, 'console.case.status')}</dt>
          <dd>{picture.facts.status}</dd>
          <dt safe>{text(lang, 'console.case.jurisdiction')}</dt>
          <dd safe>{picture.facts.jurisdiction}</dd>
          <dt safe>{text(lang, 'console.case.opened')}</dt>
          <dd safe>{formatInstant(picture.facts.openedAt, lang)}</dd>
          <dt safe>{text(lang, 'console.case.disabled_since')}</dt>
          <dd safe>
            {picture.disabledSince
              ? formatInstant(picture.disabledSince, lang)
              : text(lang, 'console.case.none')}
          </dd>
        </dl>

        <section aria-labelledby="verdict">
          <h2 id="verdict" safe>
            {text(lang, 'console.case.verdict')}
          </h2>
          <p class={picture.verdict.eligible ? 'ok' : 'alert'} safe>
            {text(
              lang,
              picture.verdict.eligible ? 'console.case.eligible' : 'console.case.not_eligible',
              { count: String(picture.verdict.blockers.length) },
            )}
          </p>
          <AgentBlockers blockers={picture.verdict.blockers} withFix />
        </section>

        <section aria-labelledby="holds">
          <h2 id="holds" safe>
            {text(lang, 'console.case.holds')}
          </h2>
          {picture.facts.holds.length === 0 ? (
            <p class="muted" safe>
              {text(lang, 'console.case.none')}
            </p>
          ) : (
            <ul class="plain">
              {picture.facts.holds.map((h) => (
                <li>
                  <strong>{h.kind}</strong>{' '}
                  <span class="mono" safe>
                    {h.id}
                  </span>
                  <br />
                  <span safe>{text(lang, 'console.case.hold_reason', { reason: h.reason })}</span>
                  <br />
                  <span class="muted" safe>
                    {formatInstant(h.placedAt, lang)}
                  </span>
                  {decide && !pendingFor(h.id) ? (
                    <form method="post" action={`${base}/holds/${encodeURIComponent(h.id)}/lift`}>
                      <Csrf token={props.agent.csrf} />
                      <label for={`lift-${h.id}`} safe>
                        {text(lang, 'console.case.note')}
                      </label>
                      <input type="text" id={`lift-${h.id}`} name="note" required maxlength="500" />
                      <button type="submit" safe>
                        {text(lang, 'console.case.propose_lift')}
                      </button>
                    </form>
                  ) : (
                    ''
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="closure">
          <h2 id="closure" safe>
            {text(lang, 'console.case.closure')}
          </h2>
          {open ? (
            <>
              <p safe>
                {text(lang, 'console.case.closure_state', { id: open.id, state: open.state })}
              </p>
              {open.reason ? (
                <p class="detail" safe>
                  {text(lang, 'console.case.closure_reason', { reason: open.reason })}
                </p>
              ) : (
                ''
              )}
              {decide && open.state === 'escalated' && !pendingFor(open.id) ? (
                <div class="actions">
                  <form method="post" action={`${base}/closure/approve`}>
                    <Csrf token={props.agent.csrf} />
                    <label for="approve-note" safe>
                      {text(lang, 'console.case.note')}
                    </label>
                    <input type="text" id="approve-note" name="note" required maxlength="500" />
                    <button type="submit" safe>
                      {text(lang, 'console.case.propose_approve')}
                    </button>
                  </form>
                  <form method="post" action={`${base}/closure/reject`}>
                    <Csrf token={props.agent.csrf} />
                    <label for="reject-reason" safe>
                      {text(lang, 'console.case.reason')}
                    </label>
                    <input type="text" id="reject-reason" name="reason" required maxlength="500" />
                    <button type="submit" class="danger" safe>
                      {text(lang, 'console.case.reject')}
                    </button>
                  </form>
                </div>
              ) : (
                ''
              )}
            </>
          ) : (
            <p class="muted" safe>
              {text(lang, 'console.case.no_open_closure')}
            </p>
          )}
        </section>

        <CaseTickets
          lang={lang}
          tickets={picture.tickets.map((t) => ({
            id: t.ticket.id,
            subject: t.ticket.subject,
            state: t.ticket.state,
            breaching: t.breaching,
          }))}
        />
        <Approvals {...props} base={base} decide={decide} />
        <Facts lang={lang} picture={picture} />
        <Timeline lang={lang} picture={picture} />

        <section aria-labelledby="messages">
          <h2 id="messages" safe>
            {text(lang, 'console.case.messages')}
          </h2>
          {picture.messages.length === 0 ? (
            <p class="muted" safe>
              {text(lang, 'console.case.none')}
            </p>
          ) : (
            <ul class="plain">
              {picture.messages.map((m) => (
                <li>
                  <span class="muted" safe>
                    {`${formatInstant(m.createdAt, lang)} · ${m.channel}`}
                  </span>{' '}
                  <span safe>{m.subject}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </>
    </ConsoleLayout>
  );
}

function Approvals(props: ConsoleFrame & { picture: AgentCase; base: string; decide: boolean }) {
  const { lang, picture } = props;
  const hashOf = (a: Approval) => picture.proposals.find((p) => p.approval.id === a.id)?.hash;
  return (
    <section aria-labelledby="approvals">
      <h2 id="approvals" safe>
        {text(lang, 'console.case.approvals')}
      </h2>
      {picture.approvals.length === 0 ? (
        <p class="muted" safe>
          {text(lang, 'console.case.none')}
        </p>
      ) : (
        <ul class="plain">
          {picture.approvals.map((a) => {
            const hash = hashOf(a);
            const mine = a.requestedBy === props.agent.id;
            return (
              <li class="approval" data-approval={a.id}>
                <strong safe>{`${a.action} · ${a.subject}`}</strong>
                <br />
                <span safe>
                  {text(lang, 'console.case.proposed_by', {
                    agent: a.requestedBy,
                    when: formatInstant(a.requestedAt, lang),
                    note: a.note,
                  })}
                </span>
                <br />
                <span class={a.status === 'approved' ? 'ok' : ''} safe>
                  {a.decidedBy && a.status !== 'pending'
                    ? text(lang, `console.case.status_${a.status}_by`, {
                        agent: a.decidedBy,
                        when: a.decidedAt ? formatInstant(a.decidedAt, lang) : '',
                      })
                    : text(lang, 'console.case.status_pending')}
                </span>
                {a.status === 'pending' && hash ? (
                  <>
                    <br />
                    <span class="muted mono" safe>
                      {text(lang, 'console.case.proposal_hash', { hash: hash.slice(0, 16) })}
                    </span>
                  </>
                ) : (
                  ''
                )}
                {a.status === 'pending' && props.decide && hash ? (
                  <div class="actions">
                    {mine ? (
                      <p class="muted" safe>
                        {text(lang, 'console.case.needs_second')}
                      </p>
                    ) : (
                      <form
                        method="post"
                        action={`/console/approvals/${encodeURIComponent(a.id)}/approve`}
                      >
                        <Csrf token={props.agent.csrf} />
                        <input type="hidden" name="proposal" value={hash} />
                        <input type="hidden" name="account" value={a.accountId} />
                        <button type="submit" safe>
                          {text(lang, 'console.case.approve')}
                        </button>
                      </form>
                    )}
                    <form
                      method="post"
                      action={`/console/approvals/${encodeURIComponent(a.id)}/decline`}
                    >
                      <Csrf token={props.agent.csrf} />
                      <input type="hidden" name="account" value={a.accountId} />
                      <label for={`decline-${a.id}`} safe>
                        {text(lang, 'console.case.reason')}
                      </label>
                      <input
                        type="text"
                        id={`decline-${a.id}`}
                        name="reason"
                        required
                        maxlength="500"
                      />
                      <button type="submit" class="secondary" safe>
                        {text(lang, mine ? 'console.case.withdraw' : 'console.case.decline')}
                      </button>
                    </form>
                  </div>
                ) : (
                  ''
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function Facts(props: { lang: Lang; picture: AgentCase }) {
  const { lang } = props;
  const f = props.picture.facts;
  const rows: { key: PageKey; lines: string[] }[] = [
    {
      key: 'console.facts.balances',
      lines: f.balances.map(
        (b) =>
          `${amount(b.available, b.decimals, b.asset, lang)} · ${text(lang, 'console.facts.locked', { amount: amount(b.locked, b.decimals, b.asset, lang) })}`,
      ),
    },
    {
      key: 'console.facts.orders',
      lines: f.openOrders.map(
        (o) => `${o.id} · ${o.side} · ${amount(o.locked, o.decimals, o.asset, lang)}`,
      ),
    },
    {
      key: 'console.facts.transfers',
      lines: f.pendingTransfers.map(
        (t) => `${t.id} · ${t.direction} · ${amount(t.amount, t.decimals, t.asset, lang)}`,
      ),
    },
    {
      key: 'console.facts.disputes',
      lines: f.disputes.map(
        (d) => `${d.id} · ${d.kind} · ${amount(d.amount, d.decimals, d.asset, lang)}`,
      ),
    },
    {
      key: 'console.facts.authorizations',
      lines: f.authorizations.map((a) => `${a.id} · ${a.kind} · ${a.name}`),
    },
    {
      key: 'console.facts.credentials',
      lines: f.credentials.map((c) => `${c.id} · ${c.kind} · ${c.label}`),
    },
  ];
  return (
    <section aria-labelledby="facts">
      <h2 id="facts" safe>
        {text(lang, 'console.case.facts')}
      </h2>
      <dl class="facts">
        {rows.map((r) => (
          <>
            <dt safe>{text(lang, r.key)}</dt>
            <dd>
              {r.lines.length === 0 ? (
                <span class="muted" safe>
                  {text(lang, 'console.case.none')}
                </span>
              ) : (
                <ul class="plain">
                  {r.lines.map((l) => (
                    <li safe>{l}</li>
                  ))}
                </ul>
              )}
            </dd>
          </>
        ))}
      </dl>
    </section>
  );
}

function timelineWhat(lang: Lang, line: TimelineEntry): string {
  if (line.type === 'closure')
    return text(lang, `console.moment.${line.event}`, { id: line.closureId });
  const e = line.entry;
  return `#${e.seq} · ${e.actorKind}:${e.actorId} · ${e.action}`;
}

function Timeline(props: { lang: Lang; picture: AgentCase }) {
  const { lang, picture } = props;
  const verdict = picture.auditVerdict;
  const lines = caseTimeline(picture);
  return (
    <section aria-labelledby="timeline">
      <h2 id="timeline" safe>
        {text(lang, 'console.case.timeline')}
      </h2>
      <p class={verdict.intact ? 'ok' : 'alert'} role={verdict.intact ? undefined : 'alert'} safe>
        {verdict.intact
          ? text(lang, 'console.case.audit_intact', { entries: String(verdict.entries) })
          : text(lang, 'console.case.audit_broken', {
              seq: String(verdict.seq),
              problem: verdict.problem,
            })}
      </p>
      <ol class="timeline">
        {lines.map((line) => (
          <li class={line.type}>
            <span class="muted" safe>
              {formatInstant(line.at, lang)}
            </span>{' '}
            <span class="mono" safe>
              {timelineWhat(lang, line)}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/**
 * An agent-audience verdict's blockers: code, message, the fix when asked for, and the
 * detail only agents see (a hold's kind and reason).
 */
export function AgentBlockers(props: {
  blockers: readonly RenderedBlocker[];
  withFix?: boolean;
}): JSX.Element {
  return (
    <ul class="blockers">
      {props.blockers.map((b) => (
        <li class="blocker">
          <strong class="mono">{b.code}</strong> <span safe>{b.message}</span>
          {props.withFix ? (
            <>
              <br />
              <span class="muted" safe>
                {b.fix}
              </span>
            </>
          ) : (
            ''
          )}
          {b.detail ? (
            <>
              <br />
              <span class="detail" safe>
                {b.detail}
              </span>
            </>
          ) : (
            ''
          )}
        </li>
      ))}
    </ul>
  );
}
