export {
  type ConnectorSourceHandle,
  type ConnectorSourceOptions,
  openConnectorSource,
} from './connector/connector-source.js';
export { EventSourceError } from './errors.js';
export type { EventSink, EventSourceHandle } from './source.js';
export * from './types.js';
