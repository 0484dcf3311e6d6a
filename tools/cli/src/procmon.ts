import { Command, InvalidArgumentError } from 'commander';
import { formatReport, toJson } from './format.js';
import { algorithmList, formatHashReport, hashTarget } from './hash-command.js';
import { inspectProcess, ProcessNotFoundError, type ProcTarget } from './inspect.js';

function parsePid(value: string): ProcTarget {
  if (value === 'self') return 'self';
  if (!/^[1-9]\d{0,9}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError(`"${value}" is not a process id (a positive integer, or self)`);
  }
  return Number(value);
}

const program = new Command()
  .name('procmon')
  .description('Inspect Linux processes through /proc')
  .showHelpAfterError();

program
  .command('inspect', { isDefault: true })
  .description('show what /proc says about a process (the procmon process itself by default)')
  .argument('[pid]', 'process id, or self', parsePid, 'self')
  .option('--env', 'include the environment')
  .option('--algo <list>', 'checksums of its binary, comma-separated', 'sha256')
  .option('--no-checksums', 'do not hash its binary')
  .option('--json', 'print JSON for machines')
  .action(
    (
      pid: ProcTarget,
      options: { env?: boolean; json?: boolean; algo: string; checksums: boolean },
    ) => {
      const algorithms = options.checksums ? algorithmList(options.algo) : [];
      const report = inspectProcess(pid, { env: options.env === true, algorithms });
      console.log(options.json ? toJson(report) : formatReport(report));
    },
  );

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
  .action((target: string, options: { algo: string; json?: boolean }) => {
    const report = hashTarget(target, algorithmList(options.algo));
    console.log(options.json ? toJson(report) : formatHashReport(report));
  });

try {
  program.parse();
} catch (error) {
  // Expected failures are one line and a non-zero status; anything else is a bug: show it all.
  if (error instanceof ProcessNotFoundError || isExpectedFailure(error)) {
    console.error(`procmon: ${(error as Error).message}`);
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
    name === 'PermissionDeniedError' ||
    name === 'ProcfsError'
  );
}
