/** Where a webhook delivery stands (light on purpose: the CLI's option lists import it at start-up). */
export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'dead'];
