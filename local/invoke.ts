import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { type LambdaFunctionName, lambdaFunctions, timeoutSecondsOf } from '#functions/catalog';
import { createLambdaContext } from './lambda-context.ts';
import { repoRoot } from './paths.ts';

/** A Lambda handler as our modules export it: async, `(event, context)`, no callback. */
export type LambdaHandler = (event: never, context: Context) => unknown;

/** Invokes a function of functions/catalog.ts by name, the way its event source would. */
export type Invoker = (functionName: LambdaFunctionName, event: unknown) => Promise<unknown>;

/** Lambda's own message when a function runs out of time. */
export class LambdaTimeoutError extends Error {
  override name = 'Sandbox.Timedout';
}

const modules = new Map<LambdaFunctionName, Promise<LambdaHandler>>();

/**
 * Imports a function's module (its catalog entry, relative to the repo root) once and returns its
 * `handler` export. Lazy on purpose: the runtime sets the environment first, because handler
 * modules create their SDK clients at import time.
 */
export const loadHandler = (functionName: LambdaFunctionName): Promise<LambdaHandler> => {
  let loaded = modules.get(functionName);
  if (!loaded) {
    const { entry } = lambdaFunctions[functionName];
    loaded = import(pathToFileURL(join(repoRoot, entry)).href).then(
      (module: { handler?: unknown }) => {
        if (typeof module.handler !== 'function')
          throw new Error(`${entry} does not export a handler function`);
        return module.handler as LambdaHandler;
      },
      (error: unknown) => {
        throw new Error(`Cannot load ${entry} (function ${functionName}): ${String(error)}`, {
          cause: error,
        });
      },
    );
    // A failed import (a file still being written) is retried on the next invocation.
    loaded.catch(() => modules.delete(functionName));
    modules.set(functionName, loaded);
  }
  return loaded;
};

/**
 * A function's local timeout: its timeout in AWS (functions/catalog.ts), but at least a minute,
 * because a laptop or a 2-core CI machine that also runs DynamoDB Local is slower than Lambda. API
 * functions get API Gateway's longest wait instead, 29 s, as the local server answers like it.
 */
const localTimeoutMs = (functionName: LambdaFunctionName): number =>
  lambdaFunctions[functionName].kind === 'api' ? 29_000 : Math.max(timeoutSecondsOf(functionName), 60) * 1000;

export interface InvokerOptions {
  /** Handlers to use instead of the catalog's modules (tests use small fakes). */
  handlers?: Partial<Record<LambdaFunctionName, LambdaHandler>>;
  /** Overrides the function's local timeout (29 s for API functions, its AWS timeout but ≥ 60 s otherwise). */
  timeoutMs?: number;
}

/**
 * Builds an invoker that runs handlers in this process with a realistic Lambda context and the
 * function's timeout. Errors propagate like a failed invocation; the event source decides what to
 * do with them (API Gateway answers 500, the bus retries, the stream poller re-delivers).
 */
export const createInvoker =
  (options: InvokerOptions = {}): Invoker =>
  async (functionName, event) => {
    const handler = options.handlers?.[functionName] ?? (await loadHandler(functionName));
    const timeoutMs = options.timeoutMs ?? localTimeoutMs(functionName);
    const context = createLambdaContext(functionName, { timeoutMs });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LambdaTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(() => handler(event as never, context)), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
