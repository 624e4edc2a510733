import type { ApplyReport } from '../core/domain.js';
import type { TriggerInfo } from '../events/classify.js';
import { DriftAnnouncements, driftFingerprint } from '../notify/dedupe.js';
import { buildDriftMessage } from '../notify/slack-message.js';
import type { SlackNotifier } from '../notify/slack-notifier.js';

export interface ReportInput {
  readonly report: ApplyReport;
  readonly triggers: readonly TriggerInfo[];
  readonly logUrl?: string;
  readonly executionUrl?: string;
}

export type Reporter = (input: ReportInput) => Promise<void>;

/**
 * Posts what drifted and what was done. VPCs without drift, and drift already announced within the
 * window, are left out; a failed post is logged by the notifier and never fails the remediation.
 */
export function slackReporter(notifier: SlackNotifier, announcements: DriftAnnouncements): Reporter {
  return async ({ report, triggers, logUrl, executionUrl }) => {
    const fresh = [];
    for (const vpc of report.plan.vpcs) {
      if (vpc.findings.length === 0 && vpc.actions.length === 0) continue;
      const failed = report.outcomes.some((o) => o.vpcId === vpc.vpcId && o.status === 'failed');
      if (failed || (await announcements.shouldAnnounce(vpc.vpcId, driftFingerprint(vpc)))) fresh.push(vpc);
    }
    if (fresh.length === 0) return;
    const keep = new Set(fresh.map((v) => v.vpcId));
    const plan = { ...report.plan, vpcs: fresh };
    const trigger = triggers[0];
    await notifier.post(
      buildDriftMessage({
        report: { ...report, plan, outcomes: report.outcomes.filter((o) => keep.has(o.vpcId)) },
        plan,
        ...(trigger
          ? {
              trigger: {
                eventName:
                  triggers.length > 1
                    ? `${trigger.eventName} (+${triggers.length - 1} more events)`
                    : trigger.eventName,
                userIdentity: trigger.userIdentity,
                eventTime: trigger.eventTime,
                ...(trigger.sourceIPAddress ? { sourceIPAddress: trigger.sourceIPAddress } : {}),
              },
            }
          : {}),
        ...(logUrl ? { logUrl } : {}),
        ...(executionUrl ? { executionUrl } : {}),
      }),
    );
  };
}
