import type { LanguagePack, TimeUnit } from './message-keys.js';

const UNITS: Record<TimeUnit, string> = {
  day: '天',
  hour: '小时',
  minute: '分钟',
  second: '秒',
};

/** The catalogue in Simplified Chinese. */
export const ZH_CN: LanguagePack = {
  pages: {
    'layout.skip': '跳到正文',
    'layout.language': '语言',
    'layout.notice':
      '我们的客服绝不会索要您的密码、助记词、一次性验证码或远程访问您设备的权限，也不存在任何收费的“代办销户”服务。凡是提出此类要求的，都不是我们。',
    'layout.sign_out': '退出登录',
    'layout.product': '您的账户',
    'error.title': '出了点问题',
    'error.back': '返回您的账户',
    'error.code': '错误代码：{code}',
    'error.csrf': '此表单已过期或来自其他网站。请返回、刷新页面后重试。',
    'error.session': '您的会话已结束。请重新打开您的登录链接。',
    'error.unexpected': '暂时无法完成该操作，请稍后再试。',
  },
  templates: {
    account_closed: { message: '该账户已注销。', fix: '无需任何操作。' },
    closure_in_progress: {
      message: '该账户的注销流程已在进行中（{closureState}）。',
      fix: '无需操作：请等待其完成，或取消注销。',
    },
    'account_hold.legal': {
      message: '您的账户存在法律冻结，暂时无法注销。',
      fix: '如需了解详情，请联系客服。',
    },
    // No parameters, on purpose: see messages.ts.
    'account_hold.review': {
      message: '您的账户需要经过我们团队的审核后才能注销。',
      fix: '您无需进行任何操作；如需您提供信息，我们会与您联系。',
    },
    'account_hold.agent': {
      message: '账户存在一项{holdKind}冻结（{holdId}），设立于 {placedAt}：{reason}',
      fix: '请处理或解除该冻结。除法律冻结外，切勿向持有人透露其类型或原因。',
    },
    open_dispute: {
      message: '一笔于 {openedAt} 发起、涉及 {amount} {asset} 的{disputeKind}尚未解决。',
      fix: '我们的团队正在处理；如有补充信息，请联系客服。',
    },
    funds_locked: {
      message: '您账户中有 {amount} {asset} 处于锁定状态，且与任何未完成的订单或提现无关。',
      fix: '请联系客服，我们的团队会为您解除锁定。',
    },
    negative_balance: {
      message: '您的 {asset} 余额为负数：您尚欠 {amount} {asset}。',
      fix: '请存入 {amount} {asset}，使余额回到零，然后再试。',
    },
    balance_remaining: {
      message: '您的账户中仍有 {amount} {asset}，约合 {value} {currency}。',
      fix: '请先将其提取到您本人名下的账户，然后再试。',
    },
    'balance_remaining.unpriced': {
      message: '您的账户中仍有 {amount} {asset}。',
      fix: '请先将其提取到您本人名下的账户，然后再试。',
    },
    pending_withdrawal: {
      message: '您于 {createdAt} 发起的 {amount} {asset} 提现仍在处理中。',
      fix: '请等待提现完成后再试。',
    },
    'pending_withdrawal.cancellable': {
      message: '您于 {createdAt} 发起的 {amount} {asset} 提现仍在处理中。',
      fix: '请等待提现完成或撤销该提现，然后再试。',
    },
    pending_deposit: {
      message: '一笔于 {createdAt} 发起的 {amount} {asset} 充值仍在到账途中。',
      fix: '请等待充值到账后再试。',
    },
    'open_orders.automatic': {
      message: '您于 {createdAt} 下的{side}订单 {orderId} 仍未完成，占用了 {amount} {asset}。',
      fix: '如您同意，注销时我们可以为您撤销该订单，其占用的资金将退回您的余额。',
    },
    'open_orders.holder_action': {
      message: '您于 {createdAt} 下的{side}订单 {orderId} 仍未完成，占用了 {amount} {asset}。',
      fix: '请先撤销该订单，然后再试。',
    },
    'linked_authorization.automatic': {
      message: '{name}（{authorizationKind}）仍可访问您的账户。',
      fix: '如您同意，注销时我们可以为您撤销该访问权限。',
    },
    'linked_authorization.holder_action': {
      message: '{name}（{authorizationKind}）仍与您的账户关联。',
      fix: '请在 {name} 处或在账户设置中取消该授权，然后再试。',
    },
    'dust_remaining.automatic': {
      message: '您的账户中有一笔 {amount} {asset} 的小额余额，价值不足 {threshold} {currency}。',
      fix: '如您同意，注销时我们可以为您清理这笔小额余额；您也可以自行提取。',
    },
    'dust_remaining.holder_action': {
      message: '您的账户中有一笔 {amount} {asset} 的小额余额，价值不足 {threshold} {currency}。',
      fix: '请先提取这笔余额，然后再试。',
    },
    cooling_off: {
      message: '您最近一次{activity}发生在 {lastAt}。为保护您的账户安全，在 {until} 之前无法注销。',
      fix: '请等到该时间后再试，无需其他操作。',
    },
    'cooling_off.security_change': {
      message:
        '您的安全设置于 {lastAt} 发生了变更。以防该变更并非您本人所为，在 {until} 之前无法注销账户。',
      fix: '请等到该时间后再试。如果该变更并非您本人所为，请立即停用账户并联系客服。',
    },
  },
  values: {
    activity: {
      withdrawal: '提现',
      trade: '交易',
      deposit: '充值',
      security_change: '安全设置变更',
    },
    side: { buy: '买入', sell: '卖出' },
    disputeKind: { dispute: '争议', chargeback: '拒付' },
    authorizationKind: {
      oauth: '已连接的应用',
      linked_platform: '关联平台',
      subscription: '订阅',
      direct_debit: '直接扣款',
    },
    holdKind: { legal: '法律', compliance: '合规', fraud: '反欺诈', regulator: '监管' },
    closureState: {
      requested: '待确认',
      grace: '宽限期内',
      finalizing: '正在完成',
      escalated: '审核中',
    },
  },
  time: {
    now: '现在',
    count: (count, unit) => `${count} ${UNITS[unit]}`,
    future: (text) => `${text}后`,
    past: (text) => `${text}前`,
    instant: (iso, relative) => `${iso}（${relative}）`,
  },
};
