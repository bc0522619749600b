// `abaxus`: the ABAXUS command line (package.json "bin", through apps/cli/bin/abaxus.js).
import { runCli } from './cli';
import { eventsImportCommand } from './commands/events-import';
import { invoicesListCommand } from './commands/invoices-list';
import { invoicesRunCommand } from './commands/invoices-run';
import { usageSummaryCommand } from './commands/usage-summary';

const COMMANDS = [eventsImportCommand, invoicesRunCommand, invoicesListCommand, usageSummaryCommand];

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, COMMANDS).then(
  (status) => {
    process.exitCode = status;
  },
  (error: Error) => {
    process.stderr.write(`abaxus: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
