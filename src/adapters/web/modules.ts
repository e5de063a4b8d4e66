import { consoleModule } from './console/module.js';
import { consoleTicketsModule } from './console/ticket-module.js';
import { holderTicketsModule } from './holder-tickets/module.js';
import { holderPages } from './holder/routes.js';
import type { PageModule } from './plugin.js';

/** Every module of pages the service serves, in the order their routes are registered. */
export const PAGE_MODULES: readonly PageModule[] = [
  holderPages,
  holderTicketsModule,
  consoleModule,
  consoleTicketsModule,
];
