import { Command, InvalidArgumentError } from 'commander';
import { formatReport, toJson } from './format.js';
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
  .option('--json', 'print JSON for machines')
  .action((pid: ProcTarget, options: { env?: boolean; json?: boolean }) => {
    const report = inspectProcess(pid, { env: options.env === true });
    console.log(options.json ? toJson(report) : formatReport(report));
  });

try {
  program.parse();
} catch (error) {
  if (error instanceof ProcessNotFoundError) {
    console.error(`procmon: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
