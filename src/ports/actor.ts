/** Who acted: recorded in the audit log with every decision. */
export interface Actor {
  kind: 'holder' | 'agent' | 'worker' | 'platform' | 'system';
  id: string;
}
