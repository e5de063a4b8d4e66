import type { LanguagePack } from './message-keys.js';

/** The catalogue in English. */
export const EN: LanguagePack = {
  pages: {
    'layout.skip': 'Skip to the content',
    'layout.language': 'Language',
    'layout.notice':
      'Our support will never ask for your password, seed phrase, one-time codes or remote access to your device, and there are no paid “account closure agents”. Anyone who asks is not us.',
    'layout.sign_out': 'Sign out',
    'layout.product': 'Your account',
    'error.title': 'Something went wrong',
    'error.back': 'Back to your account',
    'error.code': 'Error code: {code}',
    'error.csrf':
      'This form has expired or came from another site. Go back, reload the page and try again.',
    'error.session': 'Your session has ended. Open your sign-in link again.',
    'error.unexpected': 'We could not do that. Try again in a moment.',
    'console.name': 'Agent console',
    'console.signed_in_as': 'Signed in as {agent} ({roles})',
    'console.sign_in.title': 'Agent sign-in',
    'console.sign_in.refused':
      'That sign-in link or token is not valid: it may be used, expired or forged. Ask for a new one.',
    'console.sign_in.link_intro':
      'This one-time link signs you in to the agent console. It works once.',
    'console.sign_in.token_intro': 'Paste the agent token your identity provider issued.',
    'console.sign_in.token': 'Agent token',
    'console.sign_in.button': 'Sign in',
    'console.queue.refresh': 'Refresh the queue',
    'console.queue.title': 'Work queue',
    'console.queue.open_account': 'Open an account by id',
    'console.queue.open': 'Open',
    'console.queue.filter_kind': 'State',
    'console.queue.filter_jurisdiction': 'Jurisdiction (two letters)',
    'console.queue.filter_age': 'Waiting at least',
    'console.queue.any': 'Any',
    'console.queue.age_1h': '1 hour',
    'console.queue.age_1d': '1 day',
    'console.queue.age_7d': '7 days',
    'console.queue.apply': 'Filter',
    'console.queue.empty': 'Nothing waits for an agent.',
    'console.queue.count': '{total} waiting · page {page} of {pages}',
    'console.queue.col_due': 'Due (UTC)',
    'console.queue.col_kind': 'State',
    'console.queue.col_account': 'Account',
    'console.queue.col_jurisdiction': 'Jurisdiction',
    'console.queue.col_waiting': 'Waiting',
    'console.queue.overdue': 'Overdue since {when}',
    'console.queue.pages': 'Pages',
    'console.queue.previous': 'Previous page',
    'console.queue.next': 'Next page',
    'console.kind.approval': 'Override awaiting a second agent',
    'console.kind.escalated': 'Escalated closure',
    'console.kind.blocked': 'Blocked closure',
    'console.kind.hold': 'Account with a hold',
    'console.kind.disabled': 'Disabled, awaiting re-enable',
    'console.case.back': 'Back to the queue',
    'console.case.title': 'Account {account}',
    'console.case.status': 'Status',
    'console.case.jurisdiction': 'Jurisdiction',
    'console.case.opened': 'Opened',
    'console.case.disabled_since': 'Disabled since',
    'console.case.none': 'None',
    'console.case.verdict': 'Verdict (agent view)',
    'console.case.eligible': 'Eligible for closure.',
    'console.case.not_eligible': 'Not eligible. Blockers: {count}.',
    'console.case.holds': 'Holds',
    'console.case.hold_reason': 'Reason: {reason}',
    'console.case.note': 'Note for the second agent',
    'console.case.reason': 'Reason',
    'console.case.propose_lift': 'Propose lifting this hold',
    'console.case.closure': 'Closure',
    'console.case.closure_state': 'Closure {id}: {state}',
    'console.case.closure_reason': 'Why: {reason}',
    'console.case.no_open_closure': 'No open closure.',
    'console.case.propose_approve': 'Propose approving this closure',
    'console.case.reject': 'Reject the closure',
    'console.case.approvals': 'Four-eyes approvals',
    'console.case.proposed_by': 'Proposed by {agent} at {when}: {note}',
    'console.case.status_pending': 'Waiting for a second agent.',
    'console.case.status_approved_by': 'Approved by {agent} at {when}.',
    'console.case.status_declined_by': 'Declined by {agent} at {when}.',
    'console.case.proposal_hash': 'Proposal hash {hash}…',
    'console.case.needs_second': 'You proposed this: a different agent must approve it.',
    'console.case.approve': 'Approve as second agent',
    'console.case.decline': 'Decline',
    'console.case.withdraw': 'Withdraw',
    'console.case.facts': 'Facts',
    'console.case.timeline': 'Timeline and audit',
    'console.case.audit_intact':
      'audit verify holds: every chain intact (entries checked: {entries}).',
    'console.case.audit_broken':
      'audit verify fails at entry {seq} ({problem}): do not rely on this history.',
    'console.case.messages': 'Messages sent to the holder',
    'console.facts.balances': 'Balances',
    'console.facts.locked': 'locked {amount}',
    'console.facts.orders': 'Open orders',
    'console.facts.transfers': 'Pending transfers',
    'console.facts.disputes': 'Disputes',
    'console.facts.authorizations': 'Authorizations',
    'console.facts.credentials': 'Credentials',
    'console.moment.requested': 'Closure {id} requested',
    'console.moment.confirmed': 'Closure {id} confirmed',
    'console.moment.grace_ends': 'Closure {id}: grace period ends',
    'console.moment.ended': 'Closure {id} ended',
    'console.done.proposed': 'Proposed: a second agent must approve it.',
    'console.done.approved': 'Approved: it is done.',
    'console.done.declined': 'Declined.',
    'console.done.rejected': 'The closure is rejected.',
    'console.error.four_eyes': 'You proposed this: a different agent must approve it.',
    'console.error.proposal_changed':
      'The proposal changed after you read it. Read it again before approving.',
    'console.error.duplicate': 'This already waits for a second agent.',
    'console.error.decided': 'Another agent decided this already.',
    'console.error.gone': 'It is no longer there: the hold or closure was lifted or ended.',
    'console.error.closure_refused': 'The closure cannot take this decision in its current state.',
    'console.error.role':
      'Your role cannot take this decision: a compliance agent or an admin can.',
    'console.error.reason': 'Write a note or reason of at most 500 characters.',
  },
  templates: {
    account_closed: { message: 'This account is already closed.', fix: 'Nothing to do.' },
    closure_in_progress: {
      message: 'A closure of this account is already in progress ({closureState}).',
      fix: 'Nothing to do: wait for it to finish, or cancel it.',
    },
    'account_hold.legal': {
      message: 'There is a legal hold on your account, so it cannot be closed for now.',
      fix: 'Contact support for more information.',
    },
    // No parameters, on purpose: see messages.ts.
    'account_hold.review': {
      message: 'Your account needs a review by our team before it can be closed.',
      fix: 'No action is needed from you; we will contact you if we need anything.',
    },
    'account_hold.agent': {
      message: 'A {holdKind} hold ({holdId}) was placed at {placedAt}: {reason}',
      fix: 'Resolve or lift the hold. Unless it is a legal hold, never tell the holder its kind or reason.',
    },
    open_dispute: {
      message: 'A {disputeKind} over {amount} {asset}, opened at {openedAt}, is not resolved yet.',
      fix: 'Our team is working on it; contact support if you have anything to add.',
    },
    funds_locked: {
      message:
        '{amount} {asset} in your account is locked, and no open order or withdrawal explains it.',
      fix: 'Contact support: our team will release it.',
    },
    negative_balance: {
      message: 'Your {asset} balance is negative: you owe {amount} {asset}.',
      fix: 'Deposit {amount} {asset} to bring the balance back to zero, then try again.',
    },
    balance_remaining: {
      message: 'You still hold {amount} {asset}, worth about {value} {currency}.',
      fix: 'Withdraw it to an account of your own, then try again.',
    },
    'balance_remaining.unpriced': {
      message: 'You still hold {amount} {asset}.',
      fix: 'Withdraw it to an account of your own, then try again.',
    },
    pending_withdrawal: {
      message: 'Your withdrawal of {amount} {asset}, started at {createdAt}, is still in progress.',
      fix: 'Wait until it completes, then try again.',
    },
    'pending_withdrawal.cancellable': {
      message: 'Your withdrawal of {amount} {asset}, started at {createdAt}, is still in progress.',
      fix: 'Wait until it completes, or cancel it, then try again.',
    },
    pending_deposit: {
      message:
        'A deposit of {amount} {asset}, started at {createdAt}, is still on its way to your account.',
      fix: 'Wait until it arrives, then try again.',
    },
    'open_orders.automatic': {
      message:
        'Your {side} order {orderId}, placed at {createdAt}, is still open and holds {amount} {asset}.',
      fix: 'Closing can cancel it for you if you agree; the funds it holds go back to your balance.',
    },
    'open_orders.holder_action': {
      message:
        'Your {side} order {orderId}, placed at {createdAt}, is still open and holds {amount} {asset}.',
      fix: 'Cancel the order, then try again.',
    },
    'linked_authorization.automatic': {
      message: '{name} ({authorizationKind}) can still access your account.',
      fix: 'Closing can revoke this access for you if you agree.',
    },
    'linked_authorization.holder_action': {
      message: '{name} ({authorizationKind}) is still linked to your account.',
      fix: 'Cancel it with {name} or in your account settings, then try again.',
    },
    'dust_remaining.automatic': {
      message:
        'You hold a small balance of {amount} {asset}, worth less than {threshold} {currency}.',
      fix: 'Closing can clear this small balance for you if you agree; or withdraw it yourself.',
    },
    'dust_remaining.holder_action': {
      message:
        'You hold a small balance of {amount} {asset}, worth less than {threshold} {currency}.',
      fix: 'Withdraw it, then try again.',
    },
    cooling_off: {
      message:
        'Your last {activity} was at {lastAt}. For your protection, the account cannot be closed until {until}.',
      fix: 'Wait until then; nothing else is needed.',
    },
    'cooling_off.security_change': {
      message:
        'Your security settings changed at {lastAt}. In case someone else made that change, the account cannot be closed until {until}.',
      fix: 'Wait until then. If you did not make the change, disable your account now and contact support.',
    },
  },
  values: {
    activity: {
      withdrawal: 'withdrawal',
      trade: 'trade',
      deposit: 'deposit',
      security_change: 'security change',
    },
    side: { buy: 'buy', sell: 'sell' },
    disputeKind: { dispute: 'dispute', chargeback: 'chargeback' },
    authorizationKind: {
      oauth: 'connected app',
      linked_platform: 'linked platform',
      subscription: 'subscription',
      direct_debit: 'direct debit',
    },
    holdKind: { legal: 'legal', compliance: 'compliance', fraud: 'fraud', regulator: 'regulator' },
    closureState: {
      requested: 'awaiting confirmation',
      grace: 'in its grace period',
      finalizing: 'finalizing',
      escalated: 'under review',
    },
  },
  time: {
    now: 'now',
    count: (count, unit) => `${count} ${unit}${count === 1 ? '' : 's'}`,
    future: (text) => `in ${text}`,
    past: (text) => `${text} ago`,
    instant: (iso, relative) => `${iso} (${relative})`,
  },
};
