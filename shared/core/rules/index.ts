import { agentRestartRule } from './agent-restart.js';
import { agentsRule } from './agents.js';
import { azCoverageRule } from './az-coverage.js';
import { centralZoneRule } from './central-zone.js';
import { endpointPolicyRule } from './endpoint-policy.js';
import { endpointPresenceRule } from './endpoint-presence.js';
import { endpointPrivateDnsRule } from './endpoint-private-dns.js';
import { gatewayRoutesRule } from './gateway-routes.js';
import { naclRule } from './nacl.js';
import { resolverRulesRule } from './resolver-rules.js';
import type { Rule } from './rule.js';
import { securityGroupRule } from './security-group.js';
import { vpcDnsRule } from './vpc-dns.js';

/**
 * The planner's rules, in order. Each finding code comes from exactly one of them. The order fixes
 * how findings read (the adjacent `service` rules' findings service by service, in this order within
 * a service; the repairs of one endpoint are merged in this order too) and what a rule sees of the
 * others: a rule's `earlier` is the drafts of the rules above it. So the security group rule stays
 * below endpoint presence (it sees the endpoints being created), and the agent rules stay last (they
 * see every endpoint this plan changes). The order actions run in is plan.ts's ACTION_STEPS, not this.
 */
export const RULES: readonly Rule[] = [
  { name: 'vpc-dns', scope: 'vpc', check: vpcDnsRule },
  { name: 'resolver-rules', scope: 'vpc', check: resolverRulesRule },
  { name: 'central-zone', scope: 'vpc', check: centralZoneRule },
  { name: 'endpoint-presence', scope: 'service', check: endpointPresenceRule },
  { name: 'gateway-routes', scope: 'service', check: gatewayRoutesRule },
  { name: 'az-coverage', scope: 'service', check: azCoverageRule },
  { name: 'endpoint-private-dns', scope: 'service', check: endpointPrivateDnsRule },
  { name: 'security-group', scope: 'service', check: securityGroupRule },
  { name: 'endpoint-policy', scope: 'service', check: endpointPolicyRule },
  { name: 'nacl', scope: 'vpc', check: naclRule },
  { name: 'agents', scope: 'vpc', check: agentsRule },
  { name: 'agent-restart', scope: 'vpc', check: agentRestartRule },
];
