import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { RESTART_STEPS } from '../../shared/apply/agent-restart.js';
import type { RestartParameters } from '../../shared/aws/restart-document.js';
import {
  RESTART_DOCUMENT_PATH,
  linuxScript,
  loadRestartDocument,
  windowsScript,
} from '../../shared/aws/restart-document.js';

const REPO = resolve(import.meta.dirname, '../..');
const FAKES = join(REPO, 'emulator/host-fakes');
const SHELLCHECK = join(REPO, '.venv/bin/shellcheck');
const METADATA_URL = 'http://localhost:51678/v1/metadata';
const INSTANCE_ARN =
  'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod-cluster/0123456789abcdef0123456789abcdef';

type FakeCommand = 'systemctl' | 'docker' | 'curl' | 'initctl' | 'stop' | 'start' | 'apiclient';

/** The only real tools on the script's PATH: anything else it calls must exist on every target host. */
const REAL_TOOLS = ['date', 'grep', 'sed', 'sleep'] as const;

interface Machine {
  readonly fakes: readonly FakeCommand[];
  /** Contents of os-release; absent file when undefined. */
  readonly osRelease?: string;
  readonly upstartJob?: boolean;
  readonly env?: Readonly<Record<string, string>>;
}

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Every fake invocation, in order, as "<command> <args>". */
  readonly calls: readonly string[];
}

const AMAZON_LINUX_2 = 'NAME="Amazon Linux"\nVERSION="2"\nID="amzn"\nID_LIKE="centos rhel fedora"\n';
const AMAZON_LINUX_2023 = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nID_LIKE="fedora"\n';
const AMAZON_LINUX_1 = 'NAME="Amazon Linux AMI"\nVERSION="2018.03"\nID="amzn"\nID_LIKE="rhel fedora"\n';
const BOTTLEROCKET = 'NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.20.0\nVARIANT_ID=aws-ecs-2';
const UBUNTU = 'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n';

const machines = {
  amazonLinux2: {
    fakes: ['systemctl', 'docker', 'curl'],
    osRelease: AMAZON_LINUX_2,
    env: { FAKE_SYSTEMD_UNITS: 'docker.service ecs.service', FAKE_DOCKER_CONTAINERS: 'ecs-agent' },
  },
  amazonLinux2023: {
    fakes: ['systemctl', 'docker', 'curl'],
    osRelease: AMAZON_LINUX_2023,
    env: { FAKE_SYSTEMD_UNITS: 'ecs.service', FAKE_DOCKER_CONTAINERS: 'ecs-agent' },
  },
  amazonLinux1: {
    fakes: ['initctl', 'stop', 'start', 'docker', 'curl'],
    osRelease: AMAZON_LINUX_1,
    upstartJob: true,
    env: { FAKE_DOCKER_CONTAINERS: 'ecs-agent' },
  },
  bottlerocketByOsRelease: { fakes: ['apiclient', 'curl'], osRelease: BOTTLEROCKET },
  bottlerocketControlContainer: { fakes: ['apiclient', 'curl'], osRelease: AMAZON_LINUX_2 },
  handRunContainer: {
    fakes: ['systemctl', 'docker', 'curl'],
    osRelease: UBUNTU,
    env: { FAKE_SYSTEMD_UNITS: 'docker.service', FAKE_DOCKER_CONTAINERS: 'ecs-agent' },
  },
} satisfies Record<string, Machine>;

let root: string;
let realTools: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'restart-ecs-agent-'));
  realTools = Object.fromEntries(REAL_TOOLS.map((tool) => [tool, which(tool)]));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function which(tool: string): string {
  const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  if (!isAbsolute(found)) throw new Error(`${tool} is needed on this machine to run the script`);
  return found;
}

let runCount = 0;

function runLinuxScript(shell: string, machine: Machine, params: RestartParameters = {}): Run {
  runCount += 1;
  const dir = join(root, `run-${runCount}`);
  const bin = join(dir, 'bin');
  const state = join(dir, 'state');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state);
  for (const [tool, path] of Object.entries(realTools)) symlinkSync(path, join(bin, tool));
  for (const fake of machine.fakes) {
    copyFileSync(join(FAKES, fake), join(bin, fake));
    chmodSync(join(bin, fake), 0o755);
  }
  const osRelease = join(dir, 'os-release');
  if (machine.osRelease !== undefined) writeFileSync(osRelease, machine.osRelease);
  const upstartConf = join(dir, 'ecs.conf');
  if (machine.upstartJob === true) writeFileSync(upstartConf, 'description "Amazon ECS"\n');
  const script = join(dir, 'restart.sh');
  writeFileSync(script, linuxScript(params));
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');

  const result = spawnSync(shell, [script], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: bin,
      FAKE_LIB: join(FAKES, 'fake-lib.sh'),
      FAKE_LOG: log,
      FAKE_STATE: state,
      ECS_RESTART_POLL_SECONDS: '0',
      ECS_RESTART_OS_RELEASE: osRelease,
      ECS_RESTART_UPSTART_CONF: upstartConf,
      ...machine.env,
    },
  });
  if (result.error) throw result.error;
  const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

