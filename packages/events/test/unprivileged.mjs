// Run by src/unprivileged.test.ts as uid/gid 65534 (setpriv):
// `node test/unprivileged.mjs <dist/index.js> <pid of a root process>`. Reads the root process's
// exec details and opens ProcessEvents through the built dist; prints one JSON object.
import { pathToFileURL } from 'node:url';
import { ProcFS } from '@procmon/procfs';

const [distPath, pidText] = process.argv.slice(2);
const { openProcessEvents, readExecDetails } = await import(pathToFileURL(distPath).href);
const pid = Number(pidText);

const details = readExecDetails(new ProcFS(), pid, process.hrtime.bigint());
const events = openProcessEvents();
const source = events.source;
events.close();
process.stdout.write(`${JSON.stringify({ uid: process.getuid(), details, source })}\n`);
