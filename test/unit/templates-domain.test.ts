import { describe, expect, it } from 'vitest';
import type { Actor } from '#shared/domain/actor';
import { Forbidden, Unprocessable, ValidationFailed } from '#shared/domain/errors';
import { SAMPLE_CUSTOMER, splitName, templateVariables } from '#shared/domain/template-variables';
import { assertMayManageTemplates, assertValidTemplate, renderTemplate } from '#shared/domain/templates';

const context = {
  unsubscribeUrl: 'https://api.example.com/unsubscribe/abc?x=1&y=2',
  postalAddress: '1 Main St',
};
const variables = (overrides: Partial<typeof SAMPLE_CUSTOMER> = {}) =>
  templateVariables({ ...SAMPLE_CUSTOMER, ...overrides }, context);

const issuesOf = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationFailed);
    return (error as ValidationFailed).issues;
  }
  throw new Error('expected a ValidationFailed');
};

describe('template variables', () => {
  it('are built from the customer, null where it has no value', () => {
    const v = templateVariables(
      {
        ...SAMPLE_CUSTOMER,
        name: 'Grace Brewster Hopper',
        company: undefined,
        customFields: { plan: 'pro' },
      },
      { ...context, campaign: { id: '01JDQ60000000000000000CA01', name: 'Spring' } },
    );
    expect(v.customer).toMatchObject({
      firstName: 'Grace',
      lastName: 'Brewster Hopper',
      email: 'ada@example.com',
      company: null,
      customFields: { plan: 'pro' },
    });
    expect(v.campaign).toEqual({ id: '01JDQ60000000000000000CA01', name: 'Spring' });
    expect(templateVariables(SAMPLE_CUSTOMER, context).campaign).toEqual({ id: null, name: null });
    expect(splitName('Cher')).toEqual({ firstName: 'Cher', lastName: null });
  });
});

describe('template validation on write', () => {
  it('names the field, line and column of a syntax error', () => {
    const issues = issuesOf(() => assertValidTemplate({ html: '<p>Hi</p>\n{% if customer.name %}\nno end' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ in: 'body', field: 'html' });
    expect(issues[0]?.detail).toMatch(/^Template syntax error at line 2, column \d+: .*not closed/);
  });

  it('refuses unknown variables and unknown filters, naming where they are', () => {
    const issues = issuesOf(() =>
      assertValidTemplate({ subject: 'Hi {{ customer.firstname }}', text: '{{ name | shout }}' }),
    );
    expect(issues.map((i) => i.field).sort()).toEqual(['subject', 'text']);
    expect(issues.find((i) => i.field === 'subject')?.detail).toBe(
      'Unknown variable customer.firstname at line 1, column 7',
    );
    expect(issues.find((i) => i.field === 'text')?.detail).toContain('undefined filter: shout');
  });

  it('has no file system: include, render and layout are not tags, raw is not a filter', () => {
    for (const source of ['{% include "secrets" %}', '{% render "x" %}', '{% layout "x" %}']) {
      expect(issuesOf(() => assertValidTemplate({ html: source }))[0]?.detail).toMatch(/tag "\w+" not found/);
    }
    expect(issuesOf(() => assertValidTemplate({ html: '{{ customer.name | raw }}' }))[0]?.detail).toContain(
      'undefined filter: raw',
    );
  });

  it('accepts the documented variables, defaults, conditionals, loops and custom fields', () => {
    expect(() =>
      assertValidTemplate({
        subject: 'Hello {{ customer.firstName | default: "there" }}',
        html:
          '{% if customer.company %}<p>{{ customer.company }}</p>{% endif %}' +
          '{% for tag in customer.tags %}{{ tag | upcase }}{% endfor %}{{ customer.customFields.plan }}' +
          '<a href="{{ unsubscribeUrl }}">x</a>{{ campaign.name }}{{ sender.postalAddress }}',
        text: '{% assign n = customer.name %}{{ n }}',
      }),
    ).not.toThrow();
  });
});

describe('rendering', () => {
  const template = {
    subject: 'Hi {{ customer.firstName | default: "there" }}',
    html: '<p>{{ customer.name }}</p><a href="{{ unsubscribeUrl }}">u</a>{% for t in customer.tags %}[{{ t }}]{% endfor %}',
    text: 'Hi {{ customer.name }} {{ customer.company | default: "your team" }}',
  };

  it('escapes HTML in the HTML body only', async () => {
    const out = await renderTemplate(
      template,
      variables({ name: '<script>x</script> Lee', company: undefined }),
    );
    expect(out.html).toContain('<p>&lt;script&gt;x&lt;/script&gt; Lee</p>');
    expect(out.html).toContain('href="https://api.example.com/unsubscribe/abc?x=1&amp;y=2"');
    expect(out.html).toContain('[vip][newsletter]');
    expect(out.text).toBe('Hi <script>x</script> Lee your team');
    expect(out.subject).toBe('Hi <script>x</script>');
  });

  it('never prints prototype properties', async () => {
    const out = await renderTemplate(
      {
        subject: 's',
        html: '{{ customer.constructor }}{{ customer.tags.constructor.name }}|',
        text: '{{ customer.__proto__ }}|',
      },
      variables(),
    );
    expect(out.html).toBe('|');
    expect(out.text).toBe('|');
  });

  it('keeps the subject on one line', async () => {
    const out = await renderTemplate(
      { ...template, subject: 'A\n{{ customer.firstName }}\r\nB' },
      variables(),
    );
    expect(out.subject).toBe('A Ada B');
  });

  it('stops a render that would allocate too much, naming the part', async () => {
    const huge = { ...template, text: '{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}' };
    const error = await renderTemplate(huge, variables()).catch((e) => e);
    expect(error).toBeInstanceOf(Unprocessable);
    expect(error.issues[0]).toMatchObject({ field: 'text' });
  });

  it('refuses output over the size limit', async () => {
    const big = {
      ...template,
      html: '{% for i in (1..3000) %}{{ customer.name }}{{ customer.name }}{{ customer.name }}{{ customer.name }}{{ customer.name }}{% endfor %}',
    };
    const error = await renderTemplate(big, variables({ name: 'x'.repeat(200) })).catch((e) => e);
    expect(error).toBeInstanceOf(Unprocessable);
    expect(error.issues[0]?.field).toBe('html');
  });
});

describe('who may manage templates', () => {
  const actor = (role: Actor['roles'][number]): Actor => ({ userId: 'u', roles: [role], correlationId: 'c' });
  it.each(['admin', 'manager', 'marketing'] as const)('%s may', (role) => {
    expect(() => assertMayManageTemplates(actor(role))).not.toThrow();
  });
  it.each(['sales', 'support'] as const)('%s may not', (role) => {
    expect(() => assertMayManageTemplates(actor(role))).toThrow(Forbidden);
  });
});
