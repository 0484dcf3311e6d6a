// The procmon command: its commands, options and arguments. Each command's code is imported when
// the command runs, so `procmon --help`, `--version` and usage errors start as fast as Node does
// and load nothing that reads /proc.
import { createRequire } from 'node:module';
import { Command, Option } from 'commander';
import {
  type HashTarget,
  type ProcTarget,
  PS_SORT_KEYS,
  type PsSort,
  parseAlgorithmList,
  parseHashTarget,
  parseInterval,
  parsePid,
  parsePidList,
  parseSortList,
  parseUserList,
} from './arguments.js';
import { reportFailure } from './failure.js';
import { commanderOutput, flush, writeOut } from './output.js';
import { unknownCommand } from './suggest.js';

interface JsonOption {
  json?: boolean;
}

// package.json sits one folder up from both src/ (tests) and dist/ (the built binary).
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command()
  .name('procmon')
  .description('Inspect Linux processes through /proc: who they are, what they hold, what they run')
  .version(version, '-V, --version', 'print the version of procmon')
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
async function print<T>(
  report: T,
  options: JsonOption,
  format: (report: T) => string,
): Promise<void> {
  const { toJson } = await import('./format.js');
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
    async (
      pid: ProcTarget,
      options: JsonOption & { env?: boolean; algo: string[]; checksums: boolean },
    ) => {
      const algorithms = options.checksums ? options.algo : [];
      const [{ checkAlgorithms }, { formatInspectReport, inspectProcess }, { openTarget }] =
        await Promise.all([import('@procmon/hash'), import('./inspect.js'), import('./target.js')]);
      // A mistyped algorithm is the user's error: refused before anything is read.
      if (algorithms.length > 0) checkAlgorithms(algorithms);
      const report = inspectProcess(openTarget(pid), { env: options.env === true, algorithms });
      return print(report, options, formatInspectReport);
    },
  );

/** A report about one process: how to collect it and how to show it, loaded when it runs. */
interface ProcessReport<T> {
  collect(process: import('@procmon/process').Process): T;
  format(report: T): string;
}

/** A command that reads one process (`[pid]`, self by default) and prints one report. */
function processCommand<T>(
  name: string,
  description: string,
  load: () => Promise<ProcessReport<T>>,
): void {
  program
    .command(name)
    .description(description)
    .argument('[pid]', 'process id, or self', parsePid, 'self')
    .option('--json', 'print JSON for machines')
    .action(async (pid: ProcTarget, options: JsonOption) => {
      const [report, { openTarget }] = await Promise.all([load(), import('./target.js')]);
      return print(report.collect(openTarget(pid)), options, report.format);
    });
}

program
  .command('tree')
  .description(
    'a process and its ancestors up to pid 1, nearest first; or with --children, its subtree',
  )
  .argument('[pid]', 'process id, or self', parsePid, 'self')
  .option('--children', 'the whole subtree below the process instead: children under their parents')
  .option('--json', 'print JSON for machines')
  .action(async (pid: ProcTarget, options: JsonOption & { children?: boolean }) => {
    const { openTarget } = await import('./target.js');
    if (options.children) {
      const { formatSubtree, subtreeOf } = await import('./subtree-command.js');
      return print(subtreeOf(openTarget(pid)), options, formatSubtree);
    }
    const { formatTree, treeOf } = await import('./tree-command.js');
    return print(treeOf(openTarget(pid)), options, formatTree);
  });
processCommand(
  'fds',
  'the open descriptors of a process, with the file or connection behind each',
  async () => {
    const { fdsOf, formatFds } = await import('./fds-command.js');
    return { collect: fdsOf, format: formatFds };
  },
);
processCommand(
  'env',
  'the environment a process started with, every definition in order',
  async () => {
    const { envOf, formatEnv } = await import('./env-command.js');
    return { collect: envOf, format: formatEnv };
  },
);

program
  .command('ps')
  .description(
    'every process, one line each, with the columns of ps aux (USER, PID, %CPU, %MEM, VSZ, RSS, STAT, START, TIME, COMMAND) plus PPID and CONTAINER',
  )
  .option(
    '--sort <keys>',
    `order by keys, comma-separated, - before one for descending (-%cpu): ${PS_SORT_KEYS.join(', ')}`,
    parseSortList,
  )
  .option(
    '-u, --user <users>',
    'only processes of these users (names or uids, comma-separated)',
    parseUserList,
  )
  .option('-p, --pid <pids>', 'only these processes (comma-separated)', parsePidList)
  .option('--name <text>', 'only processes whose comm or path holds this text')
  .option('--forest', 'children under their parents, drawn as ps --forest does')
  .option(
    '--interval <seconds>',
    '%CPU over this many seconds between two scans (as top), not over each lifetime',
    parseInterval,
  )
  .option('--wide', 'do not cut rows to the terminal width')
  .option('--json', 'print JSON for machines')
  .action(
    async (
      options: JsonOption & {
        sort?: PsSort[];
        user?: string[];
        pid?: number[];
        name?: string;
        forest?: boolean;
        interval?: number;
        wide?: boolean;
      },
    ) => {
      const [{ listProcesses }, { formatPs, rowWidth }] = await Promise.all([
        import('./ps-command.js'),
        import('./ps-format.js'),
      ]);
      const report = await listProcesses({
        sort: options.sort,
        users: options.user,
        pids: options.pid,
        name: options.name,
        forest: options.forest,
        interval: options.interval,
      });
      const width = rowWidth(options.wide === true);
      return print(report, options, (shown) => formatPs(shown, width));
    },
  );

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
  .action(async (target: HashTarget, options: JsonOption & { algo: string[] }) => {
    const { formatHashReport, hashTarget } = await import('./hash-command.js');
    return print(hashTarget(target, options.algo), options, formatHashReport);
  });

async function main(): Promise<number> {
  try {
    // `procmon tre 1` would otherwise reach the default command as a pid it is not.
    unknownCommand(
      process.argv.slice(2),
      // commander's implicit `help` command is no entry of program.commands.
      [...program.commands.map((command) => command.name()), 'help'],
    );
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
