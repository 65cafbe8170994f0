import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { Construct } from 'constructs';
import { propsValidator } from '../construct-errors';
import { AWS_NAME_RULES, releaseParameterName, validateAwsName } from './aws-names';
import { GrantPolicyProps, IKmsKeyRef } from './references';

/** The release a color runs, as written to Parameter Store. */
export interface ReleaseDescription {
  /** Semantic version, e.g. `1.5.0`. */
  readonly version: string;
  /** Machine image (AMI id). */
  readonly image: string;
  /**
   * OCI artifact pinned by digest (`<repo>@sha256:<64 hex>`).
   * @default - none: the release is the machine image alone
   */
  readonly artifact?: string;
}

/** Props for {@link ReleaseParameter}. */
export interface ReleaseParameterProps {
  /** App name (first path segment). */
  readonly app: string;
  /** Environment name. */
  readonly environment: string;
  /** The color whose release this is. */
  readonly color: string;
  /** The release. */
  readonly release: ReleaseDescription;
  /** The AWS region of the parameter (`region` of the values), for the ARN in {@link ReleaseParameter.grantRead}. */
  readonly region: string;
  /**
   * Store the value as a `SecureString` (encrypted with `encryptionKey`): for releases whose configuration is secret.
   * @default false
   */
  readonly secure?: boolean;
  /**
   * KMS key for a `SecureString` (a `KmsKey`, or `{ arn }` of a key or an alias).
   * @default - the account's `alias/aws/ssm` key
   */
  readonly encryptionKey?: IKmsKeyRef;
}

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;

/**
 * The release configuration of one color in SSM Parameter Store, at `/<app>/<env>/<color>/release`: a JSON
 * document with the version, image and artifact digest the color runs. It lives in the color's stack, so a
 * release changes that color's stack only; servers and tools read it instead of re-deriving it.
 */
export class ReleaseParameter extends Construct {
  /** The parameter. */
  public readonly parameter: SsmParameter;
  /** The parameter name, `/<app>/<env>/<color>/release`. */
  public readonly parameterName: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: ReleaseParameterProps) {
    super(scope, id);
    const { check, fail } = propsValidator(this);
    for (const key of ['app', 'environment', 'color'] as const) {
      check(props[key] as string, (value) =>
        SEGMENT.test(value)
          ? undefined
          : `${key} "${value}" must be letters, digits, "_", "." or "-" (it becomes a parameter path segment). Fix: rename ${key} with those characters only`,
      );
    }
    if (props.encryptionKey && !props.secure)
      fail('encryptionKey is only used for a SecureString. Fix: set secure: true or drop encryptionKey');
    check(props.release.artifact, (artifact) =>
      /@sha256:[a-f0-9]{64}$/.test(artifact)
        ? undefined
        : `artifact "${artifact}" is not pinned by digest (<repo>@sha256:<64 hex>). Fix: give the artifact as <repo>@sha256:<digest>`,
    );
    this.region = props.region;
    this.parameterName = releaseParameterName(props.app, props.environment, props.color);
    validateAwsName(this, 'app', props.app, AWS_NAME_RULES.ssmParameter, this.parameterName);
    const value = releaseParameterValue(props);
    this.parameter = new SsmParameter(this, 'parameter', {
      name: this.parameterName,
      description: `Release of ${props.app} ${props.environment} ${props.color}`,
      type: props.secure ? 'SecureString' : 'String',
      ...(props.secure && props.encryptionKey ? { keyId: props.encryptionKey.arn } : {}),
      tier: 'Standard',
      value,
    });
  }

  /**
   * Grants reading this parameter (and only this one) through a managed IAM policy, for the color's servers; for a
   * `SecureString`, decryption is the KMS key's business (the default `alias/aws/ssm` key allows it via SSM).
   */
  public grantRead(id: string, props: GrantPolicyProps): IamPolicy {
    const name = props.name;
    validateAwsName(this, 'grant name', name, AWS_NAME_RULES.iamPolicy);
    const account = new DataAwsCallerIdentity(this, `${id}-account`);
    const partition = new DataAwsPartition(this, `${id}-partition`);
    const arn = `arn:${partition.partition}:ssm:${this.region}:${account.accountId}:parameter${this.parameterName}`;
    return new IamPolicy(this, id, {
      name,
      description: `Read ${this.parameterName}`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'ReadRelease', Effect: 'Allow', Action: ['ssm:GetParameter', 'ssm:GetParameters'], Resource: arn },
        ],
      }),
    });
  }
}

/** The parameter's value: a stable, sorted JSON document (pure function of the props). */
export function releaseParameterValue(
  props: Pick<ReleaseParameterProps, 'app' | 'environment' | 'color' | 'release'>,
): string {
  const doc: Record<string, string> = {
    app: props.app,
    color: props.color,
    environment: props.environment,
    image: props.release.image,
    version: props.release.version,
  };
  if (props.release.artifact) doc.artifact = props.release.artifact;
  return JSON.stringify(Object.fromEntries(Object.entries(doc).sort(([a], [b]) => a.localeCompare(b))));
}