/** Calls that change something on the host: everything except detection queries and the poll. */
function mutatingCalls(run: Run): string[] {
  return run.calls.filter((call) => !/^(curl |systemctl list-unit-files |docker inspect )/.test(call));
}

function curlCalls(run: Run): string[] {
  return run.calls.filter((call) => call.startsWith('curl '));
}

interface ParsedDocument {
  schemaVersion: string;
  description: string;
  parameters: Record<string, { type: string; default?: string; allowedPattern?: string }>;
  mainSteps: { action: string; name: string; precondition?: unknown; inputs: { runCommand: string[] } }[];
}

function parsedDocument(): ParsedDocument {
  return loadRestartDocument().parsed as ParsedDocument;
}

function allowedPattern(name: string): RegExp {
  const pattern = parsedDocument().parameters[name]?.allowedPattern;
  if (pattern === undefined) throw new Error(`${name} has no allowedPattern`);
  return new RegExp(pattern);
}

describe('restart-ecs-agent document', () => {
  it('is a schema 2.2 Command document read from documents/', () => {
    const { content, parsed } = loadRestartDocument();
    expect(isAbsolute(RESTART_DOCUMENT_PATH)).toBe(true);
    expect(RESTART_DOCUMENT_PATH).toBe(join(REPO, 'documents', 'restart-ecs-agent.yml'));
    expect(parse(readFileSync(RESTART_DOCUMENT_PATH, 'utf8'))).toEqual(parsed);
    expect(content.length).toBeGreaterThan(0);
    const document = parsedDocument();
    expect(document.schemaVersion).toBe('2.2');
    expect(document.description).toMatch(/ECS/);
  });

  it('has a Linux shell step and a Windows PowerShell step, each gated on its platform', () => {
    const steps = parsedDocument().mainSteps;
    expect(steps).toHaveLength(2);
    expect(steps.map((s) => [s.action, s.precondition])).toEqual([
      ['aws:runShellScript', { StringEquals: ['platformType', 'Linux'] }],
      ['aws:runPowerShellScript', { StringEquals: ['platformType', 'Windows'] }],
    ]);
    expect(new Set(steps.map((s) => s.name)).size).toBe(2);
  });

  it('names its steps as the restart reads them back per platformType (RESTART_STEPS)', () => {
    const byPlatform = Object.fromEntries(
      parsedDocument().mainSteps.map((s) => [
        (s.precondition as { StringEquals?: string[] } | undefined)?.StringEquals?.[1],
        s.name,
      ]),
    );
    expect(byPlatform).toEqual(RESTART_STEPS);
  });

  it('declares both parameters as patterned strings whose defaults satisfy their own patterns', () => {
    const { parameters } = parsedDocument();
    expect(Object.keys(parameters).sort()).toEqual(['introspectionTimeoutSeconds', 'restartReason']);
    expect(parameters.introspectionTimeoutSeconds).toMatchObject({ type: 'String', default: '120' });
    expect(parameters.restartReason).toMatchObject({ type: 'String', default: 'endpoint repaired' });
    for (const [name, parameter] of Object.entries(parameters)) {
      expect(parameter.allowedPattern).toEqual(expect.any(String));
      expect(parameter.default ?? '').toMatch(allowedPattern(name));
    }
  });

  it.each([
    'endpoint repaired',
    'vpce-0abc123 created in eu-west-1a',
    'ecs-agent, ecs-telemetry: private DNS',
  ])('restartReason accepts %j', (reason) => {
    expect(reason).toMatch(allowedPattern('restartReason'));
  });

  it.each([
    '$(reboot)',
    '; rm -rf /',
    'repaired; reboot',
    'repaired && reboot',
    '`reboot`',
    "it's repaired",
    'repaired\nreboot',
    'repaired | sh',
    '${IFS}',
    '',
    ' leading space',
  ])('restartReason rejects %j', (reason) => {
    expect(reason).not.toMatch(allowedPattern('restartReason'));
  });

  it.each([
    ['1', true],
    ['120', true],
    ['999', true],
    ['0', false],
    ['1000', false],
    ['012', false],
    ['5; reboot', false],
    ['$(reboot)', false],
    ['', false],
  ])('introspectionTimeoutSeconds %j allowed: %s', (value, allowed) => {
    expect(allowedPattern('introspectionTimeoutSeconds').test(value)).toBe(allowed);
  });
});

