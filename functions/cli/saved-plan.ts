/**
 * Saved plans on disk (`plan --out FILE`, `apply FILE`): the plan, the fingerprint of the state each
 * action depends on, and what it was made for (account, Region, tool version). The file carries a
 * checksum of its content so an edited file is refused rather than applied; the fingerprints
 * themselves are computed by the pure core (shared/core/fingerprint.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { Plan } from '../../shared/core/domain.js';
import { stableHash } from '../../shared/core/hash.js';
import {
  ACCOUNT_ID_HINT,
  ACCOUNT_ID_PATTERN,
  REGION_HINT,
  REGION_PATTERN,
} from '../../shared/core/id-patterns.js';

export const SAVED_PLAN_FORMAT = 'ecs-endpoint-remediator/saved-plan';
export const SAVED_PLAN_FORMAT_VERSION = 1;

export interface SavedPlan {
  readonly toolVersion: string;
  readonly account: string;
  readonly region: string;
  readonly createdAt: string;
  readonly plan: Plan;
  readonly fingerprints: Readonly<Record<string, string>>;
}

/** Thrown for a file that cannot be a saved plan of this tool; the message is the one line shown. */
export class SavedPlanError extends Error {}

const actionSchema = z.looseObject({
  id: z.string(),
  kind: z.string(),
  vpcId: z.string(),
  reason: z.string(),
  apply: z.boolean(),
});

const fileSchema = z.object({
  format: z.literal(SAVED_PLAN_FORMAT),
  formatVersion: z.number(),
  toolVersion: z.string(),
  account: z.string().regex(ACCOUNT_ID_PATTERN, `must be ${ACCOUNT_ID_HINT}`),
  region: z.string().regex(REGION_PATTERN, `must be ${REGION_HINT}`),
  createdAt: z.string(),
  plan: z.looseObject({
    region: z.string(),
    vpcs: z.array(
      z.looseObject({
        vpcId: z.string(),
        mode: z.enum(['enforce', 'audit', 'off']),
        findings: z.array(z.looseObject({ code: z.string() })),
        actions: z.array(actionSchema),
        estimatedMonthlyCostUsd: z.number(),
      }),
    ),
    estimatedMonthlyCostUsd: z.number(),
    warnings: z.array(z.string()),
  }),
  fingerprints: z.record(z.string(), z.string()),
  checksum: z.string(),
});

function checksum(saved: SavedPlan): string {
  return stableHash(
    JSON.stringify([
      saved.toolVersion,
      saved.account,
      saved.region,
      saved.createdAt,
      saved.plan,
      saved.fingerprints,
    ]),
  );
}

export function writeSavedPlan(file: string, saved: SavedPlan): void {
  const document = {
    format: SAVED_PLAN_FORMAT,
    formatVersion: SAVED_PLAN_FORMAT_VERSION,
    ...saved,
    checksum: checksum(saved),
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
}

export function readSavedPlan(file: string): SavedPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SavedPlanError(
      `cannot read the saved plan ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SavedPlanError(`${file} is not a saved plan (not JSON); make one with \`plan --out ${file}\``);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    throw new SavedPlanError(
      `${file} is not a saved plan of ecs-endpoint-remediator; make one with \`plan --out\``,
    );
  }
  const doc = parsed.data;
  if (doc.formatVersion !== SAVED_PLAN_FORMAT_VERSION) {
    throw new SavedPlanError(
      `${file} has saved-plan format ${doc.formatVersion}; this version reads format ${SAVED_PLAN_FORMAT_VERSION}: plan again`,
    );
  }
  // The schema checked the shape; the checksum (over exactly what the tool wrote, key order
  // included, hence the raw JSON rather than the schema's copy) stands for the rest.
  const raw = json as { plan: Plan; fingerprints: Record<string, string> };
  const saved: SavedPlan = {
    toolVersion: doc.toolVersion,
    account: doc.account,
    region: doc.region,
    createdAt: doc.createdAt,
    plan: raw.plan,
    fingerprints: raw.fingerprints,
  };
  if (checksum(saved) !== doc.checksum) {
    throw new SavedPlanError(`${file} was changed after it was saved (checksum mismatch): plan again`);
  }
  return saved;
}
