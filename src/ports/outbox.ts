/** The transactional outbox that feeds webhooks. */
export interface OutboxRepository {
  /** Writes an event with the unit of work it is handed in: it exists exactly when the change does. */
  emit(
    event: string,
    accountId: string | null,
    payload: Record<string, unknown>,
    now: Date,
  ): Promise<void>;
}