describe('linuxScript', () => {
  it('substitutes every parameter reference, with defaults when no value is given', () => {
    const script = linuxScript();
    expect(script).toMatch(/^#!\/bin\/sh\n/);
    expect(script).not.toMatch(/\{\{/);
    expect(script).toContain("'endpoint repaired'");
    expect(script).toContain("'120'");
    const custom = linuxScript({ introspectionTimeoutSeconds: '7', restartReason: 'vpce-0abc created' });
    expect(custom).toContain("'7'");
    expect(custom).toContain("'vpce-0abc created'");
    expect(custom).not.toContain("'120'");
  });

  it('refuses values SSM would refuse, and parameters the document does not declare', () => {
    expect(() => linuxScript({ restartReason: '$(reboot)' })).toThrow(/restartReason/);
    expect(() => linuxScript({ introspectionTimeoutSeconds: '0' })).toThrow(/introspectionTimeoutSeconds/);
    expect(() => linuxScript({ reboot: 'yes' } as RestartParameters)).toThrow(/no parameter reboot/);
  });
});

describe('shellcheck', () => {
  function shellcheck(shell: 'sh' | 'bash', file: string): { status: number | null; output: string } {
    const result = spawnSync(SHELLCHECK, ['-s', shell, '-x', '-P', FAKES, file], { encoding: 'utf8' });
    if (result.error)
      throw new Error(`${SHELLCHECK}: ${result.error.message} (run bash scripts/python-tools.sh)`);
    return { status: result.status, output: result.stdout + result.stderr };
  }

  it.each<[string, RestartParameters]>([
    ['default parameters', {}],
    [
      'custom parameters',
      { introspectionTimeoutSeconds: '5', restartReason: 'ecs-agent, ecs-telemetry: created' },
    ],
  ])('reports nothing on the Linux script with %s', (_label, params) => {
    const dir = mkdtempSync(join(root, 'shellcheck-'));
    const file = join(dir, 'restart.sh');
    writeFileSync(file, linuxScript(params));
    expect(shellcheck('sh', file)).toEqual({ status: 0, output: '' });
  });

  it.each(['systemctl', 'docker', 'curl', 'initctl', 'stop', 'start', 'apiclient', 'fake-lib.sh'])(
    'reports nothing on the fake %s',
    (fake) => {
      expect(shellcheck('sh', join(FAKES, fake))).toEqual({ status: 0, output: '' });
    },
  );
});

const shells: [string, string][] = [
  ['bash', which('bash')],
  ['sh', '/bin/sh'],
];

describe.each(shells)('the Linux script under %s', (_name, shell) => {
  it.each<[string, Machine, string[]]>([
    ['Amazon Linux 2 (systemd unit ecs)', machines.amazonLinux2, ['systemctl restart ecs']],
    ['AL2023 (systemd unit ecs)', machines.amazonLinux2023, ['systemctl restart ecs']],
    ['Amazon Linux 1 (upstart job ecs)', machines.amazonLinux1, ['stop ecs', 'start ecs']],
    [
      'Bottlerocket (os-release)',
      machines.bottlerocketByOsRelease,
      ['apiclient exec admin sheltie systemctl restart ecs'],
    ],
    [
      'the Bottlerocket control container (apiclient, Amazon Linux os-release)',
      machines.bottlerocketControlContainer,
      ['apiclient exec admin sheltie systemctl restart ecs'],
    ],
    ['an ecs-agent container run by hand', machines.handRunContainer, ['docker restart ecs-agent']],
  ])('on %s runs exactly the right restart, then reports the agent', (_platform, machine, expected) => {
    const run = runLinuxScript(shell, machine);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(mutatingCalls(run)).toEqual(expected);
    expect(run.calls).not.toContain('docker stop ecs-agent');
    const lastRestart = run.calls.lastIndexOf(expected[expected.length - 1] ?? '');
    const firstPoll = run.calls.findIndex((call) => call.startsWith('curl '));
    expect(firstPoll).toBeGreaterThan(lastRestart);
    expect(curlCalls(run)[0]).toBe(`curl -s --max-time 2 ${METADATA_URL}`);
    expect(run.stdout).toContain('restarting the ECS agent: endpoint repaired\n');
    expect(run.stdout).toContain('agent version: 1.87.0\n');
    expect(run.stdout).toContain('cluster: prod-cluster\n');
    expect(run.stdout).toContain(`container instance: ${INSTANCE_ARN}\n`);
  });

  it('keeps polling until the agent answers, and prints the version it reports', () => {
    const run = runLinuxScript(
      shell,
      {
        ...machines.amazonLinux2,
        env: { ...machines.amazonLinux2.env, FAKE_CURL_FAILURES: '3', FAKE_AGENT_VERSION: 'v1.90.1' },
      },
      { restartReason: 'vpce-0abc created' },
    );
    expect(run.status).toBe(0);
    expect(curlCalls(run)).toHaveLength(4);
    expect(run.stdout).toContain('restarting the ECS agent: vpce-0abc created\n');
    expect(run.stdout).toContain('agent version: 1.90.1\n');
    expect(run.stdout).not.toContain('1.87.0');
  });

  it('starts the upstart job even when it was already stopped', () => {
    const run = runLinuxScript(shell, {
      ...machines.amazonLinux1,
      env: { ...machines.amazonLinux1.env, FAKE_UPSTART_STOPPED: '1' },
    });
    expect(run.status).toBe(0);
    expect(mutatingCalls(run)).toEqual(['stop ecs', 'start ecs']);
    expect(run.stdout).toContain('agent version: 1.87.0\n');
  });

  it('exits 1 with a clear message when the agent never answers within the timeout', () => {
    const run = runLinuxScript(
      shell,
      { ...machines.amazonLinux2, env: { ...machines.amazonLinux2.env, FAKE_AGENT_NEVER_ANSWERS: '1' } },
      { introspectionTimeoutSeconds: '1' },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `ecs agent restart failed: the agent did not answer at ${METADATA_URL} within 1s of the restart\n`,
    );
    expect(mutatingCalls(run)).toEqual(['systemctl restart ecs']);
    expect(curlCalls(run).length).toBeGreaterThan(0);
    expect(run.stdout).not.toContain('agent version');
  });

  it.each<[string, Machine]>([
    [
      'a systemd host without the ecs unit or container',
      {
        fakes: ['systemctl', 'docker', 'curl'],
        osRelease: UBUNTU,
        env: { FAKE_SYSTEMD_UNITS: 'docker.service' },
      },
    ],
    ['a host with no init tools and no os-release', { fakes: ['curl'] }],
    [
      'initctl without the ecs job',
      { fakes: ['initctl', 'stop', 'start', 'curl'], osRelease: AMAZON_LINUX_1 },
    ],
  ])('exits 1 without restarting or polling when no agent is found: %s', (_label, machine) => {
    const run = runLinuxScript(shell, machine);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ecs agent restart failed: no ECS agent found: /);
    expect(mutatingCalls(run)).toEqual([]);
    expect(curlCalls(run)).toEqual([]);
  });

  it('exits 1 without polling when the restart command fails', () => {
    const run = runLinuxScript(shell, {
      ...machines.amazonLinux2,
      env: { ...machines.amazonLinux2.env, FAKE_RESTART_FAILS: '1' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('ecs agent restart failed: systemctl restart ecs failed\n');
    expect(curlCalls(run)).toEqual([]);
  });

  it('names the admin container when the Bottlerocket restart fails', () => {
    const run = runLinuxScript(shell, {
      ...machines.bottlerocketByOsRelease,
      env: { FAKE_RESTART_FAILS: '1' },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('settings.host-containers.admin.enabled');
    expect(curlCalls(run)).toEqual([]);
  });

  it('exits 1 before touching the agent when curl is missing', () => {
    const run = runLinuxScript(shell, {
      ...machines.amazonLinux2,
      fakes: machines.amazonLinux2.fakes.filter((fake) => fake !== 'curl'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^ecs agent restart failed: curl is not installed/);
    expect(mutatingCalls(run)).toEqual([]);
  });
});

describe('the Windows step', () => {
  it('restarts the AmazonECS service, polls the metadata endpoint until the timeout, and exits 1 on timeout', () => {
    const script = windowsScript({ introspectionTimeoutSeconds: '45' });
    expect(script).not.toMatch(/\{\{/);
    expect(script).toContain('Restart-Service -Name AmazonECS');
    expect(script).toContain("$timeoutSeconds = [int]'45'");
    expect(script).toContain(`'${METADATA_URL}'`);
    expect(script).toMatch(/Invoke-RestMethod -Uri \$metadataUrl/);
    expect(script).toMatch(/\(Get-Date\)\.AddSeconds\(\$timeoutSeconds\)/);
    expect(script).toMatch(/Write-Output "agent version: \$version"/);
    expect(script).toMatch(/did not answer[^\n]*\n\s*exit 1\n/);
    expect(script).toMatch(/exit 0\n/);
    expect(script).toContain("$reason = 'endpoint repaired'");
  });

  it("keeps each platform's commands in its own step", () => {
    expect(windowsScript()).not.toContain('systemctl');
    expect(linuxScript()).not.toContain('Restart-Service');
  });
});
