// A hand-driven source for ProcessEvents: the test pushes events through the sink ProcessEvents
// gave the "connector", as a real source would.

import { openPollingSource } from '../src/polling-source.js';
import type { SourceOpeners } from '../src/process-events.js';
import type { EventSink, EventSourceHandle } from '../src/source.js';

export interface FakeSource {
  openers: SourceOpeners;
  /** The sink ProcessEvents handed the source (set once it opened). */
  sink(): EventSink;
  closed(): boolean;
}

export function fakeSource(): FakeSource {
  let sink: EventSink | undefined;
  let closed = false;
  const handle: EventSourceHandle = {
    kind: 'connector',
    close: () => {
      closed = true;
    },
    ref: () => {},
    unref: () => {},
  };
  return {
    openers: {
      connector: (given) => {
        sink = given;
        return handle;
      },
      polling: openPollingSource,
    },
    sink: () => {
      if (!sink) throw new Error('the fake source was not opened');
      return sink;
    },
    closed: () => closed,
  };
}
