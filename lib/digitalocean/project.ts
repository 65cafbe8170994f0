import { Project as ProjectResource } from '@cdktf/provider-digitalocean/lib/project';
import { Construct } from 'constructs';

/** Props for {@link Project}. */
export interface ProjectProps {
  /** Project name, e.g. `shop-dev`. */
  readonly name: string;
  /**
   * DigitalOcean's environment label.
   * @default 'Development'
   */
  readonly environment?: 'Development' | 'Staging' | 'Production';
  /**
   * Description shown in the control panel.
   * @default - names the environment and who manages it
   */
  readonly description?: string;
}

/**
 * The DigitalOcean project grouping an environment's resources. It lists no resources itself: each stack
 * attaches its own (`digitalocean_project_resources` or a resource's `project_id`), so a color stack never has
 * to touch the shared one.
 */
export class Project extends Construct {
  /** The project. */
  public readonly project: ProjectResource;

  constructor(scope: Construct, id: string, props: ProjectProps) {
    super(scope, id);
    this.project = new ProjectResource(this, 'project', {
      name: props.name,
      environment: props.environment ?? 'Development',
      purpose: 'Web Application',
      description: props.description ?? `${props.name}: blue/green environment (managed by cdktf-bluegreen)`,
    });
  }
}
