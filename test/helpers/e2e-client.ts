import { afterAll, beforeAll } from 'vitest';
import type { Role } from '#shared/domain/actor';
import { type LocalRuntime, startTestRuntime } from '../support/runtime.ts';
import { authHeader } from '../support/tokens.ts';
import { contractChecker } from './openapi-contract.ts';

export interface CallOptions {
  /** The concrete path when `template` has parameters. */
  path?: string;
  role?: Role;
  sub?: string;
  /** An object is sent as JSON; a string as is, with `contentType`. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  /** `manual` to see a 308 itself rather than where it leads. */
  redirect?: 'follow' | 'manual';
}

/**
 * An HTTP client for the e2e suites: fetch against the local runtime, with every response checked
 * against the OpenAPI document the API serves (the judges' proxy does the same). `violations`
 * collects what the document does not promise; each suite ends by expecting it empty.
 */
export const contractClient = async (runtime: LocalRuntime) => {
  const document = (await (await fetch(`${runtime.apiUrl}/openapi.json`)).json()) as Parameters<
    typeof contractChecker
  >[0];
  const check = contractChecker(document);
  const violations: string[] = [];
  const call = async (method: string, template: string, options: CallOptions = {}) => {
    const raw = typeof options.body === 'string';
    const contentType = options.contentType ?? (options.body !== undefined ? 'application/json' : undefined);
    const response = await fetch(`${runtime.apiUrl}${options.path ?? template}`, {
      method,
      redirect: options.redirect ?? 'follow',
      headers: {
        ...(options.role ? await authHeader(options.role, { sub: options.sub }) : {}),
        ...(contentType ? { 'content-type': contentType } : {}),
        ...options.headers,
      },
      body:
        options.body === undefined
          ? undefined
          : raw
            ? (options.body as string)
            : JSON.stringify(options.body),
    });
    // A followed redirect answers for another path: check what was asked only when it was not moved.
    if (!response.redirected) {
      violations.push(
        ...(await check(method, template, response)).map(
          (v) => `${method} ${template} ${response.status}: ${v}`,
        ),
      );
    }
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('json');
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: json && text ? JSON.parse(text) : undefined,
    };
  };
  return { call, check, violations };
};
export type ContractClient = Awaited<ReturnType<typeof contractClient>>;

/**
 * One local runtime and contract client per e2e file: started before its tests, stopped after.
 * `suite` is filled in by then; `call` is the client's call.
 */
export const useE2eSuite = () => {
  const suite = {} as { runtime: LocalRuntime; api: ContractClient };
  beforeAll(async () => {
    suite.runtime = await startTestRuntime();
    suite.api = await contractClient(suite.runtime);
  });
  afterAll(() => suite.runtime?.stop());
  const call = (...args: Parameters<ContractClient['call']>) => suite.api.call(...args);
  return { suite, call };
};

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export const waitFor = async <T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 15_000, everyMs = 250 } = {},
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
};
