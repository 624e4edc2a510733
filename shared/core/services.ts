import type { EndpointType, ServiceName } from './domain.js';
import { SERVICE_NAMES } from './domain.js';

/** How each service is reached; gateway endpoints (s3) are free and route-table based. */
export const ENDPOINT_TYPE: Readonly<Record<ServiceName, EndpointType>> = {
  'ecs-agent': 'Interface',
  'ecs-telemetry': 'Interface',
  ecs: 'Interface',
  'ecr.api': 'Interface',
  'ecr.dkr': 'Interface',
  s3: 'Gateway',
  logs: 'Interface',
  secretsmanager: 'Interface',
  ssm: 'Interface',
  ssmmessages: 'Interface',
  ec2messages: 'Interface',
};

/** The ECS endpoints, in the order AWS asks for them when container instances already exist. */
export const ECS_AGENT_SERVICES: readonly ServiceName[] = ['ecs-agent', 'ecs-telemetry', 'ecs'];

/** What SSM Run Command needs on an instance without an internet path. */
export const SSM_PATH_SERVICES: readonly ServiceName[] = ['ssm', 'ssmmessages', 'ec2messages'];

/** Endpoint policies are not supported on these: a custom policy there is a finding. */
export const POLICY_UNSUPPORTED: readonly ServiceName[] = ECS_AGENT_SERVICES;

/** Position of an endpoint's work in a plan: SSM endpoints (when the restart needs them), the ECS trio, the rest. */
export function serviceRank(service: ServiceName, restartNeedsSsmEndpoints: boolean): number {
  const ssm = SSM_PATH_SERVICES.indexOf(service);
  if (restartNeedsSsmEndpoints && ssm >= 0) return ssm;
  const ecs = ECS_AGENT_SERVICES.indexOf(service);
  if (ecs >= 0) return 10 + ecs;
  return 20 + CATALOG_ORDER.indexOf(service);
}

/** The catalog order of SERVICE_NAMES: ECS trio, ECR, s3, logs, secrets, SSM. */
const CATALOG_ORDER: readonly ServiceName[] = SERVICE_NAMES;
