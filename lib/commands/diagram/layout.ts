/**
 * Where each box, stack group and arrow of a {@link Diagram} goes in the SVG: pure geometry, no markup.
 *
 * Boxes sit on a grid of slots (columns) and rows; each stack is one row band, so its boxes are contiguous and the
 * group drawn around them encloses nothing else. AWS, top to bottom: outside (users, smoke tests, office),
 * `<env>-shared` (load balancer, log store, registry, archive, VPN), `<env>-cutover` (the listeners), then
 * `<env>-blue` and `<env>-green` side by side. DigitalOcean: outside, `<env>-cutover` (the load balancers), the colors,
 * `<env>-shared` (log store, Spaces). Each listener or load balancer sits above the color it serves, so the traffic and
 * test arrows do not cross; arrows to a shared service above the fleets run below them and up an empty column.
 */
import { COLORS, Color } from '../../config';
import { StackRole } from '../../../stacks/contract';
import { Diagram, DiagramEdge, DiagramGroup } from './model';

/** Box and grid sizes, in SVG user units (px). */
export const GRID = {
  /** Box width. */
  boxWidth: 260,
  /** Box height (four lines of text). */
  boxHeight: 80,
  /** Horizontal distance between slot origins. */
  slotWidth: 300,
  /** Vertical distance between row origins. */
  rowHeight: 150,
  /** Space around the picture. */
  margin: 30,
  /** Top of the first row (below the title). */
  top: 70,
  /** Space between a group's border and its boxes (sides and bottom). */
  groupPadding: 12,
  /** Space above a group's boxes, for its title. */
  groupTitle: 26,
  /** Distance between the lanes that arrows to services above run in, below the lowest row. */
  lane: 22,
} as const;

/** A rectangle. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A point. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An arrow's path and where its label goes. */
export interface EdgeLayout {
  /** The edge. */
  readonly edge: DiagramEdge;
  /** The polyline, first point at the source. */
  readonly points: readonly Point[];
  /** Where the label's left end (text start) sits, on its baseline. */
  readonly labelAt?: Point;
}

/** A stack group's rectangle and title. */
export interface GroupLayout {
  /** The stack's role. */
  readonly role: StackRole;
  /** Its border. */
  readonly rect: Rect;
  /** Its title: the stack name, caption and resource count. */
  readonly title: string;
  /** Where the title starts, on its baseline: in the band above the boxes, clear of the arrows crossing that band. */
  readonly titleAt: Point;
}

/** A group's title in the SVG: `<env>-<role>` and its caption (the page's stacks table has the resource counts). */
export function groupTitle(g: DiagramGroup): string {
  return [g.name, g.caption].filter((s) => s !== undefined).join(' · ');
}

/** Estimated width of a group title (11 px bold; the Chromium test measures the real text). */
function titleWidth(title: string): number {
  return title.length * 7.2;
}

/** The leftmost start of a group title in its band that no arrow crosses (the left edge when none fits). */
function titleX(rect: Rect, title: string, segments: ReadonlyArray<readonly [Point, Point]>): number {
  const top = rect.y;
  const bottom = rect.y + GRID.groupTitle;
  const blocked: Array<[number, number]> = [];
  for (const [p, q] of segments) {
    const lo = Math.max(Math.min(p.y, q.y), top);
    const hi = Math.min(Math.max(p.y, q.y), bottom);
    if (lo > hi) continue;
    const xAt = (y: number) => (p.y === q.y ? p.x : p.x + ((q.x - p.x) * (y - p.y)) / (q.y - p.y));
    const xs = p.y === q.y ? [p.x, q.x] : [xAt(lo), xAt(hi)];
    blocked.push([Math.min(...xs) - 8, Math.max(...xs) + 8]);
  }
  const width = titleWidth(title);
  const candidates = [rect.x + 10, ...blocked.map(([, hi]) => hi)].sort((a, b) => a - b);
  const fits = candidates.find(
    (x) =>
      x >= rect.x + 10 &&
      x + width <= rect.x + rect.width - 10 &&
      blocked.every(([lo, hi]) => x + width <= lo || x >= hi),
  );
  return fits ?? rect.x + 10;
}

