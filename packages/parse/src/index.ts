export { ParseError, type ProcFileKind } from './errors.js';
export type { ProcInput } from './input.js';
export { decodeText, encodeText, hasEscapedBytes, type TextDecoding } from './text.js';
