import { createRequire } from 'node:module';

/*
 * Text the PDF's standard fonts cannot show. Courier and Helvetica (built into every PDF
 * reader, nothing embedded) cover Windows-1252 only; Chinese needs a CJK font, an emoji a
 * font with emoji outlines, other scripts a broad sans. offboard ships all three as npm
 * dependencies, so a statement looks the same on every server whatever fonts the host
 * has, and embeds the subset it uses.
 * A character no font can show is transliterated when it decomposes to Latin ("ő" → "o")
 * and replaced by "?" otherwise, and the export reports how many were.
 */

export interface FontFile {
  path: string;
  /** The PostScript name of the face inside a collection (.ttc). */
  family?: string;
}

export interface PdfFonts {
  /** Chinese, Japanese, Korean. */
  cjk: FontFile | null;
  /** Emoji and pictographs (monochrome outlines). */
  emoji: FontFile | null;
  /** Everything else outside Windows-1252: Cyrillic, Greek, Latin Extended, symbols. */
  general: FontFile | null;
}

export const NO_PDF_FONTS: PdfFonts = { cjk: null, emoji: null, general: null };

/**
 * The fonts offboard ships, all under the SIL Open Font License, from Google Fonts' Noto
 * family: Noto Sans SC (Simplified Chinese, with kana and common symbols), Noto Emoji
 * (monochrome) and Noto Sans (Latin Extended, Greek, Cyrillic). TrueType outlines: pdfkit
 * subsets them by copying the glyphs used, a few hundred bytes each.
 */
export function shippedPdfFonts(): PdfFonts {
  const require = createRequire(import.meta.url);
  const font = (name: string) => ({ path: require.resolve(`@expo-google-fonts/${name}`) });
  return {
    cjk: font('noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
    emoji: font('noto-emoji/400Regular/NotoEmoji_400Regular.ttf'),
    general: font('noto-sans/400Regular/NotoSans_400Regular.ttf'),
  };
}

export type FontSlot = 'base' | keyof PdfFonts;

/** Whether the font in `slot` has a glyph for a character. */
export type FontCoverage = (slot: keyof PdfFonts, codePoint: number) => boolean;

const FONT_SLOTS: readonly (keyof PdfFonts)[] = ['general', 'cjk', 'emoji'];

export interface TextRun {
  slot: FontSlot;
  text: string;
}

// Windows-1252's printable characters outside Latin-1 (0x80-0x9F), which the standard fonts encode.
const CP1252_EXTRA = new Set([
  0x20ac, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152,
  0x017d, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a,
  0x0153, 0x017e, 0x0178,
]);
const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef]/u;
const EMOJI = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\u{1f1e6}-\u{1f1ff}]/u;
// Joiners and variation selectors: they shape emoji sequences; a monochrome font has no glyph for them.
const INVISIBLE = /[\u200b-\u200f\u2060\ufe00-\ufe0f]/u;
const MARKS = /\p{M}/gu;

export function isStandardFontChar(codePoint: number): boolean {
  return (
    (codePoint >= 0x20 && codePoint <= 0x7e) ||
    (codePoint >= 0xa0 && codePoint <= 0xff) ||
    CP1252_EXTRA.has(codePoint)
  );
}

function slotOf(char: string, codePoint: number): FontSlot | 'drop' | 'space' {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'space';
  if (isStandardFontChar(codePoint)) return 'base';
  if (INVISIBLE.test(char)) return 'drop';
  if (CJK.test(char)) return 'cjk';
  if (EMOJI.test(char)) return 'emoji';
  return 'general';
}

/** Printable ASCII only: text the fast path writes straight into the page. */
export const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * Splits text into runs of one font each, with what no available font can show
 * transliterated or replaced. `replaced` counts the characters that were. With `covers`,
 * a character goes to the first font that has its glyph (its script's font first); without
 * it, to its script's font whenever there is one.
 */
export function textRuns(
  text: string,
  fonts: PdfFonts,
  covers: FontCoverage | null = null,
): { runs: TextRun[]; replaced: number } {
  const runs: TextRun[] = [];
  let replaced = 0;
  const push = (slot: FontSlot, piece: string) => {
    const last = runs[runs.length - 1];
    if (last && last.slot === slot) last.text += piece;
    else runs.push({ slot, text: piece });
  };
  const fontFor = (primary: keyof PdfFonts, codePoint: number): keyof PdfFonts | null => {
    if (covers === null) return fonts[primary] !== null ? primary : null;
    for (const slot of [primary, ...FONT_SLOTS.filter((s) => s !== primary)])
      if (fonts[slot] !== null && covers(slot, codePoint)) return slot;
    return null;
  };
  for (const char of text) {
    const codePoint = char.codePointAt(0)!;
    const slot = slotOf(char, codePoint);
    if (slot === 'drop') continue;
    if (slot === 'space') {
      push('base', ' ');
      continue;
    }
    if (slot === 'base') {
      push('base', char);
      continue;
    }
    const font = fontFor(slot, codePoint);
    if (font !== null) {
      push(font, char);
      continue;
    }
    replaced += 1;
    const latin = char.normalize('NFKD').replace(MARKS, '');
    const fits = latin.length > 0 && [...latin].every((c) => isStandardFontChar(c.codePointAt(0)!));
    push('base', fits ? latin : '?');
  }
  return { runs, replaced };
}