/** The positioned picture. */
export interface DiagramLayout {
  /** Each box, by node id. */
  readonly boxes: ReadonlyMap<string, Rect>;
  /** Each stack group that has boxes. */
  readonly groups: readonly GroupLayout[];
  /** Each arrow. */
  readonly edges: readonly EdgeLayout[];
  /** Width of the picture without the legend. */
  readonly width: number;
  /** Bottom of the last row (including arrows below it). */
  readonly bottom: number;
}

interface Slot {
  readonly slot: number;
  readonly row: number;
}

/** The slot and row of each node. */
function place(d: Diagram): Map<string, Slot> {
  const ids = new Set(d.nodes.map((n) => n.id));
  const at = new Map<string, Slot>();
  const col: Record<Color, number> = { blue: 0, green: 1 };
  const test = d.testPath?.color;
  const set = (id: string, slot: number, row: number) => {
    if (ids.has(id)) at.set(id, { slot, row });
  };
  if (d.cloud === 'aws') {
    // The weighted listener above the color the test listener does not serve, the test listener above the one it does.
    const listenerSlot = test ? col[test === 'blue' ? 'green' : 'blue'] : 0.5;
    set('users', 0, 0);
    set('testers', 1, 0);
    set('alb', 0.5, 1);
    set('logs', 2, 1);
    set('registry', 3, 1);
    set('archive', 4, 1);
    set('vpn', 5, 1);
    set('office', 5, 0);
    set('listener', listenerSlot, 2);
    if (test) set('test-listener', col[test], 2);
    for (const c of COLORS) set(c, col[c], 3);
  } else {
    const live = d.nodes.find((n) => n.kind === 'fleet' && n.traffic === 'live')?.color ?? 'blue';
    set('users', col[live], 0);
    set('live-lb', col[live], 1);
    if (test) {
      set('testers', col[test], 0);
      set('preview-lb', col[test], 1);
    }
    for (const c of COLORS) set(c, col[c], 2);
    set('logs', 0, 3);
    set('archive', 1, 3);
  }
  const missing = d.nodes.filter((n) => !at.has(n.id));
  if (missing.length > 0) throw new Error(`diagram layout: no place for ${missing.map((n) => n.id).join(', ')}`);
  return at;
}

/** Spreads `n` attachment points evenly along a side from `x` to `x + width`. */
function spread(x: number, width: number, i: number, n: number): number {
  return x + (width * (i + 1)) / (n + 1);
}

