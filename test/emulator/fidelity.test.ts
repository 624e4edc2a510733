import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { emulatorEndpoint } from '../support/emulator.js';
import { markDeliberate } from '../support/deliberate.js';
import { runFidelityGuard } from '../support/fidelity-guard.js';

/** The guard's `--json` report (emulator/fidelity.py). */
interface Finding {
  where: string;
  operation: string;
  reasons: string[];
}
interface GuardReport {
  requests: number;
  operations: Record<string, number>;
  invalid: Finding[];
  unknown: Finding[];
  unvalidated: Finding[];
  deliberate: Record<string, number>;
  responses: number;
  invalidResponses: Finding[];
  invalidMotoResponses: Finding[];
  summary: string;
}

type Entry = Record<string, unknown>;

function guard(dir: string): { status: number | null; report: GuardReport } {
  const run = runFidelityGuard(dir, ['--json']);
  const json = run.output.slice(run.output.indexOf('{'));
  return { status: run.status, report: JSON.parse(json) as GuardReport };
}

function writeCases(cases: Record<string, Entry>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-test-'));
  for (const [name, entry] of Object.entries(cases)) {
    writeFileSync(join(dir, `${name}.jsonl`), `${JSON.stringify(entry)}\n`);
  }
  return dir;
}

const INSTANCE = 'i-0123456789abcdef0';

function route53(
  method: string,
  path: string,
  query: Record<string, string[]>,
  bodyText = '',
  response?: Entry,
): Entry {
  return {
    service: 'route53',
    region: 'us-east-1',
    action: '',
    protocol: 'rest',
    method,
    path,
    query,
    headers: {},
    bodyText,
    response: response ?? { status: 200, answeredBy: 'moto', bodyText: '', headers: {} },
  };
}

function securityhub(path: string, body: Entry): Entry {
  return {
    service: 'securityhub',
    region: 'us-east-1',
    action: '',
    protocol: 'rest',
    method: 'POST',
    path,
    query: {},
    headers: { 'content-type': 'application/json' },
    bodyText: JSON.stringify(body),
    response: { status: 200, answeredBy: 'moto', bodyText: '{}', headers: {} },
  };
}

function ssm(action: string, body: Entry, response?: Entry): Entry {
  return {
    service: 'ssm',
    region: 'us-east-1',
    action,
    protocol: 'json',
    target: `AmazonSSM.${action}`,
    body,
    response: response ?? { status: 200, answeredBy: 'moto', body: {} },
  };
}

function ec2(action: string, params: Record<string, string>, response?: Entry): Entry {
  return {
    service: 'ec2',
    region: 'us-east-1',
    action,
    protocol: 'query',
    params: { Action: action, Version: '2016-11-15', ...params },
    response: response ?? { status: 200, answeredBy: 'moto' },
  };
}

const validSendCommand = {
  DocumentName: 'EcsEndpointRemediator-RestartEcsAgent',
  InstanceIds: [INSTANCE],
  MaxConcurrency: '10%',
  MaxErrors: '0',
  Comment: 'restart ECS agent after endpoint repair',
  Parameters: { platform: ['linux'] },
};

const invocation = {
  CommandId: '0b7c4e2a-9d1f-4a38-b6e5-3c2d1f0e9a8b',
  InstanceId: INSTANCE,
  Status: 'Success',
  StatusDetails: 'Success',
  ResponseCode: 0,
};

const describeEndpointsXml = (state: string, extra = ''): string =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' +
  '<requestId>r-1</requestId><vpcEndpointSet><item><vpcEndpointId>vpce-1</vpcEndpointId>' +
  `<state>${state}</state><privateDnsEnabled>true</privateDnsEnabled>${extra}` +
  '<subnetIdSet><item>subnet-1</item></subnetIdSet></item></vpcEndpointSet></DescribeVpcEndpointsResponse>';

