/**
 * Names of the DigitalOcean tags this library puts on droplets. DigitalOcean selects droplets by tag (firewalls,
 * load balancers, database firewalls), so these names are how the stacks find each other's droplets; they are
 * pure functions of the values, identical in every stack.
 */
import { Color } from '../config';
import { doResourceNames } from '../../stacks/contract';

/** Characters DigitalOcean accepts in a tag name; everything else becomes `-`. */
const TAG_UNSAFE = /[^A-Za-z0-9:_-]/g;

/** The tag every droplet of the environment carries (both colors): `<app>-<env>`. */
export function fleetTagName(app: string, env: string): string {
  return doResourceNames(app, env).fleetTag;
}

/** The tag of one color's droplets, the load balancers' `droplet_tag`: `<app>-<env>-<color>`. */
export function colorTagName(app: string, env: string, color: Color): string {
  return doResourceNames(app, env).colorTags[color];
}

/**
 * Maps key/value tags to DigitalOcean's bare tag names: `key:value`, with characters DigitalOcean refuses
 * (dots, slashes, spaces...) replaced by `-`, at most 255 characters each, sorted and without duplicates.
 */
export function toDoTags(tags: Readonly<Record<string, string>>): string[] {
  const names = Object.entries(tags).map(([k, v]) => `${k}:${v}`.replace(TAG_UNSAFE, '-').slice(0, 255));
  return [...new Set(names)].sort();
}
