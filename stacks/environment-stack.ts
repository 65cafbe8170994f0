import * as path from 'path';
import { App, Aspects, LocalBackend, S3Backend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { Color, EnvironmentConfig } from '../lib/config';
import { EscapeTemplateLiterals } from '../lib/escape-template-literals';
import { StackRole, stackName } from './contract';

/** Value of the `managed-by` tag on every resource. */
export const MANAGED_BY = 'cdktf-bluegreen';

/** Props shared by every stack of an environment. */
export interface EnvironmentStackProps {
  /** The environment's validated values. */
  readonly config: EnvironmentConfig;
}

/**
 * Base of every stack: names it `<env>-<role>`, gives it its own Terraform state (S3 with native locking and
 * encryption, key `<keyPrefix>/<stack>.tfstate`; or a local file), and computes the default tags.
 */
export abstract class EnvironmentStack extends TerraformStack {
  /** The environment's values. */
  public readonly config: EnvironmentConfig;
  /** This stack's role. */
  public readonly role: StackRole;
  /** The color this stack deploys, for color stacks. */
  public readonly color?: Color;

  protected constructor(scope: Construct, role: StackRole, props: EnvironmentStackProps) {
    super(scope, stackName(props.config.name, role));
    this.config = props.config;
    this.role = role;
    if (role === 'blue' || role === 'green') this.color = role;
    configureBackend(this, props.config);
    // Literal `${`/`%{` from any source (values, rendered configs) reaches the JSON escaped; references stay.
    Aspects.of(this).add(new EscapeTemplateLiterals());
  }

  /** Tags every resource of this stack carries: the environment's tags plus environment, stack, color, managed-by. */
  public get defaultTags(): Record<string, string> {
    return {
      ...this.config.tags,
      environment: this.config.name,
      stack: this.node.id,
      ...(this.color ? { color: this.color } : {}),
      'managed-by': MANAGED_BY,
    };
  }
}

/** Configures the stack's state backend from the environment's `backend` values. */
function configureBackend(stack: TerraformStack, config: EnvironmentConfig): void {
  const name = stack.node.id;
  const backend = config.backend;
  if (backend.type === 's3') {
    const s3 = new S3Backend(stack, {
      bucket: backend.bucket,
      region: backend.region,
      key: `${backend.keyPrefix}/${name}.tfstate`,
      encrypt: true,
      // An S3-compatible store (DigitalOcean Spaces, MinIO): no STS/IAM to ask for the account, no AWS
      // checksum headers, path-style addressing (works on Spaces and on servers without wildcard DNS).
      ...(backend.endpoint
        ? {
            endpoints: { s3: backend.endpoint },
            skipCredentialsValidation: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
            skipRequestingAccountId: true,
            skipS3Checksum: true,
            usePathStyle: true,
          }
        : {}),
    });
    // Terraform >= 1.10 locks with a conditional write of <key>.tflock; no DynamoDB table needed.
    s3.addOverride('use_lockfile', true);
    return;
  }
  // Local state lives at the project root, as terraform.<stack>.tfstate, written relative to the stack's
  // working directory (<outdir>/stacks/<stack>) so the synthesized JSON is the same on every machine.
  const outdir = App.of(stack).outdir;
  const stackDir = path.join(path.resolve(outdir), 'stacks', name);
  const rel = path.relative(stackDir, process.cwd()) || '.';
  new LocalBackend(stack, { path: path.posix.join(rel.split(path.sep).join('/'), `terraform.${name}.tfstate`) });
}
