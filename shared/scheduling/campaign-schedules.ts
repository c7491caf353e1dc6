import { createHash } from 'node:crypto';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-scheduler';
import { scheduler } from '#shared/clients/scheduler';
import { config } from '#shared/config';
import { ConcurrentWrite } from '#shared/domain/errors';
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
  const expression = `at(${seconds})`;
  try {
    await scheduler.send(
      new CreateScheduleCommand({
        Name: nameOf(schedule.scheduleId),
        GroupName: settings.groupName,
        ScheduleExpression: expression,
        ScheduleExpressionTimezone: schedule.timeZone,
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        ClientToken: clientTokenOf(schedule.scheduleId, expression, schedule.timeZone),
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
    // The name is taken with another moment (the same one would have matched the client token):
    // two requests scheduled this version of the campaign at once. This one lost; its retry
    // reads the campaign again (412 if it was pinned with If-Match).
    if (error instanceof ConflictException) {
      throw new ConcurrentWrite('Another request scheduled this campaign at the same moment; try again.');
    }
    throw error;
  }
};

/**
 * The same scheduling at the same moment is the same request (a retry, answered as the first);
 * the same scheduling at another moment is another request, which the name clash then refuses.
 */
const clientTokenOf = (scheduleId: string, expression: string, timeZone: string) =>
  createHash('sha256').update(`${scheduleId}|${expression}|${timeZone}`).digest('hex');

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
