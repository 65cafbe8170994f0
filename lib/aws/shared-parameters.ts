import { DataAwsSsmParametersByPath } from '@cdktf/provider-aws/lib/data-aws-ssm-parameters-by-path';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Fn, Op, TerraformSelf, Token } from 'cdktf';
import { Construct } from 'constructs';
import { checkProp, refuseProps } from '../construct-errors';
import {
  AWS_SHARED_VALUES,
  AwsSharedValueKey,
  sharedMissingMessage,
  sharedParameterPath,
  sharedParameterPrefix,
  stackName,
} from '../../stacks/contract';

/** The separator of a published list (subnet IDs hold no commas). */
const LIST_SEPARATOR = ',';

/** Props for {@link SharedParameters}. */
export interface SharedParametersProps {
  /** Application name, the first path segment. */
  readonly app: string;
  /** Environment name, the second path segment. */
  readonly environment: string;
  /**
   * The value of every published key (lists for `list` values, e.g. `privateSubnetIds`). A `logStoreOnly` value
   * (the log forwarder's policy) is left out when the environment has no managed log store: then no parameter.
   */
  readonly values: { readonly [K in AwsSharedRequiredKey]: AwsSharedValue<K> } & {
    readonly [K in AwsSharedLogStoreKey]?: AwsSharedValue<K>;
  };
}

/** Keys of the values `<env>-shared` publishes only with the managed log store (`logStoreOnly` in the contract). */
export type AwsSharedLogStoreKey = {
  [K in AwsSharedValueKey]: (typeof AWS_SHARED_VALUES)[K] extends { logStoreOnly: true } ? K : never;
}[AwsSharedValueKey];
/** Keys of the values `<env>-shared` always publishes. */
export type AwsSharedRequiredKey = Exclude<AwsSharedValueKey, AwsSharedLogStoreKey>;
/** The value of one published key: a list of identifiers for `list` values, else one identifier. */
export type AwsSharedValue<K extends AwsSharedValueKey> = (typeof AWS_SHARED_VALUES)[K] extends { list: true }
  ? readonly string[]
  : string;

/**
 * What `<env>-shared` publishes for the other stacks of the environment: one `String` SSM parameter per value of
 * the contract (`AWS_SHARED_VALUES`), named `/<app>/<env>/shared/<name>`, holding non-secret identifiers only
 * (subnet and security group IDs, ARNs, the hostname). A plan of `<env>-blue`, `<env>-green` or `<env>-cutover`
 * reads them with {@link SharedLookup}, with `ssm:GetParametersByPath` on that path and no access to the shared
 * stack's state (which holds the log store and VPN secrets).
 */
export class SharedParameters extends Construct {
  /** The parameters, by contract key (a `logStoreOnly` key has none when its value was left out). */
  public readonly parameters: Readonly<Partial<Record<AwsSharedValueKey, SsmParameter>>>;

  constructor(scope: Construct, id: string, props: SharedParametersProps) {
    super(scope, id);
    const values = props.values as Partial<Record<AwsSharedValueKey, string | readonly string[]>>;
    const keys = (Object.keys(AWS_SHARED_VALUES) as AwsSharedValueKey[]).filter((key) => values[key] !== undefined);
    const entries = keys.map((key) => {
      const spec: { name: string; description: string; list?: boolean } = AWS_SHARED_VALUES[key];
      const raw = values[key]!;
      const value = spec.list ? joinList(this, key, raw as readonly string[]) : (raw as string);
      const parameter = new SsmParameter(this, spec.name, {
        name: sharedParameterPath(props.app, props.environment, key),
        description: `${spec.description} (published by ${props.app} ${props.environment} shared for the color and cutover stacks)`,
        type: 'String',
        tier: 'Standard',
        // Identifiers, not secrets: shown in plans so a reviewer sees what changes.
        insecureValue: value,
        tags: { 'published-by': 'shared', 'shared-value': spec.name },
      });
      return [key, parameter] as const;
    });
    this.parameters = Object.fromEntries(entries) as Partial<Record<AwsSharedValueKey, SsmParameter>>;
  }
}

function joinList(scope: Construct, key: string, items: readonly string[]): string {
  checkProp(scope, items, (list) =>
    list.length === 0 ? `${key} is empty. Fix: publish at least one value in ${key}` : undefined,
  );
  return Fn.join(LIST_SEPARATOR, [...items]);
}

/** Props for {@link SharedLookup}. */
export interface SharedLookupProps {
  /** Application name, the first path segment. */
  readonly app: string;
  /** Environment name, the second path segment; the error names `<env>-shared`. */
  readonly environment: string;
  /** The published values this stack reads; the plan fails, naming `<env>-shared`, when one is missing. */
  readonly required: readonly AwsSharedValueKey[];
}

/**
 * Reads what `<env>-shared` published ({@link SharedParameters}) with one `aws_ssm_parameters_by_path` data
 * source on `/<app>/<env>/shared/`. A postcondition checks at plan time that every required value exists and
 * otherwise stops with "`<env>-shared` has not been deployed (or is older than this release): deploy it first
 * with `npx cdktf deploy <env>-shared`". Values are Terraform expressions (tokens), resolved at plan time.
 */
export class SharedLookup extends Construct {
  /** The data source reading every parameter under the path. */
  public readonly parameters: DataAwsSsmParametersByPath;
  /** The parameter names this lookup requires. */
  public readonly requiredNames: readonly string[];
  private readonly app: string;
  private readonly environment: string;
  private readonly required: ReadonlySet<AwsSharedValueKey>;

  constructor(scope: Construct, id: string, props: SharedLookupProps) {
    super(scope, id);
    if (props.required.length === 0)
      refuseProps(this, 'required is empty. Fix: name the published values this stack reads');
    this.app = props.app;
    this.environment = props.environment;
    this.required = new Set(props.required);
    this.requiredNames = [...this.required].map((key) => sharedParameterPath(props.app, props.environment, key));
    const missing = Fn.setsubtract([...this.requiredNames], Token.asList(TerraformSelf.getAny('names')));
    this.parameters = new DataAwsSsmParametersByPath(this, 'parameters', {
      path: sharedParameterPrefix(props.app, props.environment),
      recursive: true,
      withDecryption: false,
      lifecycle: {
        postcondition: [
          {
            // `== 0` would render as `== undefined` (cdktf drops a literal 0 operand), hence `< 1`.
            condition: Op.lt(Fn.lengthOf(missing), 1),
            errorMessage: Token.asString(
              Fn.join('', [
                `${sharedMissingMessage(props.environment)}. Missing: `,
                Fn.join(', ', Token.asList(missing)),
              ]),
            ),
          },
        ],
      },
    });
  }

  /** A published single value, e.g. `get('loadBalancerArn')`. */
  public get(key: AwsSharedValueKey): string {
    if (!this.required.has(key)) {
      refuseProps(
        this,
        `${key} is not in required. Fix: add ${key} to required, so the plan checks that ${stackName(this.environment, 'shared')} publishes it`,
      );
    }
    const byName = Fn.zipmap(this.parameters.names, Fn.nonsensitive(this.parameters.values));
    return Token.asString(Fn.lookup(byName, sharedParameterPath(this.app, this.environment, key)));
  }

  /** A published list, e.g. `getList('privateSubnetIds')`. */
  public getList(key: AwsSharedValueKey): string[] {
    return Fn.split(LIST_SEPARATOR, this.get(key));
  }
}
