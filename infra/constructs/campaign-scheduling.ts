import { Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ENV } from '#shared/config';
import type { CrmFunction } from './crm-function.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface CampaignSchedulingProps {
  /** Creates and deletes the schedules (the campaigns API). */
  api: CrmFunction;
  /** What a schedule invokes when it fires. */
  dispatcher: IFunction;
}

/**
 * What campaign schedules need: their own schedule group, the role EventBridge Scheduler assumes to
 * invoke the dispatcher, a dead-letter queue for invocations it gave up on, and the campaigns API's
 * right to create and delete schedules in that group (and to pass that role, nothing else).
 */
export class CampaignScheduling extends Construct {
  constructor(scope: Construct, id: string, props: CampaignSchedulingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const group = new CfnScheduleGroup(this, 'Group', {});
    const role = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Assumed by EventBridge Scheduler to start campaigns',
    });
    // Not grantInvoke: that also allows every version and alias (`arn:*`), which nothing here uses.
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.dispatcher.functionArn] }),
    );
    const failures = new DeadLetterQueue(this, 'Failures', {
      description: 'Campaign schedules whose dispatcher invocation failed after Scheduler retried',
    });
    failures.queue.grantSendMessages(role);

    const groupName = group.ref;
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    props.api.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:DeleteSchedule'],
        resources: [schedules],
      }),
    );
    props.api.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }),
    );
    // cdk-nag names the finding after the ARN as synthesized: tokens as <AWS::…>, known values as is.
    const shown = (value: string, token: string) => (Token.isUnresolved(value) ? `<AWS::${token}>` : value);
    const arn = `arn:${shown(stack.partition, 'Partition')}:scheduler:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}`;
    Validations.of(props.api.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arn}:schedule/<${stack.getLogicalId(group)}>/*]`,
      reason:
        'One schedule is created per scheduling of a campaign, named at run time; the grant is confined to ' +
        "the campaigns' own schedule group.",
    });
    props.api.function.addEnvironment(ENV.campaignScheduleGroup, groupName);
    props.api.function.addEnvironment(ENV.campaignSchedulerRoleArn, role.roleArn);
    props.api.function.addEnvironment(ENV.campaignDispatcherArn, props.dispatcher.functionArn);
    props.api.function.addEnvironment(ENV.campaignScheduleDlqArn, failures.queue.queueArn);
  }
}
