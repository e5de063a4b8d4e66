import type { PropsWithChildren } from '@kitajs/html';
import type { TicketMessage } from '../../../app/tickets.js';
import type { ErrorCode } from '../../../domain/errors.js';
import { valueWord } from '../../../domain/messages.js';
import type { Lang, PageKey } from '../../../domain/messages.js';
import type { SecretKind } from '../../../domain/redaction.js';
import type { Ticket, TicketCategory } from '../../../domain/tickets.js';
import { formatInstant } from '../format.js';
import { Csrf, Layout, text } from '../layout.js';

/*
 * The holder's support tickets. Only what the holder may read reaches these pages: the
 * replies (the repository's one holder view), the ticket's state in the holder's words.
 * Never an internal note, a phishing flag, the verdict the ticket was opened with (it is
 * the agents' verdict: a hold's kind and reason), nor the words a holder's message lost to
 * redaction: the warning names the kind of secret, never the secret.
 */

export interface HolderFrame {
  lang: Lang;
  path: string;
  /** The account id of the signed-in holder. */
  account: string;
  csrf: string;
}

export const SECRET_KINDS: readonly SecretKind[] = [
  'seed_phrase',
  'private_key',
  'card_number',
  'api_secret',
  'one_time_code',
  'password',
];

/** Categories a holder picks from when the ticket is not opened from a blocker. */
export const HOLDER_CATEGORIES: readonly TicketCategory[] = [
  'closure_blocked',
  'dispute',
  'expedite_request',
  'disable_help',
  'other',
];

/** Refusals these pages explain in the holder's words; anything else is an error page. */
export const HOLDER_TICKET_ERRORS: Partial<Record<ErrorCode, PageKey>> = {
  OFFBOARD_ERR_INVALID_ARGUMENT: 'holder_tickets.error.message',
  OFFBOARD_ERR_INVALID_STATE: 'holder_tickets.error.closed',
};

export type HolderDone = 'sent';

function HolderLayout(props: PropsWithChildren<HolderFrame & { title: string }>) {
  return (
    <Layout
      lang={props.lang}
      title={`${props.title} · ${text(props.lang, 'holder_tickets.name')}`}
      path={props.path}
      audience="holder"
    >
      <p class="muted" safe>
        {text(props.lang, 'holder_tickets.signed_in_as', { account: props.account })}
      </p>
      {props.children}
    </Layout>
  );
}

function ErrorLine(props: { lang: Lang; error: ErrorCode | null }) {
  if (!props.error) return '';
  return (
    <p class="alert" role="alert" safe>
      {text(props.lang, HOLDER_TICKET_ERRORS[props.error] ?? 'error.unexpected')}
    </p>
  );
}

/** Shown at once after a post whose text held secrets: what was removed, and what to do. */
export function RedactionWarning(props: { lang: Lang; kinds: readonly SecretKind[] }) {
  const { lang } = props;
  if (props.kinds.length === 0) return '';
  return (
    <div class="alert" role="alert" id="redacted">
      <p>
        <strong safe>
          {text(lang, 'holder_tickets.redacted', {
            kinds: props.kinds.map((k) => valueWord(lang, 'secretKind', k)).join(', '),
          })}
        </strong>
      </p>
      <p safe>{text(lang, 'holder_tickets.redacted_advice')}</p>
    </div>
  );
}

