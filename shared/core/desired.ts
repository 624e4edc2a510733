import type { RemediatorConfig } from './config.js';
import type { DesiredVpc, Mode, ObservedRegion, ObservedVpc, ServiceName } from './domain.js';
import { MODES } from './domain.js';
import { hasInternetPath, instanceAccess, workloadPlacements } from './internet-path.js';
import { ECS_AGENT_SERVICES, SSM_PATH_SERVICES } from './services.js';

export interface DesiredState {
  readonly vpcs: readonly DesiredVpc[];
  readonly warnings: readonly string[];
}

function modeOf(vpc: ObservedVpc, config: RemediatorConfig, warnings: string[]): Mode {
  const tag = vpc.tags[config.modeTagKey];
  if (tag === undefined) return config.defaultMode;
  const normalized = tag.trim().toLowerCase();
  if ((MODES as readonly string[]).includes(normalized)) return normalized as Mode;
  warnings.push(
    `${vpc.vpcId}: tag ${config.modeTagKey}=${JSON.stringify(tag)} is not one of ${MODES.join(', ')}; treated as audit`,
  );
  return 'audit';
}

/**
 * What each VPC's workloads need (Amazon ECS Developer Guide, "Amazon ECS interface VPC endpoints
 * (AWS PrivateLink)"). A workload that reaches AWS directly (an internet gateway route and a public
 * IPv4 address, internet-path.ts) needs nothing; one behind a NAT still gets the ECS and ECR
 * endpoints; one without any internet path also needs `logs` and the SSM endpoints.
 */
export function deriveDesired(observed: ObservedRegion, config: RemediatorConfig): DesiredState {
  const warnings: string[] = [];
  const vpcs = observed.vpcs.map((vpc) => desiredFor(vpc, config, modeOf(vpc, config, warnings)));
  return { vpcs, warnings };
}

function desiredFor(vpc: ObservedVpc, config: RemediatorConfig, mode: Mode): DesiredVpc {
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const workloadSubnets = vpc.workloads.subnetIds.flatMap((id) => subnetsById.get(id) ?? []);
  const placements = workloadPlacements(vpc);
  const notPublic = placements.filter((p) => p.access !== 'public');
  const offline = new Set(placements.filter((p) => !hasInternetPath(p.access)).map((p) => p.subnet.subnetId));
  const instanceAccesses = vpc.containerInstances
    .filter((ci) => ci.subnetId !== undefined && subnetsById.has(ci.subnetId))
    .map((ci) => instanceAccess(ci, subnetsById));
  const privateInstances = instanceAccesses.filter((a) => a !== 'public').length;
  const services = new Map<ServiceName, string>();
  const need = (service: ServiceName, reason: string) => {
    if (!services.has(service)) services.set(service, reason);
  };

  if (privateInstances > 0) {
    for (const service of ECS_AGENT_SERVICES) {
      need(
        service,
        `${privateInstances} EC2 container instance(s) without a public path talk to ECS through it`,
      );
    }
  }
  if (notPublic.length > 0) {
    const where = `workloads without a public path`;
    if (vpc.workloads.privateEcrImages) {
      need('ecr.api', `${where} pull private ECR images`);
      need('ecr.dkr', `${where} pull private ECR images`);
      need('s3', `ECR image layers come from S3 (gateway endpoint on the private route tables)`);
    }
    if (vpc.workloads.awslogs && offline.size > 0) {
      need('logs', `tasks use the awslogs driver in ${offline.size} subnet(s) without an internet path`);
    }
    if (vpc.workloads.secretsManagerSecrets)
      need('secretsmanager', `task definitions reference Secrets Manager secrets`);
    if (vpc.workloads.ssmParameters) need('ssm', `task definitions reference SSM parameters`);
  }
  const offlineInstances = instanceAccesses.filter((a) => !hasInternetPath(a)).length;
  const restartNeedsSsmEndpoints = offlineInstances > 0;
  if (restartNeedsSsmEndpoints) {
    for (const service of SSM_PATH_SERVICES) {
      need(
        service,
        `${offlineInstances} container instance(s) have no internet path: restarting their agent with SSM needs it`,
      );
    }
  }
  if (services.size > 0) {
    for (const service of config.addServices) need(service, 'added by configuration (addServices)');
  }
  for (const service of config.excludeServices) services.delete(service);

  const privateSubnets = vpc.subnets.filter((s) => s.isPrivate);
  const requiredAzs = [
    ...new Set([
      ...privateSubnets.map((s) => s.availabilityZone),
      ...notPublic.map((p) => p.subnet.availabilityZone),
      ...vpc.containerInstances.flatMap((ci) => (ci.availabilityZone ? [ci.availabilityZone] : [])),
    ]),
  ].sort();
  // With private DNS every subnet of the VPC resolves the service names to the endpoint.
  const clientCidrs = [...new Set(workloadSubnets.map((s) => s.cidrBlock))].sort();

  return {
    vpcId: vpc.vpcId,
    mode,
    services,
    requiredAzs: services.size > 0 ? requiredAzs : [],
    clientCidrs,
    restartNeedsSsmEndpoints: restartNeedsSsmEndpoints && SSM_PATH_SERVICES.every((s) => services.has(s)),
    enclosedWorkloadSubnetIds: [...new Set(notPublic.map((p) => p.subnet.subnetId))].sort(),
  };
}
