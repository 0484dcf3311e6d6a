// The snapshot commands: `snapshot` captures, `diff` compares two captures, `view` opens them in
// the browser. Each command's code is imported when it runs, as in procmon.ts.
import type { Command } from 'commander';
import { parseAlgorithmList, parseNamePatterns, parsePidList } from './arguments.js';
import { type JsonOption, print } from './command-options.js';
import { parsePort } from './net-arguments.js';
import type { SnapshotArguments } from './snapshot-command.js';
import type { ViewArguments } from './view-command.js';

/** Registers `snapshot`, `diff` and `view` on `program`. */
export function addSnapshotCommands(program: Command): void {
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
}
