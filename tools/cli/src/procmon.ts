import { checkAlgorithms } from '@procmon/hash';
import { escapeText } from '@procmon/parse';
import type { Process } from '@procmon/process';
import { Command } from 'commander';
import { envOf, formatEnv } from './env-command.js';
import { fdsOf, formatFds } from './fds-command.js';
import { toJson } from './format.js';
import { algorithmList, formatHashReport, hashTarget } from './hash-command.js';
import { formatInspectReport, inspectProcess } from './inspect.js';
import { formatPs, listProcesses } from './ps-command.js';
import { openTarget, ProcessNotFoundError, type ProcTarget, parsePid } from './target.js';
import { formatTree, treeOf } from './tree-command.js';

interface JsonOption {
  json?: boolean;
}

const program = new Command()
  .name('procmon')
  .description('Inspect Linux processes through /proc: who they are, what they hold, what they run')
  .showHelpAfterError('(add --help for usage)');

/** Prints `report` as JSON with --json, else as text for people. */
function print<T>(report: T, options: JsonOption, format: (report: T) => string): void {
  console.log(options.json ? toJson(report) : format(report));
}

program
  .command('inspect', { isDefault: true })
  .description('everything about a process (the procmon process itself by default)')
  .argument('[pid]', 'process id, or self', parsePid, 'self')
  .option('--env', 'include the environment')
  .option('--algo <list>', 'checksums of its binary, comma-separated', 'sha256')
  .option('--no-checksums', 'do not hash its binary')
  .option('--json', 'print JSON for machines')
  .action(
    (
      pid: ProcTarget,
      options: JsonOption & { env?: boolean; algo: string; checksums: boolean },
    ) => {
      const algorithms = options.checksums ? algorithmList(options.algo) : [];
      // A mistyped algorithm is the user's error: refused before anything is read.
      if (algorithms.length > 0) checkAlgorithms(algorithms);
      const report = inspectProcess(openTarget(pid), {
        env: options.env === true,
        algorithms,
      });
      print(report, options, formatInspectReport);
    },
  );

/** A command that reads one process (`[pid]`, self by default) and prints one report. */
function processCommand<T>(
  name: string,
  description: string,
  collect: (process: Process) => T,
  format: (report: T) => string,
): void {
  program
    .command(name)
    .description(description)
    .argument('[pid]', 'process id, or self', parsePid, 'self')
    .option('--json', 'print JSON for machines')
    .action((pid: ProcTarget, options: JsonOption) => {
      print(collect(openTarget(pid)), options, format);
    });
}

processCommand(
  'tree',
  'a process and its ancestors up to pid 1, nearest first',
  treeOf,
  formatTree,
);
processCommand(
  'fds',
  'the open descriptors of a process, with the file or connection behind each',
  fdsOf,
  formatFds,
);
processCommand(
  'env',
  'the environment a process started with, every definition in order',
  envOf,
  formatEnv,
);

program
  .command('ps')
  .description('every process, one line each: pid, ppid, user, path, command')
  .option('--json', 'print JSON for machines')
  .action((options: JsonOption) => {
    print(listProcesses(), options, formatPs);
  });

program
  .command('hash')
  .description('checksums of the binary a process runs (pid or self), or of a file')
  .argument('<target>', 'process id, self, or a file path')
  .option(
    '--algo <list>',
    'algorithms, comma-separated (any node:crypto offers)',
    'md5,sha1,sha256',
  )
  .option('--json', 'print JSON for machines')
  .action((target: string, options: JsonOption & { algo: string }) => {
    print(hashTarget(target, algorithmList(options.algo)), options, formatHashReport);
  });

try {
  program.parse();
} catch (error) {
  // Expected failures are one line and a non-zero status; anything else is a bug: show it all.
  if (error instanceof ProcessNotFoundError || isExpectedFailure(error)) {
    // Messages name paths and files, which processes choose.
    console.error(`procmon: ${escapeText((error as Error).message)}`);
    process.exit(1);
  }
  throw error;
}

function isExpectedFailure(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    error instanceof TypeError ||
    name === 'HashError' ||
    name === 'ProcessGoneError' ||
    name === 'PidReusedError' ||
    name === 'ProgramChangedError' ||
    name === 'PermissionDeniedError' ||
    name === 'ProcfsError' ||
    name === 'ParseError'
  );
}
