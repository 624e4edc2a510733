/**
 * The README's first command. With an AWS account configured it runs `plan` against it (read-only).
 * Without one (or with --emulator) it starts the local emulator, seeds a realistic account with drift,
 * and shows plan → apply → plan.
 */
import { DescribeContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { main, type CliIo } from '../functions/cli/main.js';
import { createAwsClients } from '../shared/aws/clients.js';
import { emulatorControl, startMotoServer } from './emulator/moto-server.js';
import { MODE_TAG_KEY, seedDemoAccount, type DemoAccount } from './seed/demo-account.js';
import { seedHubAndSpoke } from './seed/hub-and-spoke.js';

const args = process.argv.slice(2);
const useEmulator = args.includes('--emulator');
const rest = args.filter((a) => a !== '--emulator');
const accountConfigured = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'].some(
  (k) => process.env[k],
);

function banner(text: string): void {
  console.log(`\n${'='.repeat(100)}\n${text}\n${'='.repeat(100)}`);
}

/** apply --yes with its progress lines (endpoint waits, SSM commands, reconnection) shown even without a terminal. */
const applyIo: CliIo = {
  stdout: (text) => console.log(text),
  stderr: (text) => console.log(`  … ${text}`),
  env: process.env,
  interactive: true,
  confirm: async () => false,
};

/** The emulator makes endpoints wait like AWS, a few seconds here instead of minutes. */
const DEMO_ENDPOINT_PENDING_SECONDS = '3';
/** Each restart invocation runs this long (the product's 10% MaxConcurrency runs them one by one). */
const DEMO_SSM_RUN_SECONDS = '1';
/** How long the demo waits for the agent update it started to finish. */
const UPDATE_WAIT_MS = 20_000;

async function describeAgents(ecs: ECSClient, account: DemoAccount) {
  const clusterArn = account.clusterArns.payments;
  const arns = account.vpcs.payments.containerInstances.map((ci) => ci.containerInstanceArn);
  const { containerInstances = [] } = await ecs.send(
    new DescribeContainerInstancesCommand({ cluster: clusterArn, containerInstances: arns }),
  );
  return containerInstances;
}

