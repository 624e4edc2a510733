import type { Action, Finding, Plan, SecurityGroupRef } from './domain.js';
import { assertNever } from './domain.js';

/** The `--json` document of `plan` (README documents it); `service` is always the short name. */
export function planDocument(plan: Plan): unknown {
  return {
    region: plan.region,
    vpcs: plan.vpcs.map((v) => ({
      vpcId: v.vpcId,
      mode: v.mode,
      findings: v.findings.map(findingDocument),
      actions: v.actions.map((a) => ({ ...a })),
      estimatedMonthlyCostUsd: v.estimatedMonthlyCostUsd,
    })),
    estimatedMonthlyCostUsd: plan.estimatedMonthlyCostUsd,
    warnings: plan.warnings,
  };
}

function findingDocument(f: Finding): Record<string, unknown> {
  return {
    code: f.code,
    severity: f.severity,
    ...(f.service ? { service: f.service } : {}),
    ...(f.resourceId ? { resourceId: f.resourceId } : {}),
    message: f.message,
    ...(f.advice ? { advice: f.advice } : {}),
  };
}

/** One line saying what an action does, for people (the CLI report and Slack). */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'EnableVpcDnsAttribute':
      return `enable ${action.attribute} on the VPC`;
    case 'CreateSecurityGroup':
      return `create security group ${action.groupName} for the endpoints`;
    case 'AuthorizeHttpsIngress':
      return `allow HTTPS (443) into ${describeGroup(action.group)} from ${listOf(action.cidrs)}`;
    case 'CreateVpcEndpoint':
      return (
        `create ${action.endpointType.toLowerCase()} endpoint ${action.service}` +
        (action.endpointType === 'Gateway'
          ? ` on ${count(action.routeTableIds.length, 'route table')}`
          : ` in ${count(action.subnetIds.length, 'subnet')}${action.privateDnsEnabled ? ' with private DNS' : ''}`)
      );
    case 'ModifyVpcEndpoint': {
      const changes = [
        action.addSubnetIds.length > 0 ? `add ${listOf(action.addSubnetIds)}` : undefined,
        action.addSecurityGroup ? `attach ${describeGroup(action.addSecurityGroup)}` : undefined,
        action.enablePrivateDns ? 'enable private DNS' : undefined,
      ].filter((part): part is string => part !== undefined);
      return `update endpoint ${action.endpointId} (${action.service}): ${changes.length > 0 ? changes.join(', ') : 'no change'}`;
    }
    case 'AddGatewayRoutes':
      return `add the ${action.service} gateway endpoint ${action.endpointId} to ${listOf(action.routeTableIds)}`;
    case 'RestartEcsAgent':
      return `restart the ECS agent on ${count(action.instances.length, 'instance')} (${listOf(action.instances.map((i) => i.ec2InstanceId))})`;
    case 'UpdateContainerAgent':
      return `update the ECS agent on ${action.instance.ec2InstanceId}`;
    case 'AssociateVpcWithHostedZone':
      return `associate the VPC with hosted zone ${action.zoneName} (${action.zoneId}) for ${action.service}`;
    default:
      return assertNever(action, 'action');
  }
}

function describeGroup(group: SecurityGroupRef): string {
  return group.kind === 'existing'
    ? `security group ${group.groupId}`
    : 'the dedicated endpoint security group';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function listOf(values: readonly string[], max = 5): string {
  if (values.length === 0) return 'nothing';
  const shown = values.slice(0, max).join(', ');
  return values.length > max ? `${shown} and ${values.length - max} more` : shown;
}