/** Computes the layout of a diagram. Pure. */
export function layoutDiagram(d: Diagram): DiagramLayout {
  const at = place(d);
  const boxes = new Map<string, Rect>();
  for (const n of d.nodes) {
    const p = at.get(n.id)!;
    boxes.set(n.id, {
      x: GRID.margin + GRID.groupPadding + p.slot * GRID.slotWidth,
      y: GRID.top + GRID.groupTitle + p.row * GRID.rowHeight,
      width: GRID.boxWidth,
      height: GRID.boxHeight,
    });
  }
  const maxRow = Math.max(...[...at.values()].map((p) => p.row));
  const rowBottom = GRID.top + GRID.groupTitle + maxRow * GRID.rowHeight + GRID.boxHeight + GRID.groupPadding;

  // Attachment points: edges leaving a box's bottom (or arriving at its top) are spread along that side, ordered by
  // the x of the other end, so arrows from one box never start at one point.
  const down = (e: DiagramEdge) => at.get(e.from)!.row < at.get(e.to)!.row;
  const bottomUsers = new Map<string, Array<{ e: DiagramEdge; otherX: number }>>();
  const topUsers = new Map<string, Array<{ e: DiagramEdge; otherX: number }>>();
  const add = (m: typeof bottomUsers, id: string, e: DiagramEdge, otherX: number) =>
    m.set(id, [...(m.get(id) ?? []), { e, otherX }]);
  const upward: DiagramEdge[] = [];
  for (const e of d.edges) {
    const a = boxes.get(e.from)!;
    const b = boxes.get(e.to)!;
    if (down(e) && at.get(e.to)!.row - at.get(e.from)!.row === 1) {
      add(bottomUsers, e.from, e, b.x);
      add(topUsers, e.to, e, a.x);
    } else {
      // Between a fleet and a service above it: both ends on the bottom side, routed through a lane below the last row.
      upward.push(e);
      add(bottomUsers, e.from, e, b.x);
      add(bottomUsers, e.to, e, a.x);
    }
  }
  // The only box of a group keeps the left of its top side free for the group's title: arrows arrive right of it.
  const titleReserve = new Map<string, number>();
  for (const g of d.groups) {
    const members = d.nodes.filter((n) => n.stack === g.role);
    if (members.length === 1)
      titleReserve.set(members[0].id, Math.min(titleWidth(groupTitle(g)) + 16, GRID.boxWidth * 0.6));
  }
  const attach = (m: typeof bottomUsers, id: string, e: DiagramEdge) => {
    const list = [...(m.get(id) ?? [])].sort((p, q) => p.otherX - q.otherX || p.e.kind.localeCompare(q.e.kind));
    const box = boxes.get(id)!;
    const reserve = m === topUsers ? (titleReserve.get(id) ?? 0) : 0;
    return spread(
      box.x + reserve,
      box.width - reserve,
      list.findIndex((p) => p.e === e),
      list.length,
    );
  };

  // One lane per (kind, service): all fleets' arrows to one service share it, like a bus, with one label where the
  // lane turns up to (or comes down from) the service.
  const serviceOf = (e: DiagramEdge) => (at.get(e.from)!.row > at.get(e.to)!.row ? e.to : e.from);
  const laneKey = (e: DiagramEdge) => `${e.kind}:${serviceOf(e)}`;
  const lanes = [...new Set(upward.map(laneKey))];
  const serviceX = (e: DiagramEdge) => attach(bottomUsers, serviceOf(e), e);
  const labelled = new Set(
    lanes.map((k) => upward.filter((e) => laneKey(e) === k).sort((p, q) => serviceX(q) - serviceX(p))[0]),
  );
  const edges: EdgeLayout[] = d.edges.map((e): EdgeLayout => {
    const a = boxes.get(e.from)!;
    const b = boxes.get(e.to)!;
    if (!upward.includes(e)) {
      const start = { x: attach(bottomUsers, e.from, e), y: a.y + a.height };
      const end = { x: attach(topUsers, e.to, e), y: b.y };
      // The label at 45% of the way, just right of the line.
      const mid = { x: start.x + (end.x - start.x) * 0.45 + 6, y: start.y + (end.y - start.y) * 0.45 + 4 };
      return { edge: e, points: [start, end], ...(e.label ? { labelAt: mid } : {}) };
    }
    const laneY = rowBottom + GRID.lane * (1 + lanes.indexOf(laneKey(e)));
    const from = { x: attach(bottomUsers, e.from, e), y: a.y + a.height };
    const to = { x: attach(bottomUsers, e.to, e), y: b.y + b.height };
    const label = e.label && labelled.has(e) ? { labelAt: { x: serviceX(e) + 6, y: laneY - 5 } } : {};
    return { edge: e, points: [from, { x: from.x, y: laneY }, { x: to.x, y: laneY }, to], ...label };
  });

  const groups: GroupLayout[] = [];
  const segments = edges.flatMap((el) => el.points.slice(1).map((p, i) => [el.points[i], p] as const));
  for (const g of d.groups) {
    const members = d.nodes.filter((n) => n.stack === g.role).map((n) => boxes.get(n.id)!);
    if (members.length === 0) continue;
    const x = Math.min(...members.map((r) => r.x)) - GRID.groupPadding;
    const y = Math.min(...members.map((r) => r.y)) - GRID.groupTitle;
    const right = Math.max(...members.map((r) => r.x + r.width)) + GRID.groupPadding;
    const bottom = Math.max(...members.map((r) => r.y + r.height)) + GRID.groupPadding;
    const rect = { x, y, width: right - x, height: bottom - y };
    const title = groupTitle(g);
    groups.push({ role: g.role, rect, title, titleAt: { x: titleX(rect, title, segments), y: y + 17 } });
  }
  const width = Math.max(...[...boxes.values()].map((r) => r.x + r.width)) + GRID.groupPadding + GRID.margin;
  const bottom = rowBottom + GRID.lane * (lanes.length + 1);
  return { boxes, groups, edges, width, bottom };
}
