export {
  type ConnectorSourceHandle,
  type ConnectorSourceOptions,
  openConnectorSource,
} from './connector/connector-source.js';
export {
  execDetailsFlow,
  readExecDetails,
  readExecDetailsAsync,
} from './enrich.js';
export { EventSourceError } from './errors.js';
export {
  DEFAULT_POLL_INTERVAL_MS,
  openPollingSource,
  POLLING_MISSES,
  type PollingSourceOptions,
} from './polling-source.js';
export {
  openProcessEvents,
  ProcessEvents,
  type ProcessEventsEventMap,
  type ProcessEventsOptions,
  type SourceChoice,
} from './process-events.js';
export {
  diffRunning,
  type PictureEntry,
  pictureOf,
  type RunningDiff,
  scanRunning,
  scanRunningAsync,
} from './resync.js';
export type { EventSink, EventSourceHandle } from './source.js';
export * from './types.js';