/** Prints each payments agent as ECS reports it; waits (bounded) for the agent update to end. */
async function showAgents(ecs: ECSClient, account: DemoAccount): Promise<void> {
  const deadline = Date.now() + UPDATE_WAIT_MS;
  let agents = await describeAgents(ecs, account);
  const updating = (): boolean =>
    agents.some((a) => ['PENDING', 'STAGING', 'STAGED', 'UPDATING'].includes(a.agentUpdateStatus ?? ''));
  while (updating() && Date.now() < deadline) {
    const states = agents
      .filter((a) => a.agentUpdateStatus)
      .map((a) => `${a.ec2InstanceId} ${a.agentUpdateStatus}`);
    console.log(`agent update in progress: ${states.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    agents = await describeAgents(ecs, account);
  }
  for (const agent of agents) {
    console.log(
      `  ${agent.ec2InstanceId}  agent ${agent.versionInfo?.agentVersion ?? '?'}  ` +
        `${agent.agentConnected ? 'connected' : 'DISCONNECTED'}` +
        `${agent.agentUpdateStatus ? `  update ${agent.agentUpdateStatus}` : ''}`,
    );
  }
}

if (accountConfigured && !useEmulator) {
  banner(
    'AWS credentials found: planning against your account (read-only). Use --emulator for the local demo.',
  );
  process.exitCode = await main(['plan', ...rest]);
} else {
  process.env.EMULATOR_ENDPOINT_PENDING_SECONDS ??= DEMO_ENDPOINT_PENDING_SECONDS;
  process.env.EMULATOR_SSM_RUN_SECONDS ??= DEMO_SSM_RUN_SECONDS;
  const moto = await startMotoServer();
  try {
    const region = 'us-east-1';
    const clients = createAwsClients({ region, endpointUrl: moto.endpoint });
    const account = await seedDemoAccount(clients, {
      restartDocumentName: process.env.RESTART_DOCUMENT_NAME || undefined,
    });
    // The seeded account has existed for a while: its endpoints finished provisioning long ago.
    await emulatorControl(moto.endpoint, 'clock', { advanceSeconds: 3600 });
    const modes = {
      payments: 'enforce',
      analytics: 'audit',
      batch: 'untagged: default audit',
      sandbox: 'no ECS',
    };
    banner(
      [
        `Local emulator (moto) at ${moto.endpoint}, seeded with a demo account in ${region}:`,
        ...Object.values(account.vpcs).map(
          (v) =>
            `  ${v.vpcId}  ${v.name.padEnd(10)} ${v.cidr.padEnd(14)} ${modes[v.name].padEnd(24)} ` +
            `${v.privateSubnets.length} private subnet(s), ${v.containerInstances.length} container instance(s)`,
        ),
        '  drift: ecs-telemetry deleted, ecs missing an AZ, ECR endpoints behind a group without 443, DNS hostnames off,',
        '         no SSM endpoints; payments agents disconnected, one agent too old (1.20.0)',
      ].join('\n'),
    );
    console.log(
      `emulator: endpoints stay pending for ${process.env.EMULATOR_ENDPOINT_PENDING_SECONDS}s; SSM runs the restart\n` +
        '          document on fake hosts; ECS agents connect only through a working path (see the README).',
    );
    const target = ['--region', region, '--endpoint-url', moto.endpoint, ...rest];
    banner('1/4  ecs-endpoint-remediator plan   (what is wrong, what would be done, what it costs)');
    const planned = await main(['plan', ...target]);
    console.log(`\n(exit code ${planned}: 0 no drift, 2 drift found, 1 error)`);
    banner('2/4  ecs-endpoint-remediator apply --yes   (only the VPC tagged enforce is changed)');
    const applied = await main(['apply', '--yes', ...target], applyIo);
    console.log(`\n(exit code ${applied}: 0 converged, 1 failure)`);
    console.log('\npayments container instances as ECS reports them now:');
    await showAgents(clients.ecs, account);
    // Only the VPC that changed: the audit VPCs' findings are the ones step 1 showed, unchanged.
    banner(
      `3/4  ecs-endpoint-remediator plan --vpc ${account.vpcIds.payments}   (the enforce VPC, after the repair)`,
    );
    const after = await main(['plan', '--vpc', account.vpcIds.payments, ...target]);
    console.log(
      `\n(exit code ${after}: ${after === 0 ? 'no drift left' : 'drift left'}; the audit VPCs were not changed:` +
        ' `plan` without --vpc lists their findings as in step 1)',
    );

    // Centralised endpoints: a hub VPC serves a spoke through Route 53 private hosted zones.
    const west = 'us-west-2';
    const westClients = createAwsClients({ region: west, endpointUrl: moto.endpoint });
    const hub = await seedHubAndSpoke(
      { ...westClients, route53: westClients.route53! },
      { spokeTags: { [MODE_TAG_KEY]: 'enforce' }, unassociated: ['ecs-agent'], spokeSsmManaged: false },
    );
    // The hub has existed for a while too: its endpoints are available.
    await emulatorControl(moto.endpoint, 'clock', { advanceSeconds: 3600 });
    const westTarget = ['--region', west, '--endpoint-url', moto.endpoint, '--vpc', hub.spokeVpcId, ...rest];
    banner(
      [
        `4/4  centralised endpoints in ${west}: hub ${hub.hubVpcId} holds the ECS and SSM endpoints (private DNS off),`,
        `     one private hosted zone per service name aliases them; spoke ${hub.spokeVpcId} (enforce) routes to the hub`,
        `     through ${hub.transitGatewayId} and is associated with every zone but ecs-agent's`,
        `     ecs-endpoint-remediator plan --vpc ${hub.spokeVpcId}, then apply --yes`,
      ].join('\n'),
    );
    console.log(
      "emulator: it does not model an agent reaching a hub endpoint, so the spoke's agent shows disconnected\n" +
        '          and its instance is seeded outside SSM (no restart).',
    );
    const hubPlan = await main(['plan', ...westTarget]);
    console.log(`\n(exit code ${hubPlan}: no local endpoint is planned for what the hub serves; USD 0)`);
    const hubApply = await main(['apply', '--yes', ...westTarget], applyIo);
    console.log(`\n(exit code ${hubApply}: the spoke is now associated with the ecs-agent zone)`);
    const hubAfter = await main(['plan', ...westTarget]);
    console.log(
      `\n(exit code ${hubAfter}: CENTRAL_ZONE_NOT_ASSOCIATED is gone; what is left is the emulator's agent, above)`,
    );
    process.exitCode = applied === 0 && hubApply === 0 ? 0 : 1;
  } finally {
    await moto.stop();
  }
}