const CASES: Record<string, Entry> = {
  // valid: nothing reported
  'valid-ssm-send-command': ssm('SendCommand', validSendCommand),
  'valid-ec2-create-endpoint': ec2('CreateVpcEndpoint', {
    VpcId: 'vpc-1',
    ServiceName: 'com.amazonaws.us-east-1.ecs-agent',
    VpcEndpointType: 'Interface',
    'SubnetId.1': 'subnet-1',
    'SubnetId.2': 'subnet-2',
    'SecurityGroupId.1': 'sg-1',
    PrivateDnsEnabled: 'true',
    ClientToken: 'token',
    'TagSpecification.1.ResourceType': 'vpc-endpoint',
    'TagSpecification.1.Tag.1.Key': 'ecs-endpoint-remediator:managed',
    'TagSpecification.1.Tag.1.Value': 'true',
  }),
  'valid-ec2-describe-subnets': ec2('DescribeSubnets', {
    'Filter.1.Name': 'vpc-id',
    'Filter.1.Value.1': 'vpc-1',
    'Filter.1.Value.2': 'vpc-2',
    MaxResults: '1000',
  }),
  'valid-synthesized-invocation': ssm(
    'GetCommandInvocation',
    { CommandId: invocation.CommandId, InstanceId: INSTANCE },
    {
      status: 200,
      answeredBy: 'filter',
      body: invocation,
    },
  ),
  'valid-synthesized-ec2-xml': ec2(
    'DescribeVpcEndpoints',
    {},
    {
      status: 200,
      answeredBy: 'filter',
      xml: describeEndpointsXml('available'),
    },
  ),
  // invalid requests
  'missing-required': ssm('SendCommand', { InstanceIds: [INSTANCE] }),
  'wrong-enum': {
    service: 'ecs',
    region: 'us-east-1',
    action: 'ListContainerInstances',
    protocol: 'json',
    target: 'AmazonEC2ContainerServiceV20141113.ListContainerInstances',
    body: { cluster: 'default', status: 'RUNNING' },
    response: { status: 200, answeredBy: 'moto', body: {} },
  },
  'too-many-instances': ssm('SendCommand', {
    ...validSendCommand,
    InstanceIds: Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`),
  }),
  'bad-max-concurrency': ssm('SendCommand', { ...validSendCommand, MaxConcurrency: '0' }),
  'unknown-member': ssm('SendCommand', { ...validSendCommand, InstanceId: INSTANCE }),
  'wrong-ec2-flat-key': ec2('CreateVpcEndpoint', {
    VpcId: 'vpc-1',
    ServiceName: 'com.amazonaws.us-east-1.ecs',
    'SubnetIds.1': 'subnet-1',
  }),
  'ec2-list-gap': ec2('DescribeVpcEndpoints', { 'VpcEndpointId.1': 'vpce-1', 'VpcEndpointId.3': 'vpce-3' }),
  'ec2-not-a-boolean': ec2('ModifyVpcEndpoint', { VpcEndpointId: 'vpce-1', PrivateDnsEnabled: 'yes' }),
  'unknown-operation': ec2('DescribeVpc', {}),
  'cbor-protocol': {
    service: 'monitoring',
    region: 'us-east-1',
    action: '',
    protocol: 'rpc-v2-cbor',
    method: 'POST',
    path: '/service/GraniteServiceVersion20100801/operation/PutMetricData',
  },
  // REST protocols: Route 53 (rest-xml), Security Hub (rest-json)
  'valid-route53-zones-by-vpc': route53(
    'GET',
    '/2013-04-01/hostedzonesbyvpc',
    { vpcid: ['vpc-1'], vpcregion: ['us-east-1'] },
    '',
    {
      status: 200,
      answeredBy: 'filter',
      bodyText:
        '<ListHostedZonesByVPCResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZoneSummaries>' +
        '<HostedZoneSummary><HostedZoneId>Z1</HostedZoneId><Name>ecs.us-east-1.amazonaws.com.</Name>' +
        '<Owner><OwningAccount>123456789012</OwningAccount></Owner></HostedZoneSummary></HostedZoneSummaries>' +
        '<MaxItems>100</MaxItems></ListHostedZonesByVPCResponse>',
    },
  ),
  'valid-securityhub-get-findings': securityhub('/findings', {
    MaxResults: 100,
    Filters: { RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] },
  }),
  'route53-missing-query-member': route53('GET', '/2013-04-01/hostedzonesbyvpc', { vpcid: ['vpc-1'] }),
  'route53-unknown-element': route53(
    'POST',
    '/2013-04-01/hostedzone/Z1/associatevpc',
    {},
    '<AssociateVPCWithHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
      '<VPC><VPCId>vpc-1</VPCId><VPCRegion>us-east-1</VPCRegion></VPC><Extra/></AssociateVPCWithHostedZoneRequest>',
  ),
  'route53-unknown-query-parameter': route53('GET', '/2013-04-01/hostedzone/Z1/rrset', {
    maxitems: ['300'],
    bogus: ['1'],
  }),
  'securityhub-too-many-findings': securityhub('/findings/import', {
    Findings: Array.from({ length: 101 }, () => ({})),
  }),
  'securityhub-no-route': { ...securityhub('/findings', {}), method: 'GET', path: '/nothing' },
  'synthesized-route53-unknown-element': route53('GET', '/2013-04-01/hostedzone/Z1', {}, '', {
    status: 200,
    answeredBy: 'filter',
    bodyText:
      '<GetHostedZoneResponse><HostedZone><Id>/hostedzone/Z1</Id><Name>a.</Name><CallerReference>x</CallerReference>' +
      '<Color>blue</Color></HostedZone></GetHostedZoneResponse>',
  }),
  // marked deliberate by a test: counted apart, not checked
  deliberate: { ...ssm('SendCommand', { InstanceIds: [INSTANCE] }), deliberate: 'bad-input test' },
  // invalid replies
  'synthesized-bad-status': ssm(
    'GetCommandInvocation',
    { CommandId: invocation.CommandId, InstanceId: INSTANCE },
    {
      status: 200,
      answeredBy: 'filter',
      body: { ...invocation, Status: 'Done' },
    },
  ),
  'synthesized-unknown-xml-element': ec2(
    'DescribeVpcEndpoints',
    {},
    {
      status: 200,
      answeredBy: 'filter',
      xml: describeEndpointsXml('available', '<agentState>up</agentState>'),
    },
  ),
  'moto-bad-reply': ssm(
    'GetCommandInvocation',
    { CommandId: invocation.CommandId, InstanceId: INSTANCE },
    {
      status: 200,
      answeredBy: 'moto',
      body: { ...invocation, ResponseCode: 'zero' },
    },
  ),
};

function reasonsFor(findings: Finding[], name: string): string[] {
  return findings.filter((f) => f.where.startsWith(`${name}.jsonl:`)).flatMap((f) => f.reasons);
}

describe('the fidelity guard (emulator/fidelity.py) on crafted records', () => {
  let dir: string;
  let result: { status: number | null; report: GuardReport };
  beforeAll(() => {
    dir = writeCases(CASES);
    result = guard(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes the valid requests and replies', () => {
    for (const name of Object.keys(CASES).filter((n) => n.startsWith('valid-'))) {
      expect([name, reasonsFor(result.report.invalid, name)]).toEqual([name, []]);
      expect([name, reasonsFor(result.report.invalidResponses, name)]).toEqual([name, []]);
    }
  });

  it.each([
    ['missing-required', /DocumentName: required member of SendCommandRequest missing/],
    ['wrong-enum', /status: 'RUNNING' is not one of ContainerInstanceStatus's values/],
    ['too-many-instances', /InstanceIds: 51 items, InstanceIdList takes at most 50/],
    ['bad-max-concurrency', /MaxConcurrency: "0" does not match MaxConcurrency's pattern/],
    ['unknown-member', /InstanceId: unknown member of SendCommandRequest/],
    ['wrong-ec2-flat-key', /SubnetIds\.1: no member of the input shape is serialized as this field/],
    ['ec2-list-gap', /VpcEndpointId: list positions \[1, 3\] are not 1\.\.2/],
    ['ec2-not-a-boolean', /PrivateDnsEnabled: 'yes' is not a boolean/],
    ['route53-missing-query-member', /VPCRegion: required member of ListHostedZonesByVPCRequest missing/],
    ['route53-unknown-element', /Extra: unknown element of AssociateVPCWithHostedZoneRequest/],
    [
      'route53-unknown-query-parameter',
      /query parameter 'bogus': no member of ListResourceRecordSetsRequest/,
    ],
    ['securityhub-too-many-findings', /Findings: 101 items, .* takes at most 100/],
  ])('rejects the request %s', (name, reason) => {
    expect(reasonsFor(result.report.invalid, name)).toEqual(
      expect.arrayContaining([expect.stringMatching(reason)]),
    );
  });

  it('reports an operation the model does not have or a protocol it cannot read, and fails the run', () => {
    expect(reasonsFor(result.report.unknown, 'unknown-operation')).toEqual(["ec2 has no 'DescribeVpc'"]);
    expect(reasonsFor(result.report.unknown, 'securityhub-no-route')).toEqual([
      'securityhub has no operation at GET /nothing',
    ]);
    expect(reasonsFor(result.report.unvalidated, 'cbor-protocol')).toEqual([
      'protocol rpc-v2-cbor: emulator/fidelity.py does not read it',
    ]);
    expect(result.status).toBe(1);
    expect(result.report.summary).toMatch(
      /^fidelity: [\d,]+ requests, \d+ operations, 12 invalid, 2 unknown/,
    );
  });

  it('counts a request marked deliberate apart instead of checking it', () => {
    expect(result.report.deliberate).toEqual({ 'bad-input test': 1 });
    expect(reasonsFor(result.report.invalid, 'deliberate')).toEqual([]);
  });

  it('rejects synthesized replies that do not fit the output shape (JSON and EC2 XML)', () => {
    expect(reasonsFor(result.report.invalidResponses, 'synthesized-bad-status')).toEqual([
      expect.stringMatching(/^Status: 'Done' is not one of CommandInvocationStatus's values/),
    ]);
    expect(reasonsFor(result.report.invalidResponses, 'synthesized-unknown-xml-element')).toEqual([
      'VpcEndpoints[0].agentState: unknown element of VpcEndpoint',
    ]);
    expect(reasonsFor(result.report.invalidResponses, 'synthesized-route53-unknown-element')).toEqual([
      'HostedZone.Color: unknown element of HostedZone',
    ]);
  });

  it("lists moto's own bad replies apart, without failing on them", () => {
    expect(reasonsFor(result.report.invalidMotoResponses, 'moto-bad-reply')).toEqual([
      'ResponseCode: expected an integer, got "zero"',
    ]);
    expect(reasonsFor(result.report.invalidResponses, 'moto-bad-reply')).toEqual([]);
    const onlyMoto = writeCases({ 'moto-bad-reply': CASES['moto-bad-reply'] as Entry });
    try {
      expect(guard(onlyMoto).status).toBe(0);
    } finally {
      rmSync(onlyMoto, { recursive: true, force: true });
    }
  });
});

describe('the emulator records real SDK calls (emulator/request_log.py)', () => {
  const recordDir = process.env.TEST_EMULATOR_RECORD_DIR ?? '';
  const config = {
    region: 'eu-west-1',
    endpoint: emulatorEndpoint(),
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };

  /** The lines the suite's emulators recorded so far that `match` picks. */
  function recorded(match: (entry: Entry) => boolean): Entry[] {
    return readdirSync(recordDir)
      .filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => readFileSync(join(recordDir, name), 'utf8').split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Entry)
      .filter(match);
  }

  it('is switched on for the suite by global setup', () => {
    expect(recordDir).not.toBe('');
  });

  it("writes one line per request, EC2's flat form fields and ECS's JSON body as sent, with the reply", async () => {
    const token = `fidelity-${randomUUID()}`;
    await new EC2Client(config).send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'tag:probe', Values: [token, 'second'] }] }),
    );
    await new ECSClient(config)
      .send(new ListContainerInstancesCommand({ cluster: token, status: 'ACTIVE' }))
      .catch(() => undefined); // the cluster does not exist: the request is still recorded

    const [describe, ...moreDescribes] = recorded(
      (e) => (e.params as Record<string, string> | undefined)?.['Filter.1.Value.1'] === token,
    );
    expect(moreDescribes).toEqual([]);
    expect(describe).toMatchObject({
      service: 'ec2',
      region: 'eu-west-1',
      action: 'DescribeSubnets',
      protocol: 'query',
      params: { Action: 'DescribeSubnets', 'Filter.1.Name': 'tag:probe', 'Filter.1.Value.2': 'second' },
      response: { status: 200, answeredBy: 'moto', xml: expect.stringContaining('<DescribeSubnetsResponse') },
    });
    const [list] = recorded((e) => (e.body as Record<string, unknown> | undefined)?.cluster === token);
    expect(list).toMatchObject({
      service: 'ecs',
      action: 'ListContainerInstances',
      protocol: 'json',
      target: 'AmazonEC2ContainerServiceV20141113.ListContainerInstances',
      body: { cluster: token, status: 'ACTIVE' },
    });

    const dir = mkdtempSync(join(tmpdir(), 'fidelity-live-'));
    try {
      writeFileSync(join(dir, 'live.jsonl'), `${JSON.stringify(describe)}\n${JSON.stringify(list)}\n`);
      const { status, report } = guard(dir);
      expect(report.invalid).toEqual([]);
      expect(report.operations).toEqual({ 'ec2:DescribeSubnets': 1, 'ecs:ListContainerInstances': 1 });
      expect(status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records a marked request as deliberate; the same request unmarked is invalid', async () => {
    const comment = `fidelity-${randomUUID()}`;
    const client = markDeliberate(new SSMClient(config), 'fidelity test: 51 instance ids');
    const tooMany = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await client
      .send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: tooMany,
          Comment: comment,
        }),
      )
      .catch(() => undefined); // whatever the emulator answers, the request is on record

    const [sent] = recorded((e) => (e.body as Record<string, unknown> | undefined)?.Comment === comment);
    expect(sent).toMatchObject({ deliberate: 'fidelity test: 51 instance ids', action: 'SendCommand' });

    const dir = mkdtempSync(join(tmpdir(), 'fidelity-live-'));
    try {
      const unmarked = { ...sent };
      delete unmarked.deliberate;
      writeFileSync(join(dir, 'marked.jsonl'), `${JSON.stringify(sent)}\n`);
      writeFileSync(join(dir, 'unmarked.jsonl'), `${JSON.stringify(unmarked)}\n`);
      const { report } = guard(dir);
      expect(report.deliberate).toEqual({ 'fidelity test: 51 instance ids': 1 });
      expect(report.invalid.map((f) => f.where)).toEqual(['unmarked.jsonl:1']);
      expect(report.invalid[0]?.reasons).toEqual(['InstanceIds: 51 items, InstanceIdList takes at most 50']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
