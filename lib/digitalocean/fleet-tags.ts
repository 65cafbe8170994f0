import { Tag } from '@cdktf/provider-digitalocean/lib/tag';
import { Construct } from 'constructs';
import { COLORS, Color } from '../config';
import { colorTagName, fleetTagName } from './tag-names';

/** Props for {@link FleetTags}. */
export interface FleetTagsProps {
  /** Application name, e.g. `shop`. */
  readonly app: string;
  /** Environment name, e.g. `dev`. */
  readonly env: string;
}

/**
 * The tags that select the environment's droplets: `<app>-<env>` on every droplet (firewall, database
 * firewall) and `<app>-<env>-<color>` per color (the load balancers' `droplet_tag`). Created once, in the
 * shared stack, so the firewalls that refer to them exist before any droplet does.
 */
export class FleetTags extends Construct {
  /** The tag every app droplet carries. */
  public readonly fleet: Tag;
  /** One tag per color. */
  public readonly colors: Readonly<Record<Color, Tag>>;

  constructor(scope: Construct, id: string, props: FleetTagsProps) {
    super(scope, id);
    this.fleet = new Tag(this, 'fleet', { name: fleetTagName(props.app, props.env) });
    const colors = {} as Record<Color, Tag>;
    for (const color of COLORS)
      colors[color] = new Tag(this, color, { name: colorTagName(props.app, props.env, color) });
    this.colors = colors;
  }
}
