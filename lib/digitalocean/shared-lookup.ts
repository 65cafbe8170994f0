import { DataDigitaloceanProjects } from '@cdktf/provider-digitalocean/lib/data-digitalocean-projects';
import { DataDigitaloceanVpc } from '@cdktf/provider-digitalocean/lib/data-digitalocean-vpc';
import { Fn, Op, TerraformSelf, Token } from 'cdktf';
import { Construct } from 'constructs';
import { DoSharedNames, sharedMissingMessage } from '../../stacks/contract';

/** Props for {@link SharedLookup}. */
export interface SharedLookupProps {
  /** Environment name; the error names `<env>-shared`. */
  readonly environment: string;
  /** The names `<env>-shared` gave its project and VPC (`doSharedNames` of the contract). */
  readonly names: DoSharedNames;
}

/**
 * Finds what `<env>-shared` created on DigitalOcean (no parameter store there) by name, with data sources read at
 * plan time and no access to the shared stack's state: the project (a `digitalocean_projects` filter, whose
 * postcondition stops the plan with "`<env>-shared` has not been deployed ...: deploy it first with
 * `npx cdktf deploy <env>-shared`" when it does not exist) and then the VPC.
 */
export class SharedLookup extends Construct {
  /** The project lookup (exactly one project of that name). */
  public readonly projects: DataDigitaloceanProjects;
  /** The VPC lookup. */
  public readonly vpc: DataDigitaloceanVpc;
  /** ID of the project. */
  public readonly projectId: string;
  /** ID of the VPC. */
  public readonly vpcId: string;

  constructor(scope: Construct, id: string, props: SharedLookupProps) {
    super(scope, id);
    this.projects = new DataDigitaloceanProjects(this, 'project', {
      filter: [{ key: 'name', values: [props.names.project] }],
      lifecycle: {
        postcondition: [
          {
            condition: Op.eq(Fn.lengthOf(TerraformSelf.getAny('projects')), 1),
            errorMessage: `${sharedMissingMessage(props.environment)}. No single DigitalOcean project is named "${props.names.project}"`,
          },
        ],
      },
    });
    // Read after the project check, so a missing shared stack reports the message above, not "no VPC found".
    this.vpc = new DataDigitaloceanVpc(this, 'vpc', { name: props.names.vpc, dependsOn: [this.projects] });
    this.projectId = Token.asString(this.projects.projects.get(0).id);
    this.vpcId = this.vpc.id;
  }
}
