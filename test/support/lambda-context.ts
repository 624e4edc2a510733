import type { Context } from 'aws-lambda';

/** A Lambda context as the runtime hands one to a handler invoked in-process. */
export function lambdaContext(name: string, memoryLimitInMB = '512'): Context {
  return {
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
    memoryLimitInMB,
    awsRequestId: 'req-1',
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'stream',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 600000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
