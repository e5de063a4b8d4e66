import { holderVerdict } from '../domain/messages.js';
import type { Lang, RenderedVerdict } from '../domain/messages.js';

/**
 * The holder's copy of a stored verdict. The worker stores its final verdict for agents
 * (hold kinds and reasons included); the one holder rendering keeps an investigation
 * from being tipped off through `status`.
 */
export function verdictForHolder(
  stored: RenderedVerdict | null,
  lang: Lang,
): RenderedVerdict | null {
  return stored === null ? null : holderVerdict(stored, lang);
}
