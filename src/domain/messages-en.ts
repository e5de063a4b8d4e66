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
    'signin.title': 'Sign in to your account',
    'signin.how':
      'Open the sign-in link your platform gave you: it signs you in here for 30 minutes.',
    'signin.sandbox':
      'In the sandbox, the demo lists a one-time sign-in link for each demo account.',
    'signin.invalid': 'This sign-in link is invalid, expired or already used. Ask for a new one.',
    'signin.revoked': 'This account was disabled, so its earlier sign-ins no longer work.',
    'account.title': 'Your account',
    'account.id': 'Account {accountId}',
    'state.heading': 'Account state',
    'state.active': 'Your account is active.',
    'state.requested':
      'You asked to close your account. Enter the one-time code we sent you to confirm, or do nothing and the request lapses at {at}.',
    'state.enter_code': 'Enter the code',
    'state.grace':
      'Your account is closing. It will be closed at {at} (in {in}). You can cancel until then.',
    'state.finalizing': 'Your account is being closed now.',
    'state.escalated':
      'Your closure needs a review by our team. We will contact you; you can still cancel it.',
    'state.disabled':
      'Your account is disabled: nobody can sign in, trade or withdraw. Support can enable it again after verifying you.',
    'state.frozen': 'Your account is frozen for now. Contact support to learn more.',
    'state.closed': 'Your account is closed. You can still download your statements.',
    'state.closed_at': 'Closed at {at}.',
    'state.cancel': 'Cancel the closure',
    'state.cancelled': 'The closure is cancelled: your account stays open.',
    'blockers.heading': 'What stands in the way of closing',
    'blockers.none': 'Nothing stands in the way: you can close your account.',
    'blockers.checked': 'Checked at {at}.',
    'blockers.check_again': 'Check again',
    'blockers.waits_end': 'When only waits remain, you can close at {at}.',
    'severity.holder_action': 'You can fix this',
    'severity.automatic': 'We can do this for you',
    'severity.wait': 'Wait',
    'severity.support': 'Our team',
    'detail.fix': 'What to do',
    'detail.amount': 'Amount',
    'detail.order': 'Order',
    'detail.app': 'App',
    'detail.transfer': 'Transfer',
    'detail.dispute': 'Dispute',
    'detail.since': 'Since',
    'detail.ends': 'Ends',
    'detail.remaining': 'Time left',
    'fix.sweep_dust': 'Consent to sweep this dust',
    'fix.cancel_order': 'Consent to cancel open orders',
    'fix.revoke_authorization': 'Consent to revoke this app',
    'fix.contact_support': 'Contact support',
    'support.title': 'Contact support',
    'support.body':
      'Tell our support team your account number, {accountId}. They will look at your account and contact you. They will never ask for your password, seed phrase, one-time codes or remote access.',
    'statements.heading': 'Your statements',
    'statements.explain':
      'Your whole history as CSV, JSON Lines and PDF, with a manifest we sign so anyone can check the files are ours and unchanged.',
    'statements.prepare': 'Prepare my statements',
    'statements.ready': 'Your statements are ready. Preparing them took {took}.',
    'statements.generated': 'Prepared at {at}, {rows} transactions.',
    'statements.fingerprint': 'Manifest fingerprint (SHA-256)',
    'statements.key': 'Signing key',
    'statements.public_key': 'Our public key',
    'statements.zip': 'Download everything (zip)',
    'statements.csv': 'Statement (CSV)',
    'statements.jsonl': 'Statement (JSON Lines)',
    'statements.pdf': 'Statement (PDF)',
    'statements.manifest': 'Signed manifest',
    'statements.signature': 'Manifest signature',
    'statements.unavailable':
      'Statements cannot be prepared on this service right now. Contact support.',
    'disable.heading': 'Disable your account',
    'disable.explain':
      'Disabling takes effect at once and is reversible: it signs you out everywhere, revokes API keys, sessions, devices and withdrawal addresses, and cancels open orders and withdrawals that can still be cancelled. Your money stays in the account. To use it again, ask support: they enable it after verifying you.',
    'disable.button': 'Disable my account',
    'disabled.title': 'Your account is disabled',
    'disabled.body':
      'Done: nobody can sign in, trade or withdraw any more, and you have been signed out. Your money is safe in the account.',
    'disabled.enable':
      'To use the account again, contact support: they enable it after verifying you.',
    'close.heading': 'Close your account',
    'close.explain':
      'Closing is permanent once its grace period ends. The next page lists what it means before you decide.',
    'close.start': 'Review closing my account',
    'close.title': 'Close your account',
    'close.means': 'What closing means',
    'close.undo':
      'It cannot be undone once the grace period ends. Until then you can cancel, and your account stays as it was.',
    'close.grace': 'The grace period lasts {grace} after you confirm.',
    'close.kept':
      'We keep your transaction records for {transactions} and your identity records for {kyc}, as the law requires, then erase them. You can download your statements at any time, also after closing.',
    'close.late_money': 'Money that arrives after closing is returned to where it came from.',
    'close.login': 'You will no longer be able to sign in, trade or withdraw.',
    'close.consents': 'What we will do for you when the account closes',
    'close.consent_needed': 'Tick each one: closing needs your consent to all of them.',
    'consent.sweepDust':
      'Sweep the small balances that cannot be withdrawn (dust) out of my account',
    'consent.cancelOrders': 'Cancel my open orders',
    'consent.revokeApps': 'Revoke the apps and links connected to my account',
    'close.blocked':
      'You cannot close your account yet. Resolve what your account page lists first.',
    'close.continue': 'Continue: send me a one-time code',
    'close.back': 'Back to your account',
    'code.title': 'Confirm with your one-time code',
    'code.sent': 'We sent a six-digit code to every contact on file. It expires at {at}.',
    'code.label': 'One-time code',
    'code.last':
      'Pressing the red button starts the grace period. You can still cancel until it ends.',
    'code.final': 'Close my account',
    'closure.title': 'Your account is closing',
    'closure.reference': 'Reference',
    'closure.ends': 'Closes at',
    'closure.cancel_explain': 'Changed your mind? Cancel before then and your account stays open.',
    'error.bad_code': 'That code is wrong or has expired. Check the newest message and try again.',
    'error.too_many': 'Too many wrong codes. Start closing again to get a new code.',
    'error.not_eligible':
      'Your account cannot be closed yet: see what stands in the way on your account page.',
    'error.consent':
      'Closing needs your consent to every action listed. Tick each box and try again.',
    'error.in_progress': 'A closure of your account is already in progress.',
    'error.no_closure': 'There is no closure to confirm or cancel any more.',
    'error.refused': 'It is too late for that: the closure is already being finalized.',
    'error.closed':
      'Your account is closed: you can read its state and download your statements, nothing else.',
    'error.not_active': 'Your account is not active, so this cannot be done.',
    'error.rate_limited': 'Too many attempts. Wait a moment and try again.',
    'error.not_found': 'There is no such page.',
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
