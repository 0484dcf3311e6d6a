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
  parseNamePatterns,
  parsePid,
  parsePidList,
  parseSortList,
  parseUserList,
} from './arguments.js';
import { reportFailure } from './failure.js';
import {
  type Endpoint,
  NET_PROTOCOLS,
  type NetProtocol,
  OWNER_PROTOCOLS,
  type OwnerProtocol,
  parseEndpoint,
  parseOwnerProtocol,
  parsePort,
  parseProtocolList,
  parseStateList,
} from './net-arguments.js';
import { commanderOutput, flush, writeOut } from './output.js';
import type { SnapshotArguments } from './snapshot-command.js';
import { unknownCommand } from './suggest.js';
import type { ViewArguments } from './view-command.js';
import {
  parseCount,
  parseEventList,
  parseIntervalMs,
  parseProgram,
  type WatchArguments,
} from './watch-arguments.js';

/** The status of a command whose answer is "none found" (as grep's with no match). */
const NO_ANSWER_STATUS = 1;

interface JsonOption {
  json?: boolean;
}

interface FromOption {
  /** A snapshot file to read instead of this machine (`--from FILE`). */
  from?: string;
}

const FROM_HELP = 'read a snapshot file (from procmon snapshot -o FILE) instead of this machine';

/** `--from <file>`: the same answers from a snapshot. */
const fromOption = (): Option => new Option('--from <file>', FROM_HELP);

/**
 * `--from` on a command a snapshot cannot answer: accepted, so that the answer is why not, rather
 * than commander's "unknown option".
 */
const refusedFromOption = (): Option => new Option('--from <file>').hideHelp();

/** Refuses `--from` on a command whose data no snapshot holds. */
async function refuseFrom(options: FromOption, command: string, why: string): Promise<void> {
  if (options.from === undefined) return;
  const { notFromSnapshot } = await import('./source-option.js');
  throw notFromSnapshot(command, why);
}

// package.json sits one folder up from both src/ (tests) and dist/ (the built binary).
const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command()
  .name('procmon')
  .description('Inspect Linux processes through /proc: who they are, what they hold, what they run')
  .version(version, '-V, --version', 'print the version of procmon')
  .showHelpAfterError('(add --help for usage)')
  // Options after a command name are that command's: `net owner ... --json` is owner's, not
  // net's (commander otherwise gives an option to the first command in the chain that has it).
  .enablePositionalOptions()
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
  .addOption(fromOption())
  .option('--json', 'print JSON for machines')
  .addHelpText(
    'after',
    '\nWith --from, a pid is needed, and no checksums are computed: a snapshot holds no binaries.',
  )
  .action(
    async (
      pid: ProcTarget,
      options: JsonOption & FromOption & { env?: boolean; algo: string[]; checksums: boolean },
      command: Command,
    ) => {
      const [
        { checkAlgorithms },
        { formatInspectReport, inspectProcess },
        { openIn },
        { notFromSnapshot, sourceOf },
      ] = await Promise.all([
        import('@procmon/hash'),
        import('./inspect.js'),
        import('./target.js'),
        import('./source-option.js'),
      ]);
      if (options.from !== undefined && command.getOptionValueSource('algo') === 'cli')
        throw notFromSnapshot(
          '--algo',
          'checksums need the binary, which a snapshot does not hold',
        );
      const algorithms = options.checksums && options.from === undefined ? options.algo : [];
      // A mistyped algorithm is the user's error: refused before anything is read.
      if (algorithms.length > 0) checkAlgorithms(algorithms);
      const source = await sourceOf(options.from);
      const report = inspectProcess(openIn(pid, source), {
        env: options.env === true,
        algorithms,
        names: source.names,
      });
      return print(report, options, formatInspectReport);
    },
  );

