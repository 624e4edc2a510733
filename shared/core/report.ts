import type { Action, ApplyReport, Finding, Plan } from './domain.js';
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

/** One line saying what an action does, for people. */
export function describeAction(action: Action): string {
  switch (action.kind) {
    case 'EnableVpcDnsAttribute':
      return `enable ${action.attribute} on ${action.vpcId}`;
    case 'CreateSecurityGroup':
      return `create security group ${action.groupName}`;
    case 'AuthorizeHttpsIngress':
      return `allow TCP 443 from ${action.cidrs.join(', ')} on ${action.group.kind === 'existing' ? action.group.groupId : 'the dedicated group'}`;
    case 'CreateVpcEndpoint':
      return action.endpointType === 'Interface'
        ? `create ${action.service} endpoint in ${action.subnetIds.join(', ')} (private DNS on)`
        : `create ${action.service} gateway endpoint on ${action.routeTableIds.join(', ')}`;
    case 'ModifyVpcEndpoint': {
      const parts = [
        action.addSubnetIds.length ? `add subnets ${action.addSubnetIds.join(', ')}` : '',
        action.enablePrivateDns ? 'enable private DNS' : '',
        action.addSecurityGroup ? 'attach the dedicated security group' : '',
      ].filter(Boolean);
      return `modify ${action.service} endpoint ${action.endpointId}: ${parts.join(', ')}`;
    }
    case 'AddGatewayRoutes':
      return `add ${action.routeTableIds.join(', ')} to ${action.service} gateway endpoint ${action.endpointId}`;
    case 'RestartEcsAgent':
      return `restart the ECS agent on ${action.instances.map((i) => i.ec2InstanceId).join(', ')} after ${action.dependsOn.join(', ')} are available`;
    case 'UpdateContainerAgent':
      return `update the ECS agent on ${action.instance.ec2InstanceId}`;
    default:
      return assertNever(action, 'action');
  }
}

const usd = (n: number) => `USD ${n.toFixed(2)}`;

/** Human report of a plan: per VPC its mode, findings, actions with reasons, and cost. */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [`Region ${plan.region}: ${plan.vpcs.length} VPC(s)`];
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  for (const vpc of plan.vpcs) {
    lines.push('', `VPC ${vpc.vpcId} [${vpc.mode}]`);
    if (vpc.mode === 'off') {
      lines.push('  off: not checked');
      continue;
    }
    if (vpc.findings.length === 0 && vpc.actions.length === 0) {
      lines.push('  no drift');
      continue;
    }
    for (const f of vpc.findings) {
      lines.push(
        `  ${f.severity.toUpperCase().padEnd(8)} ${f.code}${f.service ? ` (${f.service})` : ''}: ${f.message}`,
      );
      if (f.advice) lines.push(`           advice: ${f.advice}`);
    }
    const verb = vpc.mode === 'enforce' ? 'will' : 'would (audit: not applied)';
    vpc.actions.forEach((a, i) => {
      lines.push(`  ${String(i + 1).padStart(2)}. ${verb} ${describeAction(a)}`);
      lines.push(`      because ${a.reason}`);
    });
    if (vpc.estimatedMonthlyCostUsd > 0) lines.push(`  cost: +${usd(vpc.estimatedMonthlyCostUsd)} a month`);
  }
  lines.push('', `Estimated cost of the new endpoint-AZs: +${usd(plan.estimatedMonthlyCostUsd)} a month`);
  return lines.join('\n');
}

/** Human report of an apply: each action's outcome. */
export function formatApplyReport(report: ApplyReport): string {
  const lines = [`Applied in ${report.region}: ${report.writeCalls} write call(s)`];
  for (const o of report.outcomes) {
    switch (o.status) {
      case 'applied':
        lines.push(
          `  applied  ${o.actionId}${o.resourceId ? ` -> ${o.resourceId}` : ''}${o.detail ? ` (${o.detail})` : ''}`,
        );
        break;
      case 'skipped':
        lines.push(`  skipped  ${o.actionId}: ${o.why}`);
        break;
      case 'failed':
        lines.push(`  FAILED   ${o.actionId}: ${o.error}`);
        break;
      default:
        assertNever(o, 'outcome');
    }
  }
  if (report.stoppedAtMaxChanges)
    lines.push('  stopped: the change cap (--max-changes) was reached; run again to continue');
  lines.push(report.converged ? 'Converged.' : 'Not converged: see the failures above.');
  return lines.join('\n');
}
