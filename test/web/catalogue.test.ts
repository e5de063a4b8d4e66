import { describe, expect, it } from 'vitest';
import { LANGS, PAGE_KEYS, pageText } from '../../src/domain/messages.js';
import { FORM_ERRORS, ERROR_WORDS } from '../../src/adapters/web/error-page.js';

/*
 * The pages' words are complete in every language: each key has a text in English and in
 * Simplified Chinese, the Chinese is not the English left untranslated, and both fill the
 * same parameters.
 */

const params = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the pages’ words', () => {
  it('has every key in every language, with the same parameters', () => {
    for (const key of PAGE_KEYS) {
      const en = pageText('en', key);
      for (const lang of LANGS) {
        const text = pageText(lang, key);
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
        expect(params(text), `${lang} ${key}`).toEqual(params(en));
      }
      expect(pageText('zh-CN', key), key).not.toBe(en);
      expect(/[\u4e00-\u9fff]/.test(pageText('zh-CN', key)), key).toBe(true);
    }
  });

  it('tells every form refusal in words of its own', () => {
    for (const [code, key] of Object.entries(FORM_ERRORS)) {
      expect(PAGE_KEYS, code).toContain(key);
      expect(ERROR_WORDS[code as keyof typeof ERROR_WORDS]).toBe(key);
    }
  });
});
