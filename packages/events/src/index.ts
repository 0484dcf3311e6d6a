export { EventSourceError } from './errors.js';
export type { EventSink, EventSourceHandle } from './source.js';
export * from './types.js';
