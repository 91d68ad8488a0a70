import { main } from './main';

let interrupt: (() => boolean) | undefined;
process.on('SIGINT', () => {
  if (!interrupt || !interrupt()) process.exit(130);
});

// A reader that stops early (`ostopo validate big.ostopo.yaml | head`) closes the pipe. Node then fails the
// write with EPIPE, and an unhandled stream error would end the command with a stack trace. The output is
// no longer wanted, the command is: it goes on without printing and ends with its own exit code.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}
const writer = (stream: NodeJS.WriteStream) => (s: string) => {
  if (!stream.destroyed) stream.write(s);
};

Promise.resolve(
  main(process.argv.slice(2), {
    out: writer(process.stdout),
    err: writer(process.stderr),
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
