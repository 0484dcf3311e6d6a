import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export { addonError } from './addon-error.js';

/** The functions of build/Release/netsock.node (native/*.c; the list in native/netsock.c). */
export interface NetsockAddon {
  open(namespacePath?: string): number;
  send(fd: number, bytes: Uint8Array): number;
  /** One datagram from the kernel (datagrams of any other sender are dropped natively). */
  recv(fd: number, buffer: Uint8Array): number;
  /**
   * One whole exchange on libuv's thread pool: `request` sent, then the kernel's datagrams
   * received (others dropped, as by recv) until the reply with `seq` and `portId` ends; the
   * datagrams as records (walkReply in netlink/message.ts), at most `datagramBytes` of each.
   * Optional: a fake addon in tests may lack it (the channel then exchanges as recv does).
   */
  exchangeAsync?(
    fd: number,
    request: Uint8Array,
    seq: number,
    portId: number,
    datagramBytes: number,
  ): Promise<ArrayBuffer>;
  /** The socket's netlink port id (getsockname): the kernel's replies carry it as nlmsg_pid. */
  portId(fd: number): number;
  close(fd: number): void;
  /**
   * A socket of `protocol` bound to the multicast groups of `groupsMask`, drained by a reader
   * thread (native/multicast.c); `onBatch` gets everything pending as records (multicast.ts).
   * Optional like exchangeAsync: a fake addon may lack it.
   */
  subscribe?(
    protocol: number,
    groupsMask: number,
    receiveBufferBytes: number,
    onBatch: (batch: ArrayBuffer) => void,
    queueCapBytes?: number,
    batchDelayMicros?: number,
  ): MulticastHandle;
  multicastSend?(handle: MulticastHandle, bytes: Uint8Array): number;
  multicastPortId?(handle: MulticastHandle): number;
  unsubscribe?(handle: MulticastHandle): void;
  refSubscription?(handle: MulticastHandle, ref: boolean): void;
}

/** What subscribe returns: an opaque native handle. */
export interface MulticastHandle {
  readonly __brand: 'netsock-multicast';
}

/** Where the addon is: build/Release beside dist/ (and beside src/ for tests), out of tsup's reach. */
export const ADDON_PATH = fileURLToPath(new URL('../build/Release/netsock.node', import.meta.url));

let loaded: { addon: NetsockAddon } | { error: string } | undefined;

/** The addon, or why it cannot be loaded (loaded once per process). */
export function loadAddon(): { addon: NetsockAddon } | { error: string } {
  if (loaded === undefined) {
    try {
      const addon = createRequire(import.meta.url)(ADDON_PATH) as NetsockAddon;
      loaded = { addon };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      loaded = {
        error:
          code === 'MODULE_NOT_FOUND'
            ? `the native addon is not built (${ADDON_PATH} is missing; run \`node scripts/build-addon.mjs\` in the package)`
            : `the native addon does not load: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return loaded;
}
