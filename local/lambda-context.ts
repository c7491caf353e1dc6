import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './aws-local.ts';

export interface LambdaContextOptions {
  /** Function timeout; drives getRemainingTimeInMillis. */
  timeoutMs: number;
  memoryMB?: number;
  region?: string;
}

const logStreamName = (now: Date): string => {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
};

/**
 * A Lambda `Context` as the Node.js runtime builds it, so Powertools (logger, idempotency's
 * remaining-time check) and our middleware behave locally as in AWS.
 */
export const createLambdaContext = (functionName: string, options: LambdaContextOptions): Context => {
  const deadline = Date.now() + options.timeoutMs;
  const region = options.region ?? process.env.AWS_REGION ?? LOCAL_REGION;
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported: return a value or a promise from the handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    // The Node.js runtime passes it as a string.
    memoryLimitInMB: String(options.memoryMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: logStreamName(new Date()),
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