/** A report about one process: how to collect it and how to show it, loaded when it runs. */
interface ProcessReport<T> {
  collect(process: import('@procmon/process').Process): T;
  format(report: T): string;
  /** Why a snapshot cannot answer, if it cannot (checked once it is read). */
  refuse?(source: import('./source-option.js').DataSource): Error | undefined;
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
    .addOption(fromOption())
    .option('--json', 'print JSON for machines')
    .action(async (pid: ProcTarget, options: JsonOption & FromOption) => {
      const [report, { openIn }, { sourceOf }] = await Promise.all([
        load(),
        import('./target.js'),
        import('./source-option.js'),
      ]);
      const source = await sourceOf(options.from);
      const refusal = report.refuse?.(source);
      if (refusal) throw refusal;
      return print(report.collect(openIn(pid, source)), options, report.format);
    });
}

program
  .command('tree')
  .description(
    'a process and its ancestors up to pid 1, nearest first; or with --children, its subtree',
  )
  .argument('[pid]', 'process id, or self', parsePid, 'self')
  .option('--children', 'the whole subtree below the process instead: children under their parents')
  .addOption(fromOption())
  .option('--json', 'print JSON for machines')
  .action(async (pid: ProcTarget, options: JsonOption & FromOption & { children?: boolean }) => {
    const [{ openIn }, { sourceOf }] = await Promise.all([
      import('./target.js'),
      import('./source-option.js'),
    ]);
    const source = await sourceOf(options.from);
    const process = openIn(pid, source);
    if (options.children) {
      const { formatSubtree, subtreeOf } = await import('./subtree-command.js');
      return print(subtreeOf(process), options, formatSubtree);
    }
    const { formatTree, treeOf } = await import('./tree-command.js');
    return print(treeOf(process, source.snapshot), options, formatTree);
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
    const [{ envOf, formatEnv }, { notFromSnapshot }] = await Promise.all([
      import('./env-command.js'),
      import('./source-option.js'),
    ]);
    return {
      collect: envOf,
      format: formatEnv,
      refuse: (source) =>
        source.snapshot && !source.snapshot.manifest.environ.captured
          ? notFromSnapshot(
              'env',
              `${source.snapshot.file} was taken without --env: it holds no environments`,
            )
          : undefined,
    };
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
  .addOption(fromOption())
  .option('--json', 'print JSON for machines')
  .action(
    async (
      options: JsonOption &
        FromOption & {
          sort?: PsSort[];
          user?: string[];
          pid?: number[];
          name?: string;
          forest?: boolean;
          interval?: number;
          wide?: boolean;
        },
    ) => {
      const [{ listProcesses }, { formatPs }, { rowWidth }, { sourceOf }] = await Promise.all([
        import('./ps-command.js'),
        import('./ps-format.js'),
        import('./columns.js'),
        import('./source-option.js'),
      ]);
      const report = await listProcesses({
        source: await sourceOf(options.from),
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

const net = program
  .command('net')
  .description(
    'every socket with the processes that hold it (as ss -tunapx and lsof -i); `net owner` answers for one connection',
  )
  .option(
    '--proto <list>',
    `only these protocols, comma-separated: ${NET_PROTOCOLS.join(', ')}`,
    parseProtocolList,
  )
  .option(
    '--state <list>',
    'only sockets in these states, comma-separated (listen, established, time-wait, unconn, ...)',
    parseStateList,
  )
  .option('--port <port>', 'only sockets with this local or remote port', parsePort)
  .option('-p, --pid <pids>', 'only sockets these processes hold (comma-separated)', parsePidList)
  .option(
    '-u, --user <users>',
    'only sockets held by processes of these users (names or uids, comma-separated)',
    parseUserList,
  )
  .option('--wide', 'do not cut rows to the terminal width')
  .addOption(fromOption())
  .option('--json', 'print JSON for machines')
  .action(
    async (
      options: JsonOption &
        FromOption & {
          proto?: NetProtocol[];
          state?: string[];
          port?: number;
          pid?: number[];
          user?: string[];
          wide?: boolean;
        },
    ) => {
      const [{ listConnections }, { formatNet }, { rowWidth }, { sourceOf }] = await Promise.all([
        import('./net-command.js'),
        import('./net-format.js'),
        import('./columns.js'),
        import('./source-option.js'),
      ]);
      const report = await listConnections({
        source: await sourceOf(options.from),
        protocols: options.proto,
        states: options.state,
        port: options.port,
        pids: options.pid,
        users: options.user,
      });
      const width = rowWidth(options.wide === true);
      return print(report, options, (shown) => formatNet(shown, width));
    },
  );

net
  .command('owner')
  .description(
    'the processes that hold one connection, given as its own side sees it: protocol, local address, remote address (an outgoing connection: source first). Exits 1 when no holder is found, saying why',
  )
  .argument('<protocol>', OWNER_PROTOCOLS.join(', '), parseOwnerProtocol)
  .argument('<local>', 'local address and port: 10.0.0.2:51000, [::1]:443', parseEndpoint)
  .argument(
    '[remote]',
    'remote address and port; leave it out for a listener or an unconnected udp socket',
    parseEndpoint,
  )
  .option('--netns <pid>', 'look in the network namespace of this process', parsePid)
  .option('--wide', 'do not cut rows to the terminal width')
  .addOption(fromOption())
  .option('--json', 'print JSON for machines')
  .addHelpText(
    'after',
    '\nExamples:\n  procmon net owner tcp 10.0.0.2:51000 1.1.1.1:443\n  procmon net owner udp 0.0.0.0:5353\n  procmon net owner tcp [::1]:8080 [::1]:50312',
  )
  .action(
    async (
      protocol: OwnerProtocol,
      local: Endpoint,
      remote: Endpoint | undefined,
      options: JsonOption & FromOption & { netns?: ProcTarget; wide?: boolean },
    ) => {
      const [{ formatOwner, ownersOf }, { rowWidth }, { pidOf }, { sourceOf }] = await Promise.all([
        import('./net-owner.js'),
        import('./columns.js'),
        import('./target.js'),
        import('./source-option.js'),
      ]);
      const report = await ownersOf({
        source: await sourceOf(options.from),
        protocol,
        local,
        remote,
        netnsPid: options.netns === undefined ? undefined : pidOf(options.netns),
      });
      const width = rowWidth(options.wide === true);
      await print(report, options, (shown) => formatOwner(shown, width));
      // As grep without a match: the answer is printed, and the status says there was none.
      if (report.holders.length === 0) process.exitCode = NO_ANSWER_STATUS;
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
  .addOption(refusedFromOption())
  .action(async (target: HashTarget, options: JsonOption & FromOption & { algo: string[] }) => {
    await refuseFrom(
      options,
      'hash',
      'it reads the binary or file itself, which a snapshot does not hold',
    );
    const { formatHashReport, hashTarget } = await import('./hash-command.js');
    return print(hashTarget(target, options.algo), options, formatHashReport);
  });

program
  .command('watch')
  .description(
    'process events as they happen, one line each (time, event, pid, ppid, user, program, args): from the kernel (proc connector, as root), else by polling /proc',
  )
  .option(
    '-e, --event <types>',
    'only these event types, comma-separated: fork, exec, exit, comm, uid, gid, sid, ptrace, coredump, lost, resync',
    parseEventList,
  )
  .option(
    '-u, --user <users>',
    'only processes of these users (names or uids, comma-separated)',
    parseUserList,
  )
  .option(
    '--program <name>',
    'only processes whose comm or executable (its last part) is this name',
    parseProgram,
  )
  .option('--json', 'one JSON object per line, for machines')
  .option('--poll', 'poll /proc even where the kernel could tell (it misses short-lived processes)')
  .option('--interval <ms>', 'polling interval in milliseconds (100)', parseIntervalMs)
  .option('--count <n>', 'stop after printing this many events', parseCount)
  .option('--no-details', "do not read each new program's path, arguments and user at exec")
  .addHelpText(
    'after',
    '\nExamples:\n  procmon watch -e exec,exit\n  procmon watch --program curl --json\n  procmon watch -u www-data --count 10',
  )
  .addOption(refusedFromOption())
  .action(async (options: WatchArguments & FromOption) => {
    await refuseFrom(options, 'watch', 'it follows processes as they start and end, live');
    const { watch } = await import('./watch-command.js');
    await watch(options);
  });

program
  .command('snapshot')
  .description(
    "capture every process's /proc files, raw, into a .tar.gz that mirrors /proc, to inspect later or elsewhere (environments only with --env, secrets redacted)",
  )
  .requiredOption('-o, --output <file>', 'where to write the archive (- for standard output)')
  .option('-p, --pid <pids>', 'only these processes (comma-separated)', parsePidList)
  .option('--env', "capture each process's environment too, with secret-looking values redacted")
  .option(
    '--redact <patterns>',
    'more variable names whose values are redacted, comma-separated globs (added to the defaults: *TOKEN*, *SECRET*, *PASSWORD*, *KEY*, ...)',
    parseNamePatterns,
  )
  .option(
    '--checksums [algos]',
    "hash each process's binary too (sha256 unless algorithms are given, comma-separated), into checksums.json",
    parseAlgorithmList,
  )
  .addHelpText(
    'after',
    "\nExamples:\n  procmon snapshot -o machine.tar.gz\n  procmon snapshot -o machine.tar.gz --checksums sha256,md5\n  procmon snapshot -o web.tar.gz -p 1234,1240 --env --redact 'AWS_*,DB_URL'\n  tar -tzvf machine.tar.gz   # a plain tar: manifest.json, then proc/<pid>/...",
  )
  .action(async (options: SnapshotArguments) => {
    const { snapshot } = await import('./snapshot-command.js');
    await snapshot(options);
  });

program
  .command('diff')
  .description(
    'what changed between two snapshots: processes started and gone, binaries whose checksum changed, listeners and connections new and gone',
  )
  .argument('<before>', 'the earlier snapshot file (procmon snapshot -o)')
  .argument('<after>', 'the later snapshot file')
  .option('--json', 'print JSON for machines')
  .addHelpText(
    'after',
    '\nChecksums are compared when both snapshots have them (procmon snapshot --checksums).\n\nExamples:\n  procmon snapshot -o before.tar.gz --checksums\n  procmon snapshot -o after.tar.gz --checksums\n  procmon diff before.tar.gz after.tar.gz',
  )
  .action(async (before: string, after: string, options: JsonOption) => {
    const { diffFiles, formatDiff } = await import('./diff-command.js');
    return print(await diffFiles(before, after), options, formatDiff);
  });

program
  .command('view')
  .description(
    'open one snapshot in the browser (the process tree, details, connections), or two to see their diff; served from 127.0.0.1, read in the page, nothing uploaded',
  )
  .argument('<file>', 'a snapshot (procmon snapshot -o FILE)')
  .argument('[file2]', 'a later snapshot: the page shows what changed from FILE')
  .option('--port <port>', 'serve on this port of 127.0.0.1 (a free one unless given)', parsePort)
  .option('--no-open', 'print the URL without opening a browser')
  .addHelpText(
    'after',
    '\nExamples:\n  procmon view machine.tar.gz\n  procmon view before.tar.gz after.tar.gz --no-open',
  )
  .action(async (file: string, file2: string | undefined, options: ViewArguments) => {
    const { view } = await import('./view-command.js');
    await view(file2 === undefined ? [file] : [file, file2], options);
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
    // A command that answered "none" (net owner) has said so with its status.
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportFailure(error);
  }
}

// The exit status is set, not forced: process.exit could cut off output still being written.
main().then((status) => {
  process.exitCode = status;
});
