/**
 * Idempotence on the emulator: for generated seeds, a random-but-valid drifted enforce VPC is built
 * on the emulator, then plan → apply → plan. The second plan must have nothing left to do (no
 * finding at all: the container instances are SSM-managed with current agents, and an agent the drift
 * disconnected is restarted through SSM and reconnects) and each required service exactly one live
 * endpoint; a third apply must write nothing.
 */
import { DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../../shared/app/remediator.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { publishRestartDocument } from '../../scripts/seed/builders.js';
import { resetEmulator } from '../support/emulator.js';
import { randomVpcSpec, seedRandomVpc } from '../support/random-vpc.js';
import { EMULATOR_APPLY_CONFIG } from '../support/emulator-config.js';

/** Fixed seeds (see RELIABILITY.md); extend with IDEMPOTENCE_SEEDS=1,2,3. */
export const IDEMPOTENCE_SEEDS = (process.env.IDEMPOTENCE_SEEDS ?? '101,202,303,404,505,606,707,808,909,1010')
  .split(',')
  .map(Number);

const config = EMULATOR_APPLY_CONFIG;

async function liveEndpointsByService(clients: AwsClients, vpcId: string): Promise<Map<string, number>> {
  const { VpcEndpoints = [] } = await clients.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const counts = new Map<string, number>();
  for (const e of VpcEndpoints) {
    if (['deleted', 'deleting'].includes(String(e.State).toLowerCase())) continue;
    const service = String(e.ServiceName).replace(/^com\.amazonaws\.[a-z0-9-]+\./, '');
    counts.set(service, (counts.get(service) ?? 0) + 1);
  }
  return counts;
}

async function defaultGroupRules(clients: AwsClients, vpcId: string): Promise<string> {
  const { SecurityGroups = [] } = await clients.ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  return JSON.stringify(SecurityGroups.map((g) => [g.GroupId, g.IpPermissions, g.IpPermissionsEgress]));
}

/** Action kinds (and what ModifyVpcEndpoint repaired) the seeds exercised, checked at the end. */
const exercised = new Map<string, number>();

describe(`apply is idempotent on the emulator (seeds ${IDEMPOTENCE_SEEDS.join(', ')})`, () => {
  it.each(IDEMPOTENCE_SEEDS)('seed %i: plan → apply → plan leaves nothing to do', async (seed) => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    // As a deployment does: the restart document the agent restarts run.
    await publishRestartDocument(clients.ssm, config.restartDocumentName);
    const spec = randomVpcSpec(seed);
    const { vpcId } = await seedRandomVpc(clients, spec);
    const deps: RemediatorDeps = { ports: createRemediatorPorts(clients), config };
    const defaultBefore = await defaultGroupRules(clients, vpcId);

    const first = await planRegion(deps, { vpcIds: [vpcId] });
    const firstVpc = first.vpcs[0];
    // Every generated VPC has drift (at least: the endpoints it lacks).
    expect(firstVpc?.actions.length).toBeGreaterThan(0);
    for (const action of firstVpc?.actions ?? []) {
      const key =
        action.kind === 'ModifyVpcEndpoint'
          ? `ModifyVpcEndpoint(${action.addSubnetIds.length ? 'subnets' : ''}${action.addSecurityGroup ? '+group' : ''})`
          : action.kind;
      exercised.set(key, (exercised.get(key) ?? 0) + 1);
    }
    const report = await applyRegionPlan(deps, first);
    const failures = report.outcomes.filter((o) => o.status === 'failed');
    expect({ seed, spec, failures }).toEqual({ seed, spec, failures: [] });
    expect(report.converged).toBe(true);

    const second = await planRegion(deps, { vpcIds: [vpcId] });
    const left = second.vpcs[0];
    expect({
      seed,
      findings: left?.findings.map((f) => f.code),
      actions: left?.actions,
    }).toEqual({ seed, findings: [], actions: [] });

    // Exactly one live endpoint per service, and every service the first plan created exists.
    const live = await liveEndpointsByService(clients, vpcId);
    for (const [service, count] of live) expect([seed, service, count]).toEqual([seed, service, 1]);
    for (const action of firstVpc?.actions ?? []) {
      if (action.kind === 'CreateVpcEndpoint') expect(live.get(action.service)).toBe(1);
    }
    expect(await defaultGroupRules(clients, vpcId)).toBe(defaultBefore);

    const third = await applyRegionPlan(deps, await planRegion(deps, { vpcIds: [vpcId] }));
    expect(third.writeCalls).toBe(0);
  });

  it('the seeds together exercised every repair the emulator can show', () => {
    console.log(`idempotence seeds exercised: ${JSON.stringify(Object.fromEntries(exercised))}`);
    const kinds = new Set([...exercised.keys()].map((k) => k.replace(/\(.*$/, '')));
    expect([...kinds].sort()).toEqual(
      [
        'AddGatewayRoutes',
        'AuthorizeHttpsIngress',
        'CreateSecurityGroup',
        'CreateVpcEndpoint',
        'EnableVpcDnsAttribute',
        'ModifyVpcEndpoint',
        'RestartEcsAgent',
      ].sort(),
    );
    expect([...exercised.keys()]).toContainEqual(expect.stringContaining('subnets'));
    expect([...exercised.keys()]).toContainEqual(expect.stringContaining('group'));
  });
});
