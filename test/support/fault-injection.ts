/**
 * Fault injection for emulator-backed SDK clients. A middleware at the `deserialize` step runs inside
 * the SDK's retry loop (retries happen at `finalizeRequest`, around it), so an injected throttle, 5xx
 * or timeout is retried by the SDK exactly as a real one would be, and every pass through the
 * middleware is one attempt on the wire.
 *
 * Faults are injected before the request is sent (the emulator never sees a failed attempt): moto
 * ignores ClientToken, so a "lost response" on CreateVpcEndpoint would duplicate on moto where AWS
 * would not — that case is covered with a ClientToken-honouring mock in test/unit/executor.test.ts.
 */
import type { AwsClients } from '../../shared/aws/clients.js';

export type FaultKind = 'throttling' | 'http500' | 'timeout' | 'accessDenied' | 'notFound';
export const FAULT_KINDS: readonly FaultKind[] = [
  'throttling',
  'http500',
  'timeout',
  'accessDenied',
  'notFound',
];
/** Retried by the SDK's standard retry strategy (throttling, transient, 5xx). */
export const RETRYABLE: ReadonlySet<FaultKind> = new Set(['throttling', 'http500', 'timeout']);

export type ServiceLabel = 'EC2' | 'ECS' | 'SSM';

export interface FaultRule {
  readonly service: ServiceLabel;
  /** Operation name without `Command`, e.g. `CreateVpcEndpoint`. */
  readonly operation: string;
  readonly fault: FaultKind;
  /** Attempts to fail; `Infinity` fails every attempt while armed. */
  readonly times: number;
}

/** The error names each service uses (what the adapters and executor see). */
const NOT_FOUND: Record<string, string> = {
  'EC2:ModifyVpcAttribute': 'InvalidVpcID.NotFound',
  'EC2:CreateSecurityGroup': 'InvalidVpcID.NotFound',
  'EC2:AuthorizeSecurityGroupIngress': 'InvalidGroup.NotFound',
  'EC2:DescribeSecurityGroups': 'InvalidGroup.NotFound',
  'EC2:CreateVpcEndpoint': 'InvalidVpcID.NotFound',
  'EC2:ModifyVpcEndpoint': 'InvalidVpcEndpointId.NotFound',
  'EC2:DescribeVpcEndpoints': 'InvalidVpcEndpointId.NotFound',
  'EC2:DescribeVpcAttribute': 'InvalidVpcID.NotFound',
  'SSM:SendCommand': 'InvalidInstanceId',
  'SSM:ListCommandInvocations': 'InvalidCommandId',
  'ECS:DescribeContainerInstances': 'ClusterNotFoundException',
  'ECS:UpdateContainerAgent': 'ClusterNotFoundException',
};

export function faultErrorName(service: ServiceLabel, operation: string, fault: FaultKind): string {
  switch (fault) {
    case 'throttling':
      return service === 'EC2' ? 'RequestLimitExceeded' : 'ThrottlingException';
    case 'http500':
      return service === 'EC2' ? 'InternalError' : 'InternalServerError';
    case 'timeout':
      return 'TimeoutError';
    case 'accessDenied':
      return service === 'EC2' ? 'UnauthorizedOperation' : 'AccessDeniedException';
    case 'notFound':
      return (
        NOT_FOUND[`${service}:${operation}`] ??
        (service === 'EC2'
          ? 'InvalidParameterValue'
          : service === 'ECS'
            ? 'ClusterNotFoundException'
            : 'InvalidFilterValue')
      );
  }
}

function faultError(service: ServiceLabel, operation: string, fault: FaultKind): Error {
  const name = faultErrorName(service, operation, fault);
  const status = {
    throttling: service === 'EC2' ? 503 : 400,
    http500: 500,
    timeout: undefined,
    accessDenied: service === 'EC2' ? 403 : 400,
    notFound: 400,
  }[fault];
  const error = new Error(`${name}: injected ${fault} on ${service}:${operation}`) as Error & {
    $metadata: { httpStatusCode?: number; attempts?: number };
    $fault: 'client' | 'server';
    Code?: string;
  };
  error.name = name;
  error.$fault = fault === 'http500' || fault === 'timeout' ? 'server' : 'client';
  error.$metadata = status === undefined ? {} : { httpStatusCode: status };
  return error;
}

