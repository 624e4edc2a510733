/**
 * The endpoint policy rule alone: a custom policy on an ECS endpoint (which does not support
 * policies) is reported with advice, never reset; the default full-access policy in its usual
 * spellings is not custom.
 */
import { endpointPolicyRule, isCustomPolicy } from '../../../../shared/core/rules/endpoint-policy.js';
import { codes, endpointsWith, viewOf } from '../../../support/rule-view.js';

const FULL = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
const doc = (statement: unknown) => JSON.stringify({ Statement: statement });

describe('endpoint-policy rule', () => {
  it.each<[string, string | undefined, boolean]>([
    ['no document', undefined, false],
    ['empty document', '', false],
    ['the default full-access policy', doc([FULL]), false],
    ['full access as a single statement object', doc(FULL), false],
    ['principal {"AWS": "*"}', doc([{ ...FULL, Principal: { AWS: '*' } }]), false],
    [
      'principal {"AWS": ["*"]}, action ["*"], resource ["*"]',
      doc([{ ...FULL, Principal: { AWS: ['*'] }, Action: ['*'], Resource: ['*'] }]),
      false,
    ],
    ['Deny', doc([{ ...FULL, Effect: 'Deny' }]), true],
    ['a narrower action', doc([{ ...FULL, Action: 'ecs:*' }]), true],
    ['two actions', doc([{ ...FULL, Action: ['*', 'ecs:*'] }]), true],
    ['a narrower resource', doc([{ ...FULL, Resource: 'arn:aws:ecs:us-east-1:123456789012:*' }]), true],
    ['a named principal', doc([{ ...FULL, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }]), true],
    [
      'a list of principals',
      doc([
        {
          ...FULL,
          Principal: { AWS: ['*', 'arn:aws:iam::123456789012:root'] },
        },
      ]),
      true,
    ],
    ['no principal', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }]), true],
    ['a condition', doc([{ ...FULL, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }]), true],
    ['two statements', doc([FULL, FULL]), true],
    ['no statement', JSON.stringify({}), true],
    ['not JSON', '{not json', true],
  ])('%s: custom %s', (_name, document, custom) => {
    expect({ document, custom: isCustomPolicy(document) }).toEqual({
      document,
      custom,
    });
  });

  it.each<[string, Parameters<typeof endpointsWith>, string[]]>([
    [
      'ECS endpoints with custom policies: reported',
      [
        {
          service: 'ecs-agent',
          policyDocument: doc([{ ...FULL, Effect: 'Deny' }]),
        },
        { service: 'ecs', policyDocument: '{' },
      ],
      ['ENDPOINT_POLICY_UNSUPPORTED:ecs-agent', 'ENDPOINT_POLICY_UNSUPPORTED:ecs'],
    ],
    [
      'other services may have policies',
      [{ service: 'logs', policyDocument: doc([{ ...FULL, Effect: 'Deny' }]) }],
      [],
    ],
    ['a waiting endpoint is not checked', [{ service: 'ecs', state: 'pending', policyDocument: '{' }], []],
    ['the default policy: nothing', [{ service: 'ecs', policyDocument: doc([FULL]) }], []],
  ])('%s', (_name, changes, expected) => {
    const result = endpointPolicyRule(viewOf({ vpc: { endpoints: endpointsWith(...changes) } }));
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expected,
      drafts: [],
    });
  });

  it('advises resetting the policy and IAM instead', () => {
    const result = endpointPolicyRule(
      viewOf({
        vpc: {
          endpoints: endpointsWith({
            service: 'ecs-telemetry',
            policyDocument: '{',
          }),
        },
      }),
    );
    expect(result.findings).toEqual([
      {
        code: 'ENDPOINT_POLICY_UNSUPPORTED',
        severity: 'medium',
        service: 'ecs-telemetry',
        resourceId: 'vpce-1ecstelemetry',
        message:
          'ecs-telemetry endpoint vpce-1ecstelemetry has a custom policy; ECS endpoints do not support endpoint policies',
        advice:
          'Reset the endpoint policy to full access (ModifyVpcEndpoint --reset-policy); control access with IAM instead',
      },
    ]);
  });
});
