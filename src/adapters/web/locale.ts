import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import { LANGS } from '../../domain/messages.js';
import type { Lang } from '../../domain/messages.js';

/*
 * Which language a page speaks: the holder's choice (a cookie the language links set),
 * else the browser's Accept-Language, else English. Every Chinese tag of the mainland
 * script family (zh, zh-CN, zh-Hans, zh-SG) reads Simplified Chinese.
 */

export const LANG_COOKIE = 'offboard_lang';

export function parseLang(value: unknown): Lang | null {
  if (typeof value !== 'string') return null;
  return LANGS.find((l) => l.toLowerCase() === value.toLowerCase()) ?? null;
}

function fromTag(tag: string): Lang | null {
  const t = tag.trim().toLowerCase();
  if (t === 'en' || t.startsWith('en-')) return 'en';
  if (t === 'zh' || t === 'zh-cn' || t === 'zh-sg' || t.startsWith('zh-hans')) return 'zh-CN';
  return null;
}

/** The best language of an Accept-Language header we speak, by its q-values; null for none. */
export function langFromAcceptLanguage(header: string | undefined): Lang | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((e) => Number.isFinite(e.q) && e.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const lang = fromTag(tag);
    if (lang) return lang;
  }
  return null;
}

export function resolveLang(request: FastifyRequest): Lang {
  return (
    parseLang(request.cookies?.[LANG_COOKIE]) ??
    langFromAcceptLanguage(request.headers['accept-language']) ??
    'en'
  );
}
