/**
 * Construct ids are public API: Terraform addresses derive from them, and a changed id destroys and recreates the
 * resource. Where an id changes (a list index becomes a key), the new resource says where it came from with a
 * Terraform `moved` block, so `terraform plan` shows a move instead of a replacement.
 */
import { Lazy, TerraformResource, TerraformStack, Token } from 'cdktf';
import { Node } from 'constructs';

/** The `moved` blocks of each stack, rendered at synth (see {@link movedFromId}). */
const MOVES = new WeakMap<TerraformStack, Array<{ readonly resource: TerraformResource; readonly from: string }>>();

/**
 * Adds a `moved { from = <old address>, to = <this resource> }` block for a resource whose construct id changed
 * from `oldId` (same parent). The old address is computed by the stack's own logical-id scheme, so it is the address
 * the previous release synthesized. Harmless where nothing was deployed under the old address.
 *
 * The blocks are written as a stack-level `moved` list rather than through cdktf's `moveFromId`: for a stack with a
 * `moveFromId` move, cdktf's synth runs `terraform version` (a Terraform >= 1.5 validation) and fails where no
 * `terraform` binary is installed; a synthesized stack must not need one (and the check cost ~45 ms per stack).
 */
export function movedFromId<T extends TerraformResource>(resource: T, oldId: string): T {
  if (oldId === resource.node.id) return resource;
  const stack = TerraformStack.of(resource);
  const scopes = resource.node.scopes;
  // A stand-in for the construct's node under its old id: getLogicalId reads only `scopes` and each `node.id`.
  const oldNode = { scopes: [...scopes.slice(0, -1), { node: { id: oldId } }] } as unknown as Node;
  const from = `${resource.terraformResourceType}.${stack.getLogicalId(oldNode)}`;
  let moves = MOVES.get(stack);
  if (!moves) {
    const list: Array<{ readonly resource: TerraformResource; readonly from: string }> = [];
    moves = list;
    MOVES.set(stack, list);
    // Resolved at synth, so a logical id overridden later is the one the block names.
    stack.addOverride(
      'moved',
      Lazy.anyValue({
        produce: () =>
          list.map((m) => ({ to: `${m.resource.terraformResourceType}.${m.resource.friendlyUniqueId}`, from: m.from })),
      }),
    );
  }
  moves.push({ resource, from });
  return resource;
}

/**
 * A construct-id segment for a value that identifies a resource (a CIDR, an AZ name): `10.20.0.0/16` becomes
 * `10-20-0-0-16`. An unresolved token has no stable text, so it keeps its list index.
 */
export function idKey(value: string, index: number): string {
  return Token.isUnresolved(value) ? String(index) : value.replace(/[^A-Za-z0-9-]/g, '-');
}
