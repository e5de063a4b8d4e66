export type ApprovalAction = 'closure.approve' | 'hold.lift';
export type ApprovalStatus = 'pending' | 'approved' | 'declined';

/** An override one agent asked for and a second agent must approve (four eyes). */
export interface Approval {
  id: string;
  action: ApprovalAction;
  accountId: string;
  /** The closure id or hold id. */
  subject: string;
  note: string;
  requestedBy: string;
  requestedAt: Date;
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
}

/** Four-eyes approvals. */
export interface ApprovalRepository {
  /** Stores a new approval. */
  insert(approval: Approval): Promise<void>;
  /** One approval by id. */
  get(id: string): Promise<Approval | null>;
  /** A pending approval for the same action on the same subject, if one exists. */
  findPending(action: ApprovalAction, subject: string): Promise<Approval | null>;
  /** Approvals newest first, filtered. */
  list(options: {
    status?: ApprovalStatus;
    accountId?: string;
    limit: number;
  }): Promise<Approval[]>;
  /** Moves an approval from `from` (default pending) to `to`; false when another agent decided first. */
  settle(
    id: string,
    to: ApprovalStatus,
    agentId: string | null,
    now: Date | null,
    from?: ApprovalStatus,
  ): Promise<boolean>;
}
