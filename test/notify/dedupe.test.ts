import type { Finding, VpcPlan } from '../../shared/core/domain.js';
import {
  DriftAnnouncements,
  InMemoryAnnouncementStore,
  driftFingerprint,
} from '../../shared/notify/dedupe.js';

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    code: 'MISSING_ENDPOINT',
    severity: 'critical',
    vpcId: 'vpc-1',
    service: 'ecs-agent',
    message: 'ecs-agent endpoint is missing',
    ...overrides,
  };
}

function vpcPlan(findings: Finding[], overrides: Partial<VpcPlan> = {}): VpcPlan {
  return { vpcId: 'vpc-1', mode: 'enforce', findings, actions: [], estimatedMonthlyCostUsd: 0, ...overrides };
}

const missingAgent = finding();
const sgBlocks = finding({
  code: 'ENDPOINT_SG_BLOCKS_HTTPS',
  service: 'logs',
  resourceId: 'sg-1',
  message: 'sg-1 blocks 443',
});

describe('driftFingerprint', () => {
  it('does not depend on finding order, message text or duplicates', () => {
    const a = driftFingerprint(vpcPlan([missingAgent, sgBlocks]));
    const b = driftFingerprint(
      vpcPlan([
        { ...sgBlocks, message: 'reworded', severity: 'low' },
        missingAgent,
        { ...missingAgent, advice: 'x' },
      ]),
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['another code', [missingAgent, { ...sgBlocks, code: 'NACL_BLOCKS_HTTPS' as const }]],
    ['another resource', [missingAgent, { ...sgBlocks, resourceId: 'sg-2' }]],
    ['another service', [missingAgent, { ...sgBlocks, service: 'ssm' as const }]],
    ['a finding fewer', [missingAgent]],
  ])('changes with %s', (_label, findings) => {
    expect(driftFingerprint(vpcPlan(findings))).not.toBe(driftFingerprint(vpcPlan([missingAgent, sgBlocks])));
  });

  it('does not confuse fields that concatenate alike', () => {
    const one = finding({ service: undefined, resourceId: 'ecs|x' });
    const two = finding({ service: 'ecs', resourceId: 'x' });
    expect(driftFingerprint(vpcPlan([one]))).not.toBe(driftFingerprint(vpcPlan([two])));
  });
});

describe('DriftAnnouncements', () => {
  const windowMs = 60 * 60 * 1000;

  function announcements() {
    let now = 1_000_000;
    const store = new InMemoryAnnouncementStore();
    const subject = new DriftAnnouncements(store, windowMs, () => now);
    return { subject, store, advance: (ms: number) => (now += ms) };
  }

  it('announces the same drift once within the window', async () => {
    const { subject } = announcements();
    const fingerprint = driftFingerprint(vpcPlan([missingAgent]));
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(true);
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(false);
  });

  it('announces it again once the window has passed', async () => {
    const { subject, advance } = announcements();
    const fingerprint = driftFingerprint(vpcPlan([missingAgent]));
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(true);
    advance(windowMs - 1);
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(false);
    advance(1);
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(true);
    advance(10);
    expect(await subject.shouldAnnounce('vpc-1', fingerprint)).toBe(false);
  });

  it('announces a different drift, and the same drift in another VPC', async () => {
    const { subject, store } = announcements();
    const first = driftFingerprint(vpcPlan([missingAgent]));
    const second = driftFingerprint(vpcPlan([missingAgent, sgBlocks]));
    expect(await subject.shouldAnnounce('vpc-1', first)).toBe(true);
    expect(await subject.shouldAnnounce('vpc-1', second)).toBe(true);
    expect(await subject.shouldAnnounce('vpc-2', first)).toBe(true);
    expect(store.size).toBe(3);
  });

  it('refuses a negative window', () => {
    expect(() => new DriftAnnouncements(new InMemoryAnnouncementStore(), -1)).toThrow(RangeError);
  });
});
