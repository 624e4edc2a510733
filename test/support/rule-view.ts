/**
 * Table tests of single planner rules: a VpcView of the healthy fixture VPC (every service required,
 * all three AZs, the subnets' CIDRs as clients) with one tweak, and short summaries of what a rule
 * returned so a failing row prints what it saw.
 */
import type {
  DesiredVpc,
  EndpointServiceOffer,
  ObservedEndpoint,
  ObservedVpc,
  ServiceName,
} from '../../shared/core/domain.js';
import { SERVICE_NAMES } from '../../shared/core/domain.js';
import type { RuleDraft, RuleResult } from '../../shared/core/rules/rule.js';
import { vpcView, type PlanOptions, type VpcView } from '../../shared/core/rules/vpc-view.js';
import { AZS, MANAGED, SG_NAME, healthyVpc, region } from './fixtures.js';

export const HEALTHY = healthyVpc();

/** What the healthy VPC needs: every service, every AZ, its workload subnets as clients. */
export function desiredFor(vpc: ObservedVpc, overrides: Partial<DesiredVpc> = {}): DesiredVpc {
  return {
    vpcId: vpc.vpcId,
    mode: 'enforce',
    services: new Map(SERVICE_NAMES.map((s) => [s, `${s} is needed`])),
    requiredAzs: [...AZS],
    clientCidrs: vpc.subnets.map((s) => s.cidrBlock),
    restartNeedsSsmEndpoints: false,
    enclosedWorkloadSubnetIds: [],
    ...overrides,
  };
}

export interface ViewTweak {
  readonly vpc?: Partial<ObservedVpc>;
  readonly desired?: Partial<DesiredVpc>;
  readonly offers?: readonly EndpointServiceOffer[];
  readonly options?: Partial<PlanOptions>;
}

export function viewOf(tweak: ViewTweak = {}): VpcView {
  const vpc = healthyVpc(1, tweak.vpc);
  const observed = region([vpc], tweak.offers ? { endpointServices: [...tweak.offers] } : {});
  return vpcView(desiredFor(vpc, tweak.desired), vpc, observed, {
    securityGroupName: SG_NAME,
    managedTagKey: MANAGED,
    ...tweak.options,
  });
}

/** Only these services required (in this order). */
export function only(...services: ServiceName[]): Pick<DesiredVpc, 'services'> {
  return { services: new Map(services.map((s) => [s, `${s} is needed`])) };
}

/** The healthy endpoints, those of the named services with the given fields changed. */
export function endpointsWith(
  ...changes: (Partial<ObservedEndpoint> & { service: ServiceName })[]
): ObservedEndpoint[] {
  return HEALTHY.endpoints.map((e) => {
    const change = changes.find((c) => c.service === e.service);
    return change ? { ...e, ...change } : e;
  });
}

export function endpointsWithout(...services: ServiceName[]): ObservedEndpoint[] {
  return HEALTHY.endpoints.filter((e) => !services.includes(e.service as ServiceName));
}

/** `CODE:service` or `CODE` per finding. */
export const codes = (r: RuleResult): string[] =>
  r.findings.map((f) => (f.service ? `${f.code}:${f.service}` : f.code));

/** `Kind:service` or `Kind` per draft. */
export const kinds = (r: RuleResult | readonly RuleDraft[]): string[] =>
  ('drafts' in r ? r.drafts : r).map((d) => ('service' in d ? `${d.kind}:${d.service}` : d.kind));
