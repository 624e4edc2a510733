/**
 * The README's first command. With an AWS account configured it runs `plan` against it (read-only).
 * Without one (or with --emulator) it starts the local emulator, seeds a realistic account with drift,
 * and shows plan → apply → plan.
 */
import { main } from '../functions/cli/main.js';
import { createAwsClients } from '../shared/aws/clients.js';
import { startMotoServer } from './emulator/moto-server.js';
import { seedDemoAccount } from './seed/demo-account.js';

const args = process.argv.slice(2);
const useEmulator = args.includes('--emulator');
const rest = args.filter((a) => a !== '--emulator');
const accountConfigured = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'].some(
  (k) => process.env[k],
);

function banner(text: string): void {
  console.log(`\n${'='.repeat(100)}\n${text}\n${'='.repeat(100)}`);
}

if (accountConfigured && !useEmulator) {
  banner(
    'AWS credentials found: planning against your account (read-only). Use --emulator for the local demo.',
  );
  process.exitCode = await main(['plan', ...rest]);
} else {
  const moto = await startMotoServer();
  try {
    const region = 'us-east-1';
    const clients = createAwsClients({ region, endpointUrl: moto.endpoint });
    const account = await seedDemoAccount(clients);
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
        '  drift: ecs-telemetry deleted, ecs missing an AZ, ECR endpoints behind a group without 443, DNS hostnames off',
      ].join('\n'),
    );
    // moto reports every agent as 1.0.0 and does not implement UpdateContainerAgent (facts.md):
    // the demo reports old agents instead of trying to update them.
    process.env.UPDATE_OLD_AGENTS ??= 'false';
    console.log(
      'note: the emulator reports every ECS agent as 1.0.0 and has no UpdateContainerAgent, nor SSM inventory;\n' +
        '      the demo runs with UPDATE_OLD_AGENTS=false, so old agents are reported and agent restarts are not planned.',
    );
    const target = ['--region', region, '--endpoint-url', moto.endpoint, ...rest];
    banner('1/3  ecs-endpoint-remediator plan   (what is wrong, what would be done, what it costs)');
    const planned = await main(['plan', ...target]);
    console.log(`\n(exit code ${planned}: 0 no drift, 2 drift found, 1 error)`);
    banner('2/3  ecs-endpoint-remediator apply --yes   (only the VPC tagged enforce is changed)');
    const applied = await main(['apply', '--yes', ...target]);
    console.log(`\n(exit code ${applied}: 0 converged, 1 failure)`);
    banner(
      '3/3  ecs-endpoint-remediator plan   (the enforce VPC has no endpoint drift left; audit VPCs unchanged)',
    );
    const after = await main(['plan', ...target]);
    console.log(`\n(exit code ${after})`);
    process.exitCode = applied === 0 ? 0 : 1;
  } finally {
    await moto.stop();
  }
}
