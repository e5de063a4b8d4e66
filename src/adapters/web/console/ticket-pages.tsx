import type { AgentTicketView, TicketMessage } from '../../../app/tickets.js';
import type { ErrorCode } from '../../../domain/errors.js';
import { valueWord } from '../../../domain/messages.js';
import type { Lang, PageKey } from '../../../domain/messages.js';
import type { SlaReading } from '../../../domain/tickets.js';
import { formatDuration, formatInstant } from '../format.js';
import { Csrf, text } from '../layout.js';
import { AgentBlockers, ConsoleLayout } from './pages.js';
import type { ConsoleFrame } from './pages.js';

/*
 * A support ticket in the agent console: what it is, where it stands against its SLA,
 * every message (replies the holder reads, internal notes the holder never sees, marked
 * apart), phishing flags with their reasons, and the agents' forms. The holder's words
 * were redacted before they were stored: what is shown is what the database holds.
 */

export type TicketDone = 'replied' | 'noted' | 'assigned' | 'resolved' | 'linked';
export const TICKET_DONE: readonly TicketDone[] = [
  'replied',
  'noted',
  'assigned',
  'resolved',
  'linked',
];

/** Expected refusals the ticket page explains; anything else is an error page. */
export const TICKET_ERRORS: Partial<Record<ErrorCode, PageKey>> = {
  OFFBOARD_ERR_INVALID_STATE: 'ticket.error.state',
  OFFBOARD_ERR_NO_CLOSURE: 'ticket.error.no_closure',
  OFFBOARD_ERR_CLOSURE_REFUSED: 'ticket.error.not_escalated',
  OFFBOARD_ERR_INVALID_ARGUMENT: 'ticket.error.message',
};

/** A reply the safety rules refused: shown on the page with the rule, the text kept. */
export interface RefusedReply {
  rule: string;
  reason: string;
  body: string;
}

export function ticketPath(ticketId: string): string {
  return `/console/tickets/${encodeURIComponent(ticketId)}`;
}

function SlaLine(props: { lang: Lang; reading: SlaReading; label: PageKey; now: Date }) {
  const { lang, reading } = props;
  const left = reading.dueAt.getTime() - props.now.getTime();
  const late = reading.status === 'breached' || reading.status === 'warning';
  return (
    <>
      <dt safe>{text(lang, props.label)}</dt>
      <dd>
        <span class={late ? 'late' : ''} safe>
          {`${valueWord(lang, 'slaStatus', reading.status)} · ${formatInstant(reading.dueAt, lang)}`}
        </span>
        {reading.status === 'met' || reading.status === 'paused' ? (
          ''
        ) : (
          <>
            <br />
            <span class="muted" safe>
              {left > 0
                ? text(lang, 'ticket.sla.left', { time: formatDuration(left, lang) })
                : text(lang, 'ticket.sla.late_by', { time: formatDuration(-left, lang) })}
            </span>
          </>
        )}
      </dd>
    </>
  );
}

function Message(props: { lang: Lang; message: TicketMessage }) {
  const { lang, message: m } = props;
  const note = m.kind === 'note';
  return (
    <li class={note ? 'message note' : 'message reply'} data-message={m.id}>
      <p class="message-head">
        <strong safe>{text(lang, note ? 'ticket.message.note' : 'ticket.message.reply')}</strong>{' '}
        <span class="muted" safe>
          {`${m.author.kind}:${m.author.id} · ${formatInstant(m.createdAt, lang)}`}
        </span>
      </p>
      <p class="message-body" safe>
        {m.body}
      </p>
      {m.redacted.length > 0 ? (
        <p class="muted" safe>
          {text(lang, 'ticket.message.redacted', {
            kinds: m.redacted.map((k) => valueWord(lang, 'secretKind', k)).join(', '),
          })}
        </p>
      ) : (
        ''
      )}
      {m.phishing.length > 0 ? (
        <div class="alert">
          <p safe>{text(lang, 'ticket.message.phishing')}</p>
          <ul class="plain">
            {m.phishing.map((reason) => (
              <li safe>{reason}</li>
            ))}
          </ul>
        </div>
      ) : (
        ''
      )}
    </li>
  );
}

