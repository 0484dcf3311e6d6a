// The process options the commands share: descriptors get their sockets' connections.
import type { ProcessOptions } from '@procmon/process';

export function processOptions(): ProcessOptions {
  return {};
}
