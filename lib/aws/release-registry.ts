import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { Construct } from 'constructs';
import { isUnresolvedValue, propsValidator } from '../construct-errors';
import { AWS_NAME_RULES, ecrKeyAliasName, validateAwsName } from './aws-names';
import { addDedicatedKey } from './dedicated-key';
import { protectStateful } from './stateful';
import { GrantPolicyProps } from './references';

/** Props for {@link ReleaseRegistry}. */
export interface ReleaseRegistryProps {
  /**
   * Repository name, unique per account and region: per environment, `<app>/<env>` (e.g. `shop/prod`, see
   * `ecrRepositoryName`), so two environments can share an account; images are pulled as `<registry>/<name>@sha256:...`.
   */
  readonly repositoryName: string;
  /**
   * How many images to keep (the most recently pushed); older ones expire. Keep enough for every release
   * you may roll back to.
   * @default 200
   */
  readonly keepImages?: number;
  /**
   * Days an untagged image (an interrupted or superseded push) is kept.
   * @default 7
   */
  readonly untaggedExpiryDays?: number;
  /**
   * Days before a deleted KMS key is destroyed.
   * @default 30
   */
  readonly keyDeletionWindowInDays?: number;
  /**
   * Terraform's `prevent_destroy` on the repository and its key (and `skip_destroy` on log groups): a plan that would delete
   * them fails. `false` is the opt-out for disposable environments (the guardrail finding is then suppressed with
   * that reason).
   * @default true
   */
  readonly preventDestroy?: boolean;
}

/**
 * The release registry: one ECR repository per app and environment with immutable tags (a tag, once pushed, always names the
 * same image), scan on push, KMS encryption with a dedicated rotating key, and a lifecycle policy that drops
 * untagged images quickly and keeps the newest `keepImages`. Releases are consumed by digest only (the values
 * schema refuses mutable references), so a redeploy runs exactly what was tested.
 */
export class ReleaseRegistry extends Construct {
  /** The repository. */
  public readonly repository: EcrRepository;
  /** The repository's KMS key. */
  public readonly key: KmsKey;
  /** The key's alias, `alias/ecr-<name>`. */
  public readonly alias: KmsAlias;
  /** The lifecycle policy. */
  public readonly lifecyclePolicy: EcrLifecyclePolicy;

  constructor(scope: Construct, id: string, props: ReleaseRegistryProps) {
    super(scope, id);
    const name = props.repositoryName;
    validateAwsName(this, 'repositoryName', name, AWS_NAME_RULES.ecrRepository);
    const aliasName = ecrKeyAliasName(name);
    validateAwsName(this, 'repositoryName', name, AWS_NAME_RULES.kmsAlias, aliasName);
    const keep = lifecycleCount(this, 'keepImages', props.keepImages ?? 200);
    const untaggedDays = lifecycleCount(this, 'untaggedExpiryDays', props.untaggedExpiryDays ?? 7);

    ({ key: this.key, alias: this.alias } = addDedicatedKey(this, {
      description: `ECR repository ${name}`,
      alias: aliasName,
      deletionWindowInDays: props.keyDeletionWindowInDays,
    }));

    this.repository = new EcrRepository(this, 'repository', {
      name,
      imageTagMutability: 'IMMUTABLE',
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: this.key.arn }],
      forceDelete: false,
    });
    protectStateful([this.repository, this.key], props.preventDestroy);
    this.lifecyclePolicy = new EcrLifecyclePolicy(this, 'lifecycle', {
      repository: this.repository.name,
      policy: JSON.stringify(releaseLifecycleRules(keep, untaggedDays)),
    });
  }

  /** The repository URL, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`; pin images as `<url>@sha256:<digest>`. */
  public get repositoryUrl(): string {
    return this.repository.repositoryUrl;
  }

  /**
   * Grants pulling images from this repository (and nothing else) through a managed IAM policy: the registry login
   * token, layer download and image read (ECR decrypts with the repository key through its own grant). Attach the
   * policy to the grantee's role (`ColorFleetProps.managedPolicies`).
   */
  public grantPull(id: string, props: GrantPolicyProps): IamPolicy {
    validateAwsName(this, 'grant name', props.name, AWS_NAME_RULES.iamPolicy);
    return new IamPolicy(this, id, {
      name: props.name,
      description: `Pull images from ECR repository ${this.repository.name}`,
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
          {
            Sid: 'PullImages',
            Effect: 'Allow',
            Action: [
              'ecr:BatchGetImage',
              'ecr:GetDownloadUrlForLayer',
              'ecr:BatchCheckLayerAvailability',
              'ecr:DescribeImages',
            ],
            Resource: this.repository.arn,
          },
        ],
      }),
    });
  }
}

/** The ECR lifecycle rules: untagged images expire after `untaggedDays`; of the rest, the newest `keep` stay. */
export function releaseLifecycleRules(keep: number, untaggedDays: number): { rules: unknown[] } {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${untaggedDays} days`,
        selection: {
          tagStatus: 'untagged',
          countType: 'sinceImagePushed',
          countUnit: 'days',
          countNumber: untaggedDays,
        },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the ${keep} most recent images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: keep },
        action: { type: 'expire' },
      },
    ],
  };
}

/**
 * A count of the lifecycle policy: a whole number >= 1, and literal, since it is written into the policy JSON where
 * Terraform cannot resolve a token.
 */
function lifecycleCount(scope: Construct, prop: string, value: number): number {
  const { fail } = propsValidator(scope);
  if (isUnresolvedValue(value))
    fail(
      `${prop} is a token; it is written into the lifecycle policy JSON, where Terraform cannot resolve it. Fix: give ${prop} as a literal number`,
    );
  if (!Number.isInteger(value) || value < 1)
    fail(`${prop} must be a whole number >= 1, got ${value}. Fix: set ${prop} to a whole number of 1 or more`);
  return value;
}
