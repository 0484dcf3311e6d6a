import { checkAlgorithms } from '@procmon/hash';
import type { Process } from '@procmon/process';
import { Command, Option } from 'commander';
import { envOf, formatEnv } from './env-command.js';
import { reportFailure } from './failure.js';
import { fdsOf, formatFds } from './fds-command.js';
import { toJson } from './format.js';
import {
  formatHashReport,
  type HashTarget,
  hashTarget,
  parseAlgorithmList,
  parseHashTarget,
} from './hash-command.js';
import { formatInspectReport, inspectProcess } from './inspect.js';
import { commanderOutput, flush, writeOut } from './output.js';
import { formatPs, listProcesses } from './ps-command.js';
import { openTarget, type ProcTarget, parsePid } from './target.js';
import { formatTree, treeOf } from './tree-command.js';

interface JsonOption {
  json?: boolean;
}

const program = new Command()
  .name('procmon')
  .description('Inspect Linux processes through /proc: who they are, what they hold, what they run')
  .showHelpAfterError('(add --help for usage)')
  // Commander prints through procmon's writer and throws instead of exiting, so that what it
  // printed is waited for (and its failure noticed) before the exit status is set.
  .configureOutput(commanderOutput)
  .exitOverride();

/** `--algo <list>`, parsed to names; `fallback` is the list without it. */
function algorithmOption(description: string, fallback: string): Option {
  return new Option('--algo <list>', description)
    .argParser(parseAlgorithmList)
    .default(parseAlgorithmList(fallback), fallback);
}

/** Prints `report` as JSON with --json, else as text for people; resolves once it is written. */
function print<T>(report: T, options: JsonOption, format: (report: T) => string): Promise<void> {
  return writeOut(`${options.json ? toJson(report) : format(report)}\n`);
}

program
  .command('inspect', { isDefault: true })
  .description('everything about a process (the procmon process itself by default)')
  .argument('[pid]', 'process id, or self', parsePid, 'self')
  .option('--env', 'include the environment')
  .addOption(algorithmOption('checksums of its binary, comma-separated', 'sha256'))
  .option('--no-checksums', 'do not hash its binary')
  .option('--json', 'print JSON for machines')
  .action(
    (
      pid: ProcTarget,
      options: JsonOption & { env?: boolean; algo: string[]; checksums: boolean },
    ) => {
      const algorithms = options.checksums ? options.algo : [];
      // A mistyped algorithm is the user's error: refused before anything is read.
      if (algorithms.length > 0) checkAlgorithms(algorithms);
      const report = inspectProcess(openTarget(pid), {
        env: options.env === true,
        algorithms,
      });
      return print(report, options, formatInspectReport);
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
      return print(collect(openTarget(pid)), options, format);
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
    return print(listProcesses(), options, formatPs);
  });

program
  .command('hash')
  .description('checksums of the binary a process runs (pid or self), or of a file')
  .argument(
    '<target>',
    'process id, self, or a file path (./123 for a file named 123)',
    parseHashTarget,
  )
  .addOption(
    algorithmOption('algorithms, comma-separated (any node:crypto offers)', 'md5,sha1,sha256'),
  )
  .option('--json', 'print JSON for machines')
  .action((target: HashTarget, options: JsonOption & { algo: string[] }) => {
    return print(hashTarget(target, options.algo), options, formatHashReport);
  });

async function main(): Promise<number> {
  try {
    await program.parseAsync();
    await flush();
    return 0;
  } catch (error) {
    return reportFailure(error);
  }
}

// The exit status is set, not forced: process.exit could cut off output still being written.
main().then((status) => {
  process.exitCode = status;
});
