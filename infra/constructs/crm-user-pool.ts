import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { ROLES } from '#shared/domain/actor';

export interface CrmUserPoolProps {
  /** Origins of the SPA: its callback and logout URLs. */
  spaOrigins: readonly string[];
  /** Managed-login domain prefix; `cirrus-crm-<account id>` when unset. */
  domainPrefix?: string;
}

/**
 * The staff user pool: users are invited by an admin (no self sign-up), sign in with their e-mail
 * and a TOTP second factor, and get one group per role. The SPA signs in through the managed login
 * pages with the authorization-code flow and PKCE (a public client: no secret).
 */
export class CrmUserPool extends Construct {
  readonly userPool: UserPool;
  readonly spaClient: UserPoolClient;
  readonly domain: UserPoolDomain;

  constructor(scope: Construct, id: string, props: CrmUserPoolProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.ESSENTIALS,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG8',
      reason:
        'Essentials tier: the Plus tier (threat protection) is billed per active user, and this staff-only ' +
        'pool already has no self sign-up and requires MFA. Revisit if customers ever sign in.',
    });

    // Lower precedence wins when a user is in several groups (the token's cognito:preferred_role).
    ROLES.forEach((role, precedence) => {
      this.userPool.addGroup(`${role[0]?.toUpperCase()}${role.slice(1)}Group`, {
        groupName: role,
        description: `Cirrus CRM role "${role}"`,
        precedence,
      });
    });

    const urls = props.spaOrigins.map((origin) => `${origin.replace(/\/+$/, '')}/`);
    this.spaClient = this.userPool.addClient('SpaClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: urls,
        logoutUrls: urls,
      },
      // Short-lived tokens: a removed user or role stops working within 15 minutes.
      accessTokenValidity: Duration.minutes(15),
      idTokenValidity: Duration.minutes(15),
      refreshTokenValidity: Duration.hours(10),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `cirrus-crm-${Aws.ACCOUNT_ID}` },
    });
  }
}
