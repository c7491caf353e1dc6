import { Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { synthApp } from './app-fixture.ts';

/** Every acknowledgement in the tree: rule id → reasons. */
const acknowledgements = (root: IConstruct) => {
  const found = new Map<string, string[]>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        found.set(rule, [...(found.get(rule) ?? []), reason]);
      }
    }
  }
  return found;
};

describe('cdk-nag (AWS Solutions)', () => {
  it('finds nothing unacknowledged in either stack, errors or warnings', () => {
    const { app } = synthApp();
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((violation) => `${violation.severity} ${violation.ruleName}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('passes as the synth plugin too (as app.ts registers it)', () => {
    const { app } = synthApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('does report a finding nobody acknowledged (the check is live)', () => {
    const { app, service } = synthApp();
    new Queue(service, 'UnprotectedQueue');
    const rules = new AwsSolutionsChecks(app)
      .validateScope(app)
      .violations.map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('acknowledges only the reviewed rules, each with a specific reason', () => {
    const { app } = synthApp();
    const found = acknowledgements(app);
    expect([...found.keys()].sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-COG8',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<CampaignSchedulingGroupCDC1538C>/*]',
        'AwsSolutions-L1',
        'AwsSolutions-SQS3',
      ].sort(),
    );
    for (const reason of [...found.values()].flat()) expect(reason.length).toBeGreaterThan(40);
  });
});
