import { renderBlocker } from '../domain/messages.js';
import type { Lang, RenderedVerdict } from '../domain/messages.js';
import { forAudience } from './check-eligibility.js';

/**
 * The holder's copy of a stored verdict. The worker stores its final verdict for agents
 * (hold kinds and reasons included); re-rendering each blocker for the holder keeps an
 * investigation from being tipped off through `status`.
 */
export function verdictForHolder(stored: unknown, lang: Lang): RenderedVerdict | null {
  if (stored === null || typeof stored !== 'object') return null;
  const verdict = stored as RenderedVerdict;
  if (verdict.audience === 'holder') return forAudience(verdict, 'holder');
  const now = new Date(verdict.evaluatedAt);
  return forAudience(
    {
      ...verdict,
      lang,
      audience: 'holder',
      blockers: verdict.blockers.map(({ message: _m, fix: _f, detail, ...blocker }) =>
        renderBlocker({ ...blocker, detail: detail ?? '' }, { lang, audience: 'holder', now }),
      ),
    },
    'holder',
  );
}
