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
