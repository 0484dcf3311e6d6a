// Run by src/permissions.test.ts as uid/gid 65534 (setpriv):
// `node test/unprivileged.mjs <dist/index.js> <pid of a root process>`. Reads the root process
// through the built dist and prints one JSON object: for each attempt, the error's facts or, on
// success, only what the test checks (never an environment's contents).
import { pathToFileURL } from 'node:url';

const [distPath, pidText] = process.argv.slice(2);
const lib = await import(pathToFileURL(distPath).href);
const { Process, readEnviron, readEnvironAsync, readExe, readCmdline } = lib;
const pid = Number(pidText);

const errorFacts = (error) => ({
  name: error?.name,
  code: error?.code,
  pid: error?.pid,
  path: error?.path,
});
async function attempt(run, show = () => 'ok') {
  try {
    return { ok: true, value: show(await run()) };
  } catch (error) {
    return { ok: false, error: errorFacts(error) };
  }
}
const failures = (result) =>
  result.failures.map(({ field, reason, error }) => ({ field, reason, name: error?.name }));

const result = {
  uid: process.getuid(),
  environ: await attempt(() => readEnviron(pid)),
  environAsync: await attempt(() => readEnvironAsync(pid)),
  exe: await attempt(() => readExe(pid)),
  cmdline: await attempt(
    () => readCmdline(pid),
    (args) => args,
  ),
  extraInfo: await attempt(
    () => Process.open(pid, { sockets: false }).extraInfo({ fields: ['environ', 'stack', 'stat'] }),
    (info) => ({ failures: failures(info), statPid: info.stat?.pid }),
  ),
  details: await attempt(
    () => Process.open(pid).details(),
    (details) => ({
      path: details.path,
      pathSource: details.pathSource,
      args: details.args,
      failures: failures(details),
    }),
  ),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