export function TicketPage(
  props: ConsoleFrame & {
    view: AgentTicketView;
    now: Date;
    done: TicketDone | null;
    error: ErrorCode | null;
    refused: RefusedReply | null;
  },
) {
  const { lang, view, agent } = props;
  const { ticket } = view;
  const base = ticketPath(ticket.id);
  const account = `/console/accounts/${encodeURIComponent(ticket.accountId)}`;
  const finished = ticket.state === 'resolved' || ticket.state === 'closed';
  const escalated = view.picture.closures.find(
    (c) => c.closure.endedAt === null && c.closure.state === 'escalated',
  )?.closure;
  return (
    <ConsoleLayout {...props} title={ticket.subject}>
      <>
        <p class="actions">
          <a href="/console" safe>
            {text(lang, 'console.case.back')}
          </a>
          <a href={account} safe>
            {text(lang, 'ticket.account_link', { account: ticket.accountId })}
          </a>
        </p>
        <h1 safe>{ticket.subject}</h1>
        {props.done ? (
          <p class="ok" role="status" safe>
            {text(lang, `ticket.done.${props.done}`)}
          </p>
        ) : (
          ''
        )}
        {props.error ? (
          <p class="alert" role="alert" safe>
            {`${text(lang, TICKET_ERRORS[props.error] ?? 'error.unexpected')} (${props.error})`}
          </p>
        ) : (
          ''
        )}
        {props.refused ? (
          <div class="alert" role="alert" id="refused">
            <p safe>{text(lang, 'ticket.refused', { rule: props.refused.rule })}</p>
            <p safe>{props.refused.reason}</p>
          </div>
        ) : (
          ''
        )}
        <dl class="facts">
          <dt safe>{text(lang, 'ticket.id')}</dt>
          <dd class="mono" safe>
            {ticket.id}
          </dd>
          <dt safe>{text(lang, 'ticket.category')}</dt>
          <dd safe>{valueWord(lang, 'ticketCategory', ticket.category)}</dd>
          <dt safe>{text(lang, 'ticket.state')}</dt>
          <dd safe>{valueWord(lang, 'ticketState', ticket.state)}</dd>
          <dt safe>{text(lang, 'ticket.priority')}</dt>
          <dd safe>{valueWord(lang, 'ticketPriority', ticket.priority)}</dd>
          <dt safe>{text(lang, 'ticket.assignee')}</dt>
          <dd safe>{ticket.assignee ?? text(lang, 'ticket.unassigned')}</dd>
          <dt safe>{text(lang, 'ticket.blocker')}</dt>
          <dd class="mono" safe>
            {ticket.blockerCode ?? '—'}
          </dd>
          <dt safe>{text(lang, 'ticket.closure')}</dt>
          <dd class="mono" safe>
            {ticket.closureId ?? '—'}
          </dd>
          <SlaLine
            lang={lang}
            reading={view.sla.firstResponse}
            label="ticket.sla.first_response"
            now={props.now}
          />
          <SlaLine
            lang={lang}
            reading={view.sla.resolution}
            label="ticket.sla.resolution"
            now={props.now}
          />
        </dl>
        {view.sla.paused ? (
          <p class="muted" safe>
            {text(lang, 'ticket.sla.paused')}
          </p>
        ) : (
          ''
        )}

        {view.openedWith ? (
          <section aria-labelledby="opened-with">
            <h2 id="opened-with" safe>
              {text(lang, 'ticket.opened_with')}
            </h2>
            <AgentBlockers blockers={view.openedWith.blockers} />
          </section>
        ) : (
          ''
        )}

        <section aria-labelledby="conversation">
          <h2 id="conversation" safe>
            {text(lang, 'ticket.messages')}
          </h2>
          <ol class="messages">
            {view.messages.map((m) => (
              <Message lang={lang} message={m} />
            ))}
          </ol>
        </section>

        <section aria-labelledby="act">
          <h2 id="act" safe>
            {text(lang, 'ticket.act')}
          </h2>
          {ticket.state === 'closed' ? (
            <p class="muted" safe>
              {text(lang, 'ticket.closed')}
            </p>
          ) : (
            <>
              <form method="post" action={`${base}/reply`}>
                <Csrf token={agent.csrf} />
                <label for="reply-body" safe>
                  {text(lang, 'ticket.reply_label')}
                </label>
                <textarea
                  id="reply-body"
                  name="body"
                  rows="5"
                  cols="60"
                  required
                  maxlength="8000"
                  aria-describedby={props.refused ? 'refused' : undefined}
                  safe
                >
                  {props.refused?.body ?? ''}
                </textarea>
                <p>
                  <button type="submit" safe>
                    {text(lang, 'ticket.reply')}
                  </button>
                </p>
              </form>
              <form method="post" action={`${base}/note`} class="note-form">
                <Csrf token={agent.csrf} />
                <label for="note-body" safe>
                  {text(lang, 'ticket.note_label')}
                </label>
                <textarea
                  id="note-body"
                  name="body"
                  rows="3"
                  cols="60"
                  required
                  maxlength="8000"
                ></textarea>
                <p>
                  <button type="submit" class="secondary" safe>
                    {text(lang, 'ticket.note')}
                  </button>
                </p>
              </form>
              <div class="actions">
                {ticket.assignee === agent.id ? (
                  ''
                ) : (
                  <form method="post" action={`${base}/assign`}>
                    <Csrf token={agent.csrf} />
                    <button type="submit" class="secondary" safe>
                      {text(lang, 'ticket.assign_me')}
                    </button>
                  </form>
                )}
                {finished ? (
                  ''
                ) : (
                  <form method="post" action={`${base}/resolve`}>
                    <Csrf token={agent.csrf} />
                    <button type="submit" safe>
                      {text(lang, 'ticket.resolve')}
                    </button>
                  </form>
                )}
                {escalated && ticket.closureId !== escalated.id && !finished ? (
                  <form method="post" action={`${base}/link-closure`}>
                    <Csrf token={agent.csrf} />
                    <button type="submit" class="secondary" safe>
                      {text(lang, 'ticket.link_closure', { closure: escalated.id })}
                    </button>
                  </form>
                ) : (
                  ''
                )}
              </div>
              {ticket.closureId ? (
                <p class="muted">
                  <span safe>{text(lang, 'ticket.decide_on_case')}</span>{' '}
                  <a href={`${account}#closure`} safe>
                    {text(lang, 'ticket.account_link', { account: ticket.accountId })}
                  </a>
                </p>
              ) : (
                ''
              )}
            </>
          )}
        </section>
      </>
    </ConsoleLayout>
  );
}

/** The case page's list of the account's tickets. */
export function CaseTickets(props: {
  lang: Lang;
  tickets: readonly { id: string; subject: string; state: string; breaching: boolean }[];
}) {
  const { lang } = props;
  return (
    <section aria-labelledby="tickets">
      <h2 id="tickets" safe>
        {text(lang, 'ticket.case_list')}
      </h2>
      {props.tickets.length === 0 ? (
        <p class="muted" safe>
          {text(lang, 'console.case.none')}
        </p>
      ) : (
        <ul class="plain">
          {props.tickets.map((t) => (
            <li>
              <a href={ticketPath(t.id)} safe>
                {t.subject}
              </a>{' '}
              <span class={t.breaching ? 'late' : 'muted'} safe>
                {`${valueWord(lang, 'ticketState', t.state)}${t.breaching ? ` · ${text(lang, 'ticket.breaching')}` : ''}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
