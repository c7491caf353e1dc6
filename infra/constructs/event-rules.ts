import { Duration } from 'aws-cdk-lib';
import { EventBus, type EventPattern, type IEventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RuleDefinition } from '#events/rules';
import type { LambdaFunctionName } from '#functions/catalog';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/**
 * How long EventBridge keeps retrying a target it cannot reach (throttled, deleted…) before the
 * event goes to the rule's DLQ. Explicit, because the default (24 h, 185 attempts) hides outages.
 */
export const RULE_TARGET_RETRY = { maxEventAge: Duration.hours(6), retryAttempts: 20 } as const;

export interface EventRulesProps {
  bus: IEventBus;
  rules: readonly RuleDefinition[];
  functions: Record<LambdaFunctionName, IFunction>;
}

/**
 * One rule per entry of events/rules.ts (the table the local bus uses too), each targeting its
 * consumer with an explicit retry policy and its own dead-letter queue.
 */
export class EventRules extends Construct {
  readonly rules = new Map<string, Rule>();

  constructor(scope: Construct, id: string, props: EventRulesProps) {
    super(scope, id);
    // AWS services (SES's configuration set events) publish on the account's default bus.
    const defaultBus = props.rules.some((definition) => definition.bus === 'default')
      ? EventBus.fromEventBusName(this, 'DefaultBus', 'default')
      : undefined;
    for (const definition of props.rules) {
      const bus = definition.bus === 'default' && defaultBus ? defaultBus : props.bus;
      const dlq = new DeadLetterQueue(this, `${definition.name}Dlq`, {
        description: `Events of rule ${definition.name} that EventBridge could not deliver to ${definition.target}; redrive them once the cause is fixed.`,
      });
      const rule = new Rule(this, definition.name, {
        eventBus: bus,
        description: definition.description,
        // events/rules.ts holds raw EventBridge patterns ('detail-type', not detailType); the
        // L2 copies unknown keys through unchanged.
        eventPattern: definition.pattern as EventPattern,
        targets: [
          new LambdaFunction(props.functions[definition.target], {
            deadLetterQueue: dlq.queue,
            ...RULE_TARGET_RETRY,
          }),
        ],
      });
      this.rules.set(definition.name, rule);
    }
  }
}