export function TicketListPage(
  props: HolderFrame & { tickets: readonly Ticket[]; error: ErrorCode | null },
) {
  const { lang } = props;
  return (
    <HolderLayout {...props} title={text(lang, 'holder_tickets.list.title')}>
      <>
        <h1 safe>{text(lang, 'holder_tickets.list.title')}</h1>
        <ErrorLine lang={lang} error={props.error} />
        <p>
          <a href="/account/tickets/new" safe>
            {text(lang, 'holder_tickets.list.new')}
          </a>
        </p>
        {props.tickets.length === 0 ? (
          <p class="muted" safe>
            {text(lang, 'holder_tickets.list.empty')}
          </p>
        ) : (
          <ul class="plain">
            {props.tickets.map((t) => (
              <li>
                <a href={`/account/tickets/${encodeURIComponent(t.id)}`} safe>
                  {t.subject}
                </a>{' '}
                <span class="muted" safe>
                  {`${valueWord(lang, 'holderTicketState', t.state)} · ${formatInstant(t.updatedAt, lang)}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </>
    </HolderLayout>
  );
}

export function NewTicketPage(
  props: HolderFrame & {
    /** Opened from this blocker of the holder's verdict: its code and holder-facing words. */
    blocker: { code: string; message: string; category: TicketCategory } | null;
    error: ErrorCode | null;
  },
) {
  const { lang, blocker } = props;
  const subject = blocker
    ? text(lang, 'holder_tickets.new.subject_from_blocker', { blocker: blocker.message }).slice(
        0,
        200,
      )
    : '';
  return (
    <HolderLayout {...props} title={text(lang, 'holder_tickets.new.title')}>
      <>
        <p>
          <a href="/account/tickets" safe>
            {text(lang, 'holder_tickets.back')}
          </a>
        </p>
        <h1 safe>{text(lang, 'holder_tickets.new.title')}</h1>
        <ErrorLine lang={lang} error={props.error} />
        <p safe>{text(lang, 'holder_tickets.new.intro')}</p>
        <form method="post" action="/account/tickets">
          <Csrf token={props.csrf} />
          {blocker ? (
            <>
              <input type="hidden" name="blocker" value={blocker.code} />
              <p safe>
                {text(lang, 'holder_tickets.new.from_blocker', {
                  category: valueWord(lang, 'ticketCategory', blocker.category),
                })}
              </p>
            </>
          ) : (
            <p>
              <label for="category" safe>
                {text(lang, 'holder_tickets.new.category')}
              </label>
              <select id="category" name="category">
                {HOLDER_CATEGORIES.map((c) => (
                  <option value={c} selected={c === 'other'} safe>
                    {valueWord(lang, 'ticketCategory', c)}
                  </option>
                ))}
              </select>
            </p>
          )}
          <p>
            <label for="subject" safe>
              {text(lang, 'holder_tickets.new.subject')}
            </label>
            <input type="text" id="subject" name="subject" maxlength="200" value={subject} />
          </p>
          <p>
            <label for="body" safe>
              {text(lang, 'holder_tickets.message')}
            </label>
            <textarea
              id="body"
              name="body"
              rows="6"
              cols="60"
              required
              maxlength="8000"
              aria-describedby="no-secrets"
            ></textarea>
            <span id="no-secrets" class="muted" safe>
              {text(lang, 'holder_tickets.no_secrets')}
            </span>
          </p>
          <p>
            <button type="submit" safe>
              {text(lang, 'holder_tickets.new.send')}
            </button>
          </p>
        </form>
      </>
    </HolderLayout>
  );
}

function author(lang: Lang, m: TicketMessage): string {
  if (m.author.kind === 'holder') return text(lang, 'holder_tickets.from_you');
  return text(lang, 'holder_tickets.from_support');
}

export function HolderTicketPage(
  props: HolderFrame & {
    ticket: Ticket;
    messages: readonly TicketMessage[];
    redacted: readonly SecretKind[];
    done: HolderDone | null;
    error: ErrorCode | null;
  },
) {
  const { lang, ticket } = props;
  const path = `/account/tickets/${encodeURIComponent(ticket.id)}`;
  return (
    <HolderLayout {...props} title={ticket.subject}>
      <>
        <p>
          <a href="/account/tickets" safe>
            {text(lang, 'holder_tickets.back')}
          </a>
        </p>
        <h1 safe>{ticket.subject}</h1>
        <RedactionWarning lang={lang} kinds={props.redacted} />
        {props.done ? (
          <p class="ok" role="status" safe>
            {text(lang, 'holder_tickets.sent')}
          </p>
        ) : (
          ''
        )}
        <ErrorLine lang={lang} error={props.error} />
        <dl class="facts">
          <dt safe>{text(lang, 'holder_tickets.state')}</dt>
          <dd safe>{valueWord(lang, 'holderTicketState', ticket.state)}</dd>
          <dt safe>{text(lang, 'holder_tickets.category')}</dt>
          <dd safe>{valueWord(lang, 'ticketCategory', ticket.category)}</dd>
          <dt safe>{text(lang, 'holder_tickets.opened')}</dt>
          <dd safe>{formatInstant(ticket.createdAt, lang)}</dd>
        </dl>
        <section aria-labelledby="conversation">
          <h2 id="conversation" safe>
            {text(lang, 'holder_tickets.messages')}
          </h2>
          <ol class="messages">
            {props.messages.map((m) => (
              <li class={m.author.kind === 'holder' ? 'message mine' : 'message reply'}>
                <p class="message-head">
                  <strong safe>{author(lang, m)}</strong>{' '}
                  <span class="muted" safe>
                    {formatInstant(m.createdAt, lang)}
                  </span>
                </p>
                <p class="message-body" safe>
                  {m.body}
                </p>
              </li>
            ))}
          </ol>
        </section>
        {ticket.state === 'closed' ? (
          <p class="muted" safe>
            {text(lang, 'holder_tickets.closed')}
          </p>
        ) : (
          <form method="post" action={`${path}/reply`}>
            <Csrf token={props.csrf} />
            <label for="reply" safe>
              {text(lang, 'holder_tickets.reply')}
            </label>
            <textarea
              id="reply"
              name="body"
              rows="5"
              cols="60"
              required
              maxlength="8000"
              aria-describedby="no-secrets"
            ></textarea>
            <span id="no-secrets" class="muted" safe>
              {text(lang, 'holder_tickets.no_secrets')}
            </span>
            <p>
              <button type="submit" safe>
                {text(lang, 'holder_tickets.send')}
              </button>
            </p>
          </form>
        )}
      </>
    </HolderLayout>
  );
}