interface MiddlewareHost {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize' | 'initialize'; name: string; priority?: 'high' | 'normal' | 'low' },
    ): void;
  };
}

let sequence = 0;

/** A fixed output, or one computed from the request's input. */
type StubOutput =
  | Record<string, unknown>
  | ((input: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>);

export class FaultInjector {
  private rules: FaultRule[] = [];
  private armed = false;
  /** Operations the emulator does not implement, answered here with a fixed output instead. */
  private readonly stubs = new Map<string, StubOutput>();
  /** Attempts on the wire (including injected failures) per "Service:Operation". */
  readonly attempts = new Map<string, number>();
  /** Calls made by the code (one per command sent, however many attempts) per "Service:Operation". */
  readonly calls = new Map<string, number>();
  /** Injected failures per "Service:Operation". */
  readonly injected = new Map<string, number>();

  /** Installs the middleware on the EC2, ECS and SSM clients. */
  install(clients: Pick<AwsClients, 'ec2' | 'ecs' | 'ssm'>): this {
    const name = `faultInjector${++sequence}`;
    for (const [service, client] of [
      ['EC2', clients.ec2],
      ['ECS', clients.ecs],
      ['SSM', clients.ssm],
    ] as const) {
      const stack = (client as unknown as MiddlewareHost).middlewareStack;
      stack.add(
        (next, context) => async (args) => {
          const label = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
          this.calls.set(label, (this.calls.get(label) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: `${name}Calls` },
      );
      stack.add(
        (next, context) => async (args) => {
          const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const label = `${service}:${operation}`;
          this.attempts.set(label, (this.attempts.get(label) ?? 0) + 1);
          const rule = this.armed
            ? this.rules.find((r) => r.service === service && r.operation === operation)
            : undefined;
          if (rule && (this.injected.get(label) ?? 0) < rule.times) {
            this.injected.set(label, (this.injected.get(label) ?? 0) + 1);
            throw faultError(service, operation, rule.fault);
          }
          const stub = this.stubs.get(label);
          if (stub) {
            const output =
              typeof stub === 'function'
                ? await stub((args as { input?: Record<string, unknown> }).input ?? {})
                : stub;
            return {
              response: { statusCode: 200, headers: {}, body: undefined },
              output: { $metadata: { httpStatusCode: 200 }, ...output },
            };
          }
          return next(args);
        },
        { step: 'deserialize', name, priority: 'high' },
      );
    }
    return this;
  }

  /** Answers `Service:Operation` with `output` (after any injected fault) without calling the emulator. */
  stub(service: ServiceLabel, operation: string, output: StubOutput = {}): this {
    this.stubs.set(`${service}:${operation}`, output);
    return this;
  }

  /** Faults apply only while armed (e.g. from the apply phase on). */
  set(rules: readonly FaultRule[], armed = true): this {
    this.rules = [...rules];
    this.armed = armed;
    return this;
  }

  arm(): void {
    this.armed = true;
  }

  disarm(): void {
    this.armed = false;
  }

  attemptsOf(service: ServiceLabel, operation: string): number {
    return this.attempts.get(`${service}:${operation}`) ?? 0;
  }

  callsOf(service: ServiceLabel, operation: string): number {
    return this.calls.get(`${service}:${operation}`) ?? 0;
  }

  injectedInto(service: ServiceLabel, operation: string): number {
    return this.injected.get(`${service}:${operation}`) ?? 0;
  }

  resetCounts(): void {
    this.calls.clear();
    this.attempts.clear();
    this.injected.clear();
  }
}
