import { main } from './main';

let interrupt: (() => boolean) | undefined;
process.on('SIGINT', () => {
  if (!interrupt || !interrupt()) process.exit(130);
});

Promise.resolve(
  main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
    isTty: process.stdout.isTTY,
    onInterrupt: (h) => (interrupt = h),
  }),
).then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`ostopo: internal error: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 70;
  },
);
