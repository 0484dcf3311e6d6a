// Checked by `tsc` (typecheck), never run: a ProcessEvents of @procmon/events is a feed the
// caches of @procmon/process can follow (ProcessEventFeed is structural, so that process need
// not depend on events), and so is a plain EventEmitter.
import type { EventEmitter } from 'node:events';
import type { ProcessEvents } from '@procmon/events';
import type { ProcessEventFeed } from '@procmon/process';

export const processEventsFeed = (events: ProcessEvents): ProcessEventFeed => events;
export const emitterFeed = (emitter: EventEmitter): ProcessEventFeed => emitter;
