import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { scheduler } from '#shared/clients/scheduler';
import { config } from '#shared/config';
import type { Campaign } from '#shared/schemas/campaign';

/**
 * One EventBridge Scheduler `at()` schedule per scheduling of a campaign, named after its schedule
 * id: it invokes the campaign dispatcher once, in the campaign's own time zone, then deletes
 * itself. Creating it again (a retried request) is a no-op thanks to the client token; a schedule
 * that outlived a reschedule or a cancel is harmless, because the dispatcher starts only the
 * scheduling the campaign still expects (shared/domain/campaign.ts).
 */
export interface DispatchInput {
  campaignId: string;
  scheduleId: string;
}

const nameOf = (scheduleId: string) => `campaign-${scheduleId}`;

/** Scheduler's own retries when the dispatcher cannot be invoked; then the dead-letter queue. */
const RETRY_POLICY = { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 };

export const createCampaignSchedule = async (campaign: Campaign): Promise<void> => {
  const schedule = campaign.schedule;
  if (!schedule) throw new Error(`Campaign ${campaign.id} has no schedule to create`);
  const settings = config.campaignScheduling;
  const input: DispatchInput = { campaignId: campaign.id, scheduleId: schedule.scheduleId };
  const seconds = schedule.sendAt.length === 16 ? `${schedule.sendAt}:00` : schedule.sendAt;
  try {
    await scheduler.send(
      new CreateScheduleCommand({
        Name: nameOf(schedule.scheduleId),
        GroupName: settings.groupName,
        ScheduleExpression: `at(${seconds})`,
        ScheduleExpressionTimezone: schedule.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        ClientToken: schedule.scheduleId,
        Description: `Starts campaign ${campaign.id}`,
        Target: {
          Arn: settings.dispatcherArn,
          RoleArn: settings.roleArn,
          Input: JSON.stringify(input),
          RetryPolicy: RETRY_POLICY,
          ...(settings.deadLetterArn ? { DeadLetterConfig: { Arn: settings.deadLetterArn } } : {}),
        },
      }),
    );
  } catch (error) {
    // The same scheduling created before (a retried request): it is there, as wanted.
    if (!(error instanceof ConflictException)) throw error;
  }
};

/** Deletes a scheduling's schedule; one already gone (it ran, or was deleted) is fine. */
export const deleteCampaignSchedule = async (scheduleId: string): Promise<void> => {
  try {
    await scheduler.send(
      new DeleteScheduleCommand({ Name: nameOf(scheduleId), GroupName: config.campaignScheduling.groupName }),
    );
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
};
