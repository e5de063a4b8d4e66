import { describe, expect, it } from 'vitest';
import { NO_PDF_FONTS, textRuns } from './pdf-text.js';
import type { PdfFonts } from './pdf-text.js';

const ALL: PdfFonts = {
  cjk: { path: 'cjk.ttf' },
  emoji: { path: 'emoji.ttf' },
  general: { path: 'general.ttf' },
};

describe('textRuns', () => {
  it('gives Chinese, emoji and other scripts each their font', () => {
    expect(textRuns('Walter Whale 鲸鱼 🐋 Ωmega', ALL).runs).toEqual([
      { slot: 'base', text: 'Walter Whale ' },
      { slot: 'cjk', text: '鲸鱼' },
      { slot: 'base', text: ' ' },
      { slot: 'emoji', text: '🐋' },
      { slot: 'base', text: ' ' },
      { slot: 'general', text: 'Ω' },
      { slot: 'base', text: 'mega' },
    ]);
  });

  it('keeps Windows-1252 text in the standard fonts', () => {
    expect(textRuns('Café – “ok” €5', ALL)).toEqual({
      runs: [{ slot: 'base', text: 'Café – “ok” €5' }],
      replaced: 0,
    });
  });

  it('drops emoji joiners and variation selectors, and turns control characters into spaces', () => {
    expect(textRuns('❤️\tx', ALL).runs).toEqual([
      { slot: 'emoji', text: '❤' },
      { slot: 'base', text: ' x' },
    ]);
  });

  it('without fonts, transliterates what decomposes to Latin and replaces the rest, counting both', () => {
    expect(textRuns('Őrs 鲸🐋', NO_PDF_FONTS)).toEqual({
      runs: [{ slot: 'base', text: 'Ors ??' }],
      replaced: 3,
    });
  });

  it('with coverage, sends a character to the first font that has it and replaces it when none has', () => {
    // The CJK font has the check mark and Cyrillic; the general font has no check mark.
    const has: Record<string, string> = { general: 'Ж', cjk: '鲸✓Ж', emoji: '🐋' };
    const covers = (slot: keyof PdfFonts, codePoint: number) =>
      has[slot]!.includes(String.fromCodePoint(codePoint));
    expect(textRuns('✓ Ж 𠮷 鲸', ALL, covers)).toEqual({
      runs: [
        { slot: 'cjk', text: '✓' },
        { slot: 'base', text: ' ' },
        { slot: 'general', text: 'Ж' },
        { slot: 'base', text: ' ? ' },
        { slot: 'cjk', text: '鲸' },
      ],
      replaced: 1,
    });
  });
});
