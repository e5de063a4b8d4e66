import { lintSource } from '@secretlint/core';
import { creator as recommended } from '@secretlint/secretlint-rule-preset-recommend';
import type { SecretLintCoreConfig } from '@secretlint/types';
import type { Finding } from '../../domain/redaction.js';

/*
 * API secrets and tokens, found by secretlint's recommended preset (AWS, GCP, GitHub,
 * npm, Slack, OpenAI, SendGrid, Shopify, Linear, 1Password, basic auth in URLs, PEM keys): a
 * maintained rule set instead of regexes of our own. secretlint is async, so the scanner's
 * async entry point awaits this and hands the findings to the pure scanner.
 */
const CONFIG: SecretLintCoreConfig = { rules: [{ id: recommended.meta.id, rule: recommended }] };

export async function findApiSecrets(text: string): Promise<Finding[]> {
  const result = await lintSource({
    source: { filePath: 'message.txt', content: text, contentType: 'text' },
    options: { config: CONFIG, noPhysicFilePath: true },
  });
  return result.messages.map((message) => ({
    // secretlint's PEM rule finds private keys: name them so.
    kind: message.ruleId.endsWith('-privatekey') ? 'private_key' : 'api_secret',
    start: message.range[0],
    end: message.range[1],
  }));
}
