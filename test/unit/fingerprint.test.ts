/**
 * Fingerprints of what each action depends on: stable across list order, changed by the
 * state the action relies on, unchanged by state elsewhere.
 */
import { CORE_DEFAULTS as defaultConfig } from '../support/core-config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedRegion, ObservedVpc } from '../../shared/core/domain.js';
import { actionFingerprint, changedActions, planFingerprints } from '../../shared/core/fingerprint.js';
import { plan } from '../../shared/core/plan.js';
import { healthyVpc, region } from '../support/fixtures.js';

const config = defaultConfig;

function planOf(observed: ObservedRegion) {
  const desired = deriveDesired(observed, config).vpcs;
  const p = plan(desired, observed, {
    securityGroupName: config.endpointSecurityGroupName,
    managedTagKey: config.managedTagKey,
  });
  return { p, context: { observed, desired } };
}

/** VPC 1 with drift: ecs-telemetry missing, DNS hostnames off. VPC 2 healthy. */
function drifted(overrides: Partial<ObservedVpc> = {}): ObservedRegion {
  const vpc = healthyVpc(1);
  return region([
    {
      ...vpc,
      enableDnsHostnames: false,
      endpoints: vpc.endpoints.filter((e) => e.service !== 'ecs-telemetry'),
      ...overrides,
    },
    healthyVpc(2),
  ]);
}

const actions = (p: ReturnType<typeof planOf>['p']) => p.vpcs.flatMap((v) => v.actions);

it('is the same for the same state, whatever the order of lists (plans carry no clock)', () => {
  const first = planOf(drifted());
  const vpc = drifted().vpcs[0] as ObservedVpc;
  const shuffled = drifted({
    subnets: [...vpc.subnets].reverse(),
    endpoints: [...vpc.endpoints].reverse(),
    securityGroups: [...vpc.securityGroups].reverse(),
  });
  const later = planOf(shuffled);
  expect(actions(first.p).length).toBeGreaterThan(0);
  expect(planFingerprints(first.p, first.context)).toEqual(planFingerprints(first.p, later.context));
  expect(changedActions(actions(first.p), planFingerprints(first.p, first.context), later.context)).toEqual(
    [],
  );
});

it('changes for exactly the actions whose dependencies changed', () => {
  const { p, context } = planOf(drifted());
  const saved = planFingerprints(p, context);
  // Someone enables DNS hostnames by hand; VPC 2 gains an unrelated tag.
  const now = drifted({ enableDnsHostnames: true });
  const changed = changedActions(actions(p), saved, {
    observed: {
      ...now,
      vpcs: [
        now.vpcs[0] as ObservedVpc,
        { ...(now.vpcs[1] as ObservedVpc), tags: { team: 'x', 'ecs-endpoint-remediator:mode': 'enforce' } },
      ],
    },
    desired: deriveDesired(now, config).vpcs,
  });
  expect(changed.map((a) => a.kind)).toEqual(['EnableVpcDnsAttribute']);
});

it('changes when an endpoint to create now exists, or when the VPC leaves enforce', () => {
  const { p, context } = planOf(drifted());
  const create = actions(p).find((a) => a.kind === 'CreateVpcEndpoint');
  expect(create).toBeDefined();
  if (!create) return;
  const before = actionFingerprint(create, context);
  const created = region([healthyVpc(1, { enableDnsHostnames: false }), healthyVpc(2)]);
  expect(
    actionFingerprint(create, { observed: created, desired: deriveDesired(created, config).vpcs }),
  ).not.toBe(before);
  const audit = drifted({ tags: { 'ecs-endpoint-remediator:mode': 'audit' } });
  expect(actionFingerprint(create, { observed: audit, desired: deriveDesired(audit, config).vpcs })).not.toBe(
    before,
  );
  const gone = region([healthyVpc(2)]);
  expect(actionFingerprint(create, { observed: gone, desired: deriveDesired(gone, config).vpcs })).not.toBe(
    before,
  );
});
