import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '#events/catalog';
import { CrmTable } from './constructs/crm-table.ts';
import { CrmUserPool } from './constructs/crm-user-pool.ts';

export interface StatefulStackProps extends StackProps {
  eventBusName: string;
  spaOrigins: readonly string[];
  authDomainPrefix?: string;
}

/**
 * Everything that holds data or identity and must survive a redeploy of the code: the table, the
 * event bus and its archive, the user pool, the SES configuration set. Changes here are rare and
 * reviewed; the stateless stack can be torn down and rebuilt at will.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly eventBus: EventBus;
  readonly userPool: UserPool;
  readonly spaClient: UserPoolClient;
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);

    this.table = new CrmTable(this, 'Data').table;

    this.eventBus = new EventBus(this, 'EventBus', { eventBusName: props.eventBusName });
    this.eventBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // Every domain event is kept for a year: consumers added later can be backfilled by replay.
    const archive = this.eventBus.archive('Archive', {
      description: `Every ${EVENT_SOURCE} event, for replay`,
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(365),
    });
    archive.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const auth = new CrmUserPool(this, 'Auth', {
      spaOrigins: props.spaOrigins,
      domainPrefix: props.authDomainPrefix,
    });
    this.userPool = auth.userPool;
    this.spaClient = auth.spaClient;

    this.configurationSet = new ConfigurationSet(this, 'EmailConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Sending events to the default bus (the only bus SES publishes to), where the emailEvents
    // rule picks them up. Publishing OPEN and CLICK is what turns on SES's open pixel and link
    // rewriting for mail sent with this configuration set.
    this.configurationSet.addEventDestination('TrackingEvents', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.OPEN,
        EmailSendingEvent.CLICK,
      ],
    });

    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.spaClient.userPoolClientId });
    new CfnOutput(this, 'AuthDomain', { value: auth.domain.baseUrl() });
    new CfnOutput(this, 'SesConfigurationSetName', { value: this.configurationSet.configurationSetName });
  }
}
