// Typed errors of @procmon/events.

/** A source of events could not be opened or failed while running. */
export class EventSourceError extends Error {
  override readonly name = 'EventSourceError';
  /** The errno name behind it ('EPERM', 'EPROTONOSUPPORT', 'ENOBUFS', ...), when there is one. */
  readonly code: string | undefined;
  /** Which source: 'connector' or 'polling'. */
  readonly source: 'connector' | 'polling';

  constructor(
    message: string,
    source: 'connector' | 'polling',
    code?: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.source = source;
    this.code = code;
  }
}
