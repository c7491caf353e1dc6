import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LambdaFunctionName } from '#functions/catalog';
import { CORS } from '#shared/api/cors';
import type { Operation } from '#shared/api/operation';
import { routeKey } from '#shared/api/routes';

export interface CrmHttpApiProps {
  userPool: IUserPool;
  spaClient: IUserPoolClient;
  /** CORS allow-list; no CORS configuration at all when empty. */
  allowedOrigins: readonly string[];
  /** Methods the routes use, for the CORS preflight answer. */
  methods: readonly Operation['method'][];
  throttle: { rateLimit: number; burstLimit: number };
}

/** Fields of each access-log line (HTTP API context variables), one JSON object per request. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
  userId: '$context.authorizer.claims.sub',
};

/**
 * The HTTP API: a `$default` stage with throttling and JSON access logs, the Cognito JWT
 * authorizer (issuer = the user pool, audience = the SPA client), CORS for the SPA, and one route
 * per operation of the route table (see `addOperations`).
 */
export class CrmHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** `https://<id>.execute-api.<region>.<suffix>` without a trailing slash. */
  readonly baseUrl: string;
  private readonly authorizer: HttpUserPoolAuthorizer;
  private readonly integrations = new Map<IFunction, HttpLambdaIntegration>();

  constructor(scope: Construct, id: string, props: CrmHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: 'cirrus-crm',
      description: 'Cirrus CRM API',
      createDefaultStage: false,
      corsPreflight:
        props.allowedOrigins.length === 0
          ? undefined
          : {
              allowOrigins: [...props.allowedOrigins],
              allowMethods: [...new Set(props.methods)].map((method) => CorsHttpMethod[method]),
              allowHeaders: [...CORS.allowHeaders],
              exposeHeaders: [...CORS.exposeHeaders],
              maxAge: Duration.seconds(CORS.maxAgeSeconds),
              allowCredentials: CORS.allowCredentials,
            },
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const stack = Stack.of(this);
    this.baseUrl = `https://${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;

    // API Gateway checks signature, issuer, audience (client_id for access tokens) and expiry;
    // roles (cognito:groups) and ownership are checked by our middleware and domain code.
    this.authorizer = new HttpUserPoolAuthorizer('CognitoAuthorizer', props.userPool, {
      userPoolClients: [props.spaClient],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /** One route per operation, integrated with the function the operation names. */
  addOperations(operations: readonly Operation[], functions: Record<LambdaFunctionName, IFunction>): void {
    for (const operation of operations) {
      const route = new HttpRoute(
        this,
        `Route${operation.operationId[0]?.toUpperCase()}${operation.operationId.slice(1)}`,
        {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(operation.path, HttpMethod[operation.method]),
          integration: this.integrationFor(functions[operation.function]),
          authorizer: operation.auth === 'jwt' ? this.authorizer : undefined,
        },
      );
      if (operation.auth === 'none') {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${routeKey(operation)} (${operation.operationId}) is public by design: auth 'none' in the route table (shared/api/routes.ts), where that choice is made and reviewed.`,
        });
      }
    }
  }

  /**
   * One integration (and one invoke permission for the whole API) per function, however many
   * routes it serves: per-route permissions would grow the function's resource policy with every
   * route until it hits the 20 KB limit.
   */
  private integrationFor(fn: IFunction): HttpLambdaIntegration {
    let integration = this.integrations.get(fn);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${fn.node.scope?.node.id ?? fn.node.id}Integration`, fn, {
        scopePermissionToRoute: false,
      });
      this.integrations.set(fn, integration);
    }
    return integration;
  }
}
