// Everything of @procmon/snapshot: the browser-safe reading half (read.ts) and the capture,
// which reads /proc through Node.

export { type CaptureOptions, captureSnapshot } from './capture.js';
export type { IdNames, NameResolver } from './id-names.js';
export * from './read.js';
export { DEFAULT_REDACT } from './redact.js';
