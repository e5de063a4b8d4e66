import { describe, expect, it } from 'vitest';
import { checkAgentReply, phishingSignals } from './redaction.js';

describe('checkAgentReply', () => {
  it.each([
    ['asks_for_password', 'Please send me your password so I can check the login.'],
    ['asks_for_password', '请提供您的登录密码，我们帮您核实。'],
    ['asks_for_seed_phrase', 'To verify the wallet, reply with your 12-word recovery phrase.'],
    ['asks_for_seed_phrase', 'Could you share your private key with us?'],
    ['asks_for_seed_phrase', '请把您的助记词发给我们进行验证。'],
    ['asks_for_one_time_code', 'Tell me the verification code you just received.'],
    ['asks_for_one_time_code', '请告诉我您收到的验证码。'],
    ['asks_for_remote_access', 'Please install AnyDesk and send me the ID.'],
    ['asks_for_remote_access', 'We can fix it over TeamViewer.'],
    ['asks_for_remote_access', '请打开向日葵，我们远程协助您处理。'],
    ['asks_to_install_software', 'Download our security app from this link to continue.'],
    ['asks_to_install_software', '请下载安装这个客户端完成验证。'],
    ['asks_to_move_funds', 'Transfer your balance to this safe wallet before closure.'],
    ['asks_to_move_funds', 'Send the funds to 0x52908400098527886E0F7030069857D2E4169EE7 now.'],
    ['asks_to_move_funds', '请把余额转到以下安全账户。'],
  ])('refuses %s: %s', (rule, reply) => {
    const check = checkAgentReply(reply);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.rule).toBe(rule);
      expect(check.reason).toMatch(/^support never /);
    }
  });

  it.each([
    'We will never ask for your password, seed phrase or one-time code.',
    'Do not share your recovery phrase with anyone, including us.',
    '我们永远不会向您索要密码、助记词或验证码。',
    '请勿向任何人提供验证码。',
    'Your closure is blocked by a balance: withdraw it to your own bank account in the app.',
    'Please confirm the closure by entering the code we sent you in the app.',
    'The dispute is resolved; you can close your account now.',
    '您的争议已经解决，现在可以注销账户了。',
  ])('lets a safe reply through: %s', (reply) => {
    expect(checkAgentReply(reply)).toEqual({ ok: true });
  });
});

describe('phishingSignals', () => {
  const platformDomains = ['examplewallet.com'];
  const reasons = (text: string) => phishingSignals(text, { platformDomains }).map((s) => s.reason);

  it('flags an account closure service that charges a fee, in English and Chinese', () => {
    for (const lure of [
      'Hello, I am an account closure agent. We can close your account for only 50 USDT.',
      '专业代办注销，手续费200元，添加微信即可。',
    ])
      expect(reasons(lure)).toEqual([expect.stringMatching(/close the account for a fee/)]);
    expect(reasons('Is there a fee to close my account?')).toEqual([]);
  });

  it.each([
    ['https://examp1ewallet.com/login', 'look-alike characters'],
    ['https://exаmplewallet.com/login', 'look-alike characters'],
    ['https://exarnplewallet.com', 'look-alike characters'],
    ['http://examplewalet.com', 'a letter or two changed'],
    ['https://examplewallet.co/close', 'same name, another domain'],
    ['https://examplewallet-support.net', 'the brand with words around it'],
    ['https://secure-examplewallet.com/verify', 'the brand with words around it'],
    ['https://examplewallet.account-verify.io', 'the brand on someone else’s domain'],
  ])('flags a look-alike of the platform domain: %s', (link, why) => {
    expect(reasons(`Got this: ${link} is it you?`)).toEqual([expect.stringContaining(why)]);
  });

  it('leaves the platform own domain, its subdomains and unrelated domains alone', () => {
    expect(
      reasons(
        'See https://examplewallet.com/help and help.examplewallet.com, or github.com and 中文.example.org.',
      ),
    ).toEqual([]);
  });
});
