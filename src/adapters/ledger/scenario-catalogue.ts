// Light on purpose: the CLI's option defaults and the demo's listing import it at start-up.

/**
 * The demo scenario accounts of DESIGN.md: each id names what it shows, so anyone can try
 * every path. Histories are dated well before now, so only the scenarios that ask for
 * recent activity trip a cooling-off.
 */
export const SCENARIO_IDS = [
  'demo-clean',
  'demo-dust',
  'demo-balance',
  'demo-negative',
  'demo-open-order',
  'demo-pending-withdrawal',
  'demo-pending-deposit',
  'demo-dispute',
  'demo-linked-app',
  'demo-cooling-off',
  'demo-hold-legal',
  'demo-hold-compliance',
  'demo-everything',
  'demo-whale',
] as const;

export type ScenarioId = (typeof SCENARIO_IDS)[number];

export const DEFAULT_WHALE_TRANSACTIONS = 1_000_000;
