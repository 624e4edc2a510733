/**
 * applyWithVpcLeases: which VPCs take a lease, what a yielded VPC's report says, renewal while the
 * apply runs, and release even when the apply throws. In-memory store; the DynamoDB store has its
 * own tests on the emulator (test/integration/coordination-table.test.ts).
 */
import { jest } from '@jest/globals';
import {
  applyWithVpcLeases,
  InMemoryVpcLeaseStore,
  vpcsToWrite,
  type LeaseEvent,
} from '../../shared/app/vpc-leases.js';
import type { Action, ApplyReport, Plan, VpcPlan } from '../../shared/core/domain.js';

const T0 = 1_800_000_000_000;

function vpc(vpcId: string, mode: VpcPlan['mode'], apply: boolean[]): VpcPlan {
  const actions = apply.map(
    (a, i) =>
      ({
        id: `${vpcId}-a${i}`,
        kind: 'EnableVpcDnsHostnames',
        vpcId,
        apply: a,
        reason: 'r',
      }) as unknown as Action,
  );
  return { vpcId, mode, findings: [], actions, estimatedMonthlyCostUsd: 0 };
}

const plan = (vpcs: VpcPlan[]): Plan => ({
  region: 'us-east-1',
  vpcs,
  estimatedMonthlyCostUsd: 0,
  warnings: [],
});

function reportOf(p: Plan): ApplyReport {
  return {
    region: p.region,
    plan: p,
    outcomes: p.vpcs.flatMap((v) =>
      v.actions.map((a) => ({ status: 'applied' as const, actionId: a.id, kind: a.kind, vpcId: a.vpcId })),
    ),
    writeCalls: p.vpcs.reduce((n, v) => n + v.actions.length, 0),
    stoppedAtMaxChanges: false,
    converged: true,
    throttledRetries: 0,
  };
}

describe('vpcsToWrite', () => {
  it.each([
    ['enforce with an applicable action', vpc('vpc-a', 'enforce', [false, true]), ['vpc-a']],
    ['enforce, nothing applicable', vpc('vpc-b', 'enforce', [false]), []],
    ['enforce, no actions', vpc('vpc-c', 'enforce', []), []],
    ['audit with applicable actions', vpc('vpc-d', 'audit', [true]), []],
    ['off', vpc('vpc-e', 'off', [true]), []],
  ])('%s', (_name, v, expected) => {
    expect({ vpc: v.vpcId, leased: vpcsToWrite(plan([v])) }).toEqual({ vpc: v.vpcId, leased: expected });
  });
});

describe('applyWithVpcLeases', () => {
  const clock = { now: () => T0 };

  it('applies the VPCs it holds, skips the one another writer holds, and names the holder', async () => {
    const store = new InMemoryVpcLeaseStore();
    await store.acquire('vpc-held', 'runbook:e1', T0, 60_000);
    const seen: Plan[] = [];
    const events: LeaseEvent[] = [];
    const p = plan([vpc('vpc-mine', 'enforce', [true]), vpc('vpc-held', 'enforce', [true, true])]);
    const report = await applyWithVpcLeases(
      p,
      { store, owner: 'reconcile:x', durationMs: 30_000, onEvent: (e) => events.push(e) },
      clock,
      async (mine) => {
        seen.push(mine);
        return reportOf(mine);
      },
    );
    expect({
      applied: seen.map((s) => s.vpcs.map((v) => v.vpcId)),
      outcomes: report.outcomes.map((o) => [o.vpcId, o.status]),
      yielded: report.yielded,
      converged: report.converged,
      planIsTheWholePlan: report.plan === p,
      events,
    }).toEqual({
      applied: [['vpc-mine']],
      outcomes: [
        ['vpc-mine', 'applied'],
        ['vpc-held', 'skipped'],
        ['vpc-held', 'skipped'],
      ],
      yielded: [{ vpcId: 'vpc-held', holder: 'runbook:e1', untilMs: T0 + 60_000 }],
      converged: false,
      planIsTheWholePlan: true,
      events: [{ kind: 'yielded', vpcId: 'vpc-held', holder: 'runbook:e1', untilMs: T0 + 60_000 }],
    });
    const why = report.outcomes[1]?.status === 'skipped' ? report.outcomes[1].why : '';
    expect(why).toBe(
      `not applied: another writer (runbook:e1) holds this VPC's lease until ${new Date(T0 + 60_000).toISOString()}; it re-reads the VPC itself, and the next event or sweep re-plans it`,
    );
    // Its own lease is released; the other writer's is untouched.
    expect([
      (await store.acquire('vpc-mine', 'third', T0, 1)).kind,
      (await store.acquire('vpc-held', 'third', T0, 1)).kind,
    ]).toEqual(['acquired', 'held']);
  });

  it('with every VPC free, returns the apply report unchanged', async () => {
    const p = plan([vpc('vpc-1', 'enforce', [true])]);
    const expected = reportOf(p);
    const report = await applyWithVpcLeases(
      p,
      { store: new InMemoryVpcLeaseStore(), owner: 'o', durationMs: 30_000 },
      clock,
      async () => expected,
    );
    expect(report).toBe(expected);
  });

  it('releases its leases when the apply throws, and passes the error on', async () => {
    const store = new InMemoryVpcLeaseStore();
    const p = plan([vpc('vpc-1', 'enforce', [true])]);
    await expect(
      applyWithVpcLeases(p, { store, owner: 'o', durationMs: 30_000 }, clock, async () => {
        throw new Error('EC2 said no');
      }),
    ).rejects.toThrow('EC2 said no');
    expect((await store.acquire('vpc-1', 'next', T0, 1)).kind).toBe('acquired');
  });

  it('renews every third of the duration while the apply runs, and stops after', async () => {
    jest.useFakeTimers();
    try {
      const renewals: number[] = [];
      const store = new InMemoryVpcLeaseStore();
      const renew = store.renew.bind(store);
      store.renew = async (...args) => {
        renewals.push(Date.now());
        return renew(...args);
      };
      let finish: () => void = () => undefined;
      const p = plan([vpc('vpc-1', 'enforce', [true])]);
      const running = applyWithVpcLeases(p, { store, owner: 'o', durationMs: 30_000 }, clock, () => {
        return new Promise<ApplyReport>((resolve) => {
          finish = () => resolve(reportOf(p));
        });
      });
      await jest.advanceTimersByTimeAsync(35_000);
      const during = renewals.length;
      finish();
      await running;
      await jest.advanceTimersByTimeAsync(60_000);
      expect({ during, after: renewals.length }).toEqual({ during: 3, after: 3 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('says when a renewal is lost (another writer took over after the lease ran out)', async () => {
    jest.useFakeTimers();
    try {
      const events: LeaseEvent[] = [];
      const store = new InMemoryVpcLeaseStore();
      store.renew = async () => false;
      let finish: () => void = () => undefined;
      const p = plan([vpc('vpc-1', 'enforce', [true])]);
      const running = applyWithVpcLeases(
        p,
        { store, owner: 'o', durationMs: 3_000, onEvent: (e) => events.push(e) },
        clock,
        () =>
          new Promise<ApplyReport>((resolve) => {
            finish = () => resolve(reportOf(p));
          }),
      );
      await jest.advanceTimersByTimeAsync(1_000);
      finish();
      await running;
      expect(events).toEqual([{ kind: 'renewal-lost', vpcId: 'vpc-1' }]);
    } finally {
      jest.useRealTimers();
    }
  });
});
