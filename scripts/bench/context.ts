/**
 * What every measurement module gets: the bench's Region and configuration, the emulator (started
 * on first use, one per run, always stopped by the entry) and the packaged service (`sls package`,
 * run on first use, once per run).
 *
 * Invariants: seeding time is never inside a measured figure; the emulator is reset before each
 * seeded account, except that a read-only measure may reuse the account the previous read-only
 * measure left (same size, nothing written since).
 */
import { rm } from 'node:fs/promises';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { countCalls, type CallCounter } from '../../shared/aws/call-counter.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import type { RemediatorDeps } from '../../shared/app/remediator.js';
import { defaultConfig, type RemediatorConfig } from '../../shared/core/config.js';
import { packageService, type PackagedService } from '../../test/support/sls-package.js';
import { emulatorControl, resetMoto, startMotoServer } from '../emulator/moto-server.js';
import { seedBenchAccount, type BenchAccount } from '../seed/bench-account.js';
import { measureLatency, type LatencyMeter } from './latency-meter.js';
import { progress, type Report } from './output.js';

export const REGION = 'us-east-1';
export const SUBNETS_PER_VPC = 3;
export const INSTANCES_PER_VPC = 2;
/** The emulator's SSM Run Command timing, set at its start (README "The emulator"). */
export const EMULATED_SSM = { deliverySeconds: 1, runSeconds: 2 } as const;

/**
 * moto reports every agent as 1.0.0 and lacks UpdateContainerAgent, so agent updates are reported,
 * not attempted; the change cap is lifted so one run can repair the whole bench account.
 */
export const benchConfig: RemediatorConfig = { ...defaultConfig, updateOldAgents: false, maxChanges: 100000 };

/** What one measure printed and the keys it adds to the `--json` file. */
export interface Figures {
  readonly report: Report;
  readonly json: Readonly<Record<string, unknown>>;
}

export interface Measure {
  /** The `--only` name. */
  readonly name: string;
  readonly description: string;
  run(ctx: BenchContext): Promise<Figures>;
}

export interface SeededAccount extends BenchAccount {
  readonly vpcs: number;
}

export interface EmulatorSession {
  readonly endpoint: string;
  readonly clients: AwsClients;
  readonly counter: CallCounter;
  readonly meter: LatencyMeter;
  /**
   * Ports for the emulator's current account: renewed at each reset, since a reset emulator numbers
   * task definition revisions from 1 again (AWS never reuses one) and the reader remembers the
   * revisions it has read. Take them after `account()`.
   */
  readonly deps: RemediatorDeps;
  /**
   * A bench account of `vpcs` drifted enforce VPCs. `readOnly`: the caller only reads, so the account
   * the previous read-only caller seeded with the same size is handed back instead of seeding again.
   */
  account(vpcs: number, options: { readOnly: boolean }): Promise<SeededAccount>;
  control(name: string, body?: unknown): Promise<unknown>;
}

export interface BenchContext {
  readonly region: string;
  readonly config: RemediatorConfig;
  emulator(): Promise<EmulatorSession>;
  packaged(): Promise<PackagedService>;
}

/**
 * The context of one bench run; `close()` stops the emulator and removes the package directory,
 * `kill()` only signals the emulator (for a signal handler, which cannot wait).
 */
export function createBenchContext(): BenchContext & { close(): Promise<void>; kill(): void } {
  let moto: Awaited<ReturnType<typeof startMotoServer>> | undefined;
  let session: Promise<EmulatorSession> | undefined;
  let packaged: Promise<PackagedService> | undefined;

  const startSession = async (): Promise<EmulatorSession> => {
    progress('starting the emulator (moto server)…');
    moto = await startMotoServer({
      env: {
        EMULATOR_SSM_DELIVERY_SECONDS: String(EMULATED_SSM.deliverySeconds),
        EMULATOR_SSM_RUN_SECONDS: String(EMULATED_SSM.runSeconds),
      },
    });
    const { endpoint } = moto;
    const clients = createAwsClients({ region: REGION, endpointUrl: endpoint });
    const counter = countCalls(clients);
    const meter = measureLatency(clients);
    let last: { account: SeededAccount; intact: boolean } | undefined;
    let ports = createRemediatorPorts(clients);
    return {
      endpoint,
      clients,
      counter,
      meter,
      get deps() {
        return { ports, config: benchConfig };
      },
      account: async (vpcs, { readOnly }) => {
        if (readOnly && last?.intact && last.account.vpcs === vpcs) {
          progress(`reusing the ${vpcs}-VPC account seeded before (nothing written since)`);
          return last.account;
        }
        await resetMoto(endpoint);
        ports = createRemediatorPorts(clients);
        progress(`seeding ${vpcs} VPC(s) (${SUBNETS_PER_VPC} subnets, ${INSTANCES_PER_VPC} instances each)…`);
        const seeded = await seedBenchAccount(clients, {
          vpcCount: vpcs,
          subnetsPerVpc: SUBNETS_PER_VPC,
          instancesPerVpc: INSTANCES_PER_VPC,
          mode: 'enforce',
        });
        progress(`seeded ${vpcs} VPC(s) in ${seeded.seedMs} ms`);
        const account = { ...seeded, vpcs };
        last = { account, intact: readOnly };
        return account;
      },
      control: (name, body) => emulatorControl(endpoint, name, body) as Promise<unknown>,
    };
  };

  return {
    region: REGION,
    config: benchConfig,
    emulator: () => (session ??= startSession()),
    packaged: () => {
      packaged ??=
        (progress('packaging with `sls package --stage bench`…'), packageService({ stage: 'bench' }));
      return packaged;
    },
    close: async () => {
      if (moto) await moto.stop();
      const done = await packaged?.catch(() => undefined);
      if (done) await rm(done.dir, { recursive: true, force: true });
    },
    kill: () => {
      moto?.process.kill('SIGTERM');
    },
  };
}
