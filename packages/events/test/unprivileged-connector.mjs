// Run by test/connector.test.ts as uid/gid 65534 (setpriv): opens the proc connector source of
// the built dist and prints one JSON line: how it failed (or that it opened).
import { openConnectorSource } from '../dist/index.js';

const sink = { push() {}, fail() {} };
try {
  openConnectorSource(sink).close();
  console.log(JSON.stringify({ uid: process.getuid(), opened: true }));
} catch (error) {
  console.log(
    JSON.stringify({
      uid: process.getuid(),
      name: error?.name,
      code: error?.code,
      source: error?.source,
      message: error?.message,
    }),
  );
}
