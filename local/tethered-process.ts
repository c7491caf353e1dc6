import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

/**
 * A tiny Node watchdog between us and a long-running child (the DynamoDB Local JVM). It starts the
 * child and stops it when its own stdin closes, which the OS does when our process dies for any
 * reason, SIGKILL included. Without it a crashed `npm start` or a killed test run leaves a JVM
 * holding its port and memory. It also forwards SIGTERM/SIGINT and escalates to SIGKILL.
 */
const WATCHDOG = `
const { spawn } = require('node:child_process');
const [command, ...args] = JSON.parse(process.argv[1]);
const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), 5000).unref();
};
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
`;

export interface TetheredProcess {
  /** The watchdog process (its stdout/stderr carry the child's). */
  process: ChildProcess;
  /** Resolves with the exit code once the child (and the watchdog) have exited. */
  exited: Promise<number | null>;
  /** Last lines the child wrote, for error messages. */
  outputTail(): string;
  /** Stops the child (SIGTERM, SIGKILL after 5 s) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

/** Spawns `command` under the watchdog. The handles are unref'd: a running child never keeps us alive. */
export const spawnTethered = (command: string, args: readonly string[], cwd?: string): TetheredProcess => {
  const child = spawn(process.execPath, ['-e', WATCHDOG, JSON.stringify([command, ...args])], {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keepTail = (stream: Readable | null) =>
    stream?.on('data', (chunk: Buffer) => {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      lines.splice(0, Math.max(0, lines.length - 20));
    });
  keepTail(child.stdout);
  keepTail(child.stderr);

  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  // Belt and braces for a normal exit: the pipe closing would do it too, a moment later.
  const onExit = () => child.kill('SIGTERM');
  process.once('exit', onExit);
  void exited.then(() => process.removeListener('exit', onExit));

  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  let stopping: Promise<void> | undefined;
  return {
    process: child,
    exited,
    outputTail: () => lines.join('\n'),
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // Keep the event loop alive until the JVM has really gone (the handle is unref'd).
          child.ref();
          child.stdin?.end();
          child.kill('SIGTERM');
          await exited;
        }
      })();
      return stopping;
    },
  };
};
