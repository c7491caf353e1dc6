import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createInvoker, type LambdaHandler } from '#local/invoke';
import { assertJava, javaMajorVersion } from '#local/java';

describe('createInvoker', () => {
  it('calls the handler with the event and a realistic Lambda context', async () => {
    let seen: { event: unknown; context: Context } | undefined;
    const handler = (async (event: unknown, context: Context) => {
      seen = { event, context };
      return { ok: true };
    }) as LambdaHandler;
    const invoke = createInvoker({ handlers: { welcomeEmail: handler } });

    await expect(invoke('welcomeEmail', { hello: 'world' })).resolves.toEqual({ ok: true });
    expect(seen?.event).toEqual({ hello: 'world' });
    const context = seen?.context as Context;
    expect(context).toMatchObject({
      functionName: 'welcomeEmail',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:welcomeEmail',
      memoryLimitInMB: '1024',
      logGroupName: '/aws/lambda/welcomeEmail',
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(59_000);
  });

  it('gives API functions less time, as API Gateway waits at most 30 s', async () => {
    let remaining = 0;
    const handler = (async (_: unknown, context: Context) => {
      remaining = context.getRemainingTimeInMillis();
    }) as LambdaHandler;
    await createInvoker({ handlers: { metaApi: handler } })('metaApi', {});
    expect(remaining).toBeLessThanOrEqual(29_000);
    expect(remaining).toBeGreaterThan(28_000);
  });

  it('gives other functions their AWS timeout locally, never less than a minute', async () => {
    let remaining = 0;
    const handler = (async (_: unknown, context: Context) => {
      remaining = context.getRemainingTimeInMillis();
    }) as LambdaHandler;
    await createInvoker({ handlers: { lifecycleReview: handler } })('lifecycleReview', {});
    expect(remaining).toBeGreaterThan(899_000);
    await createInvoker({ handlers: { emailEvents: handler } })('emailEvents', {});
    expect(remaining).toBeGreaterThan(59_000);
    expect(remaining).toBeLessThanOrEqual(60_000);
  });

  it('fails an invocation that outlives its timeout, with Lambda’s message', async () => {
    const handler = (() => new Promise(() => {})) as LambdaHandler;
    const invoke = createInvoker({ handlers: { welcomeEmail: handler }, timeoutMs: 50 });
    await expect(invoke('welcomeEmail', {})).rejects.toThrow('Task timed out after 0.05 seconds');
  });

  it('propagates handler errors (synchronous ones too)', async () => {
    const handler = (() => {
      throw new Error('bad');
    }) as LambdaHandler;
    await expect(createInvoker({ handlers: { welcomeEmail: handler } })('welcomeEmail', {})).rejects.toThrow(
      'bad',
    );
  });
});

describe('Java check', () => {
  it('reads the installed Java version', () => {
    const version = javaMajorVersion();
    if (version !== undefined) expect(version).toBeGreaterThanOrEqual(8);
  });

  it('explains in one line how to install Java when it is missing', () => {
    expect(() => assertJava('/nonexistent/java')).toThrow(
      /^DynamoDB Local needs Java 17\+: install it \(Debian\/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17\)$/,
    );
  });
});
