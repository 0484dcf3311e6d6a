// Run by src/multicast.test.ts: `node test/multicast-exit.mjs MODE` opens a proc connector
// subscription through the built dist and leaves it open. MODE `unref`: unref it, so the process
// ends by itself. MODE `exit`: leave it referenced and call process.exit. MODE `worker`: open
// it in a worker thread that is then terminated (the addon's environment cleanup hook must stop
// the reader thread). Prints `done` before it ends.
import { Worker } from 'node:worker_threads';
import { openMulticast } from '../dist/netlink.js';

const mode = process.argv[2];
const open = () => openMulticast({ protocol: 11, groups: [1], onDatagram() {}, onLoss() {} });

if (mode === 'unref') {
  open().unref();
  console.log('done');
} else if (mode === 'exit') {
  open();
  console.log('done');
  process.exit(0);
} else if (mode === 'worker') {
  const source = `
    const { parentPort } = require('node:worker_threads');
    import(${JSON.stringify(new URL('../dist/netlink.js', import.meta.url).href)}).then((m) => {
      m.openMulticast({ protocol: 11, groups: [1], onDatagram() {}, onLoss() {} });
      parentPort.postMessage('open');
    });`;
  const worker = new Worker(source, { eval: true });
  worker.once('message', async () => {
    await worker.terminate();
    console.log('done');
  });
} else {
  throw new Error(`unknown mode ${mode}`);
}
