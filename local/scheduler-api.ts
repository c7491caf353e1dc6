import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { instantOfWallTime } from '#shared/domain/zoned-time';
import { closeServer, listen, readBody, sendJson } from './json-http.ts';

/**
 * A local EventBridge Scheduler: the part of its REST API the campaigns use (CreateSchedule,
 * GetSchedule, DeleteSchedule for one-time `at()` schedules), so the real SDK client works against
 * it, and a timer that invokes the target function when a schedule is due, retrying as the
 * schedule's retry policy says, then deleting it (ActionAfterCompletion DELETE).
 */
export interface LocalScheduleTarget {
  Arn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number };
}

interface StoredSchedule {
  Name: string;
  GroupName: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  ClientToken?: string;
  ActionAfterCompletion?: string;
  Target: LocalScheduleTarget;
  timer?: NodeJS.Timeout;
}

export interface LocalSchedulerApi {
  endpoint: string;
  /** Schedules not yet run (for tests). */
  pending(): string[];
  stop(): Promise<void>;
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
/** Local retries are capped: a failing target should not keep the laptop busy for hours. */
const MAX_LOCAL_RETRIES = 3;

const error = (response: ServerResponse, status: number, type: string, message: string) =>
  sendJson(response, status, { Message: message }, { 'x-amzn-errortype': type });

export const startSchedulerApi = async (options: {
  port?: number;
  host?: string;
  /** Invokes a function by its catalog name (the last segment of the target's ARN). */
  invoke: (functionName: string, event: unknown) => Promise<unknown>;
  log: (line: string) => void;
}): Promise<LocalSchedulerApi> => {
  const schedules = new Map<string, StoredSchedule>();
  const keyOf = (group: string, name: string) => `${group}/${name}`;

  const run = async (key: string, schedule: StoredSchedule) => {
    const functionName = schedule.Target.Arn.split(':').at(-1) ?? '';
    const attempts = 1 + Math.min(schedule.Target.RetryPolicy?.MaximumRetryAttempts ?? 0, MAX_LOCAL_RETRIES);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await options.invoke(functionName, JSON.parse(schedule.Target.Input ?? '{}'));
        break;
      } catch (cause) {
        options.log(`schedule ${schedule.Name}: ${functionName} failed (${(cause as Error).message})`);
        if (attempt === attempts) options.log(`schedule ${schedule.Name}: gave up (dead letter)`);
        else await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    if (schedule.ActionAfterCompletion === 'DELETE') schedules.delete(key);
  };

  /** setTimeout holds at most ~24.8 days: a later schedule re-arms itself until it is due. */
  const arm = (key: string, schedule: StoredSchedule, dueAt: number) => {
    const wait = Math.min(Math.max(0, dueAt - Date.now()), 2 ** 31 - 1);
    schedule.timer = setTimeout(() => {
      if (Date.now() < dueAt) arm(key, schedule, dueAt);
      else void run(key, schedule);
    }, wait);
    schedule.timer.unref();
  };

  const create = (response: ServerResponse, group: string, name: string, body: Record<string, unknown>) => {
    const key = keyOf(group, name);
    const existing = schedules.get(key);
    if (existing) {
      if (existing.ClientToken && existing.ClientToken === body.ClientToken) {
        return sendJson(response, 200, { ScheduleArn: `arn:aws:scheduler:local:schedule/${key}` });
      }
      return error(response, 409, 'ConflictException', `Schedule ${name} already exists`);
    }
    const at = AT.exec(String(body.ScheduleExpression ?? ''))?.[1];
    const zone = String(body.ScheduleExpressionTimezone ?? 'UTC');
    const instant = at ? instantOfWallTime(at, zone) : undefined;
    if (!instant || instant.kind !== 'instant') {
      return error(
        response,
        400,
        'ValidationException',
        'Only at(yyyy-mm-ddThh:mm:ss) in an existing local time',
      );
    }
    const schedule = { ...(body as unknown as StoredSchedule), Name: name, GroupName: group };
    schedules.set(key, schedule);
    arm(key, schedule, Date.parse(instant.at));
    options.log(`schedule ${name} due ${instant.at}`);
    return sendJson(response, 200, { ScheduleArn: `arn:aws:scheduler:local:schedule/${key}` });
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    response.setHeader('x-amzn-requestid', randomUUID());
    const url = new URL(request.url ?? '/', 'http://local');
    const name = /^\/schedules\/([^/]+)$/.exec(url.pathname)?.[1];
    if (!name) return error(response, 404, 'ResourceNotFoundException', 'Unknown path');
    const decodedName = decodeURIComponent(name);
    const text = (await readBody(request, 256 * 1024)).toString('utf8');
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const group = String(url.searchParams.get('groupName') ?? body.GroupName ?? 'default');
    const key = keyOf(group, decodedName);
    if (request.method === 'POST') return create(response, group, decodedName, body);
    const schedule = schedules.get(key);
    if (!schedule)
      return error(response, 404, 'ResourceNotFoundException', `Schedule ${decodedName} does not exist`);
    if (request.method === 'DELETE') {
      clearTimeout(schedule.timer);
      schedules.delete(key);
      return sendJson(response, 200, {});
    }
    const { timer: _timer, ...stored } = schedule;
    return sendJson(response, 200, { ...stored, State: 'ENABLED' });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: Error) =>
      error(response, 500, 'InternalServerException', cause.message),
    );
  });
  const port = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pending: () => [...schedules.keys()],
    stop: async () => {
      for (const schedule of schedules.values()) clearTimeout(schedule.timer);
      await closeServer(server);
    },
  };
};
