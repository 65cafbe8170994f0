/**
 * Measures rendered diagrams in a real browser: Debian's `chromium`, headless, loads one page holding every SVG to
 * check; an inline script reads each label's `getBoundingClientRect()` (and each box's and arrow's geometry), finds
 * what overlaps, and writes the findings into the DOM, which `--dump-dom` prints. One Chromium run per call.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** What the browser found in one SVG. */
export interface MeasuredSvg {
  /** The case name. */
  readonly name: string;
  /** `<text>` elements measured. */
  readonly labels: number;
  /** Labels with a zero-size box (not rendered: would make every check vacuous). */
  readonly empty: number;
  /** Each problem in words: which labels overlap, which text leaves its box, which arrow crosses what. */
  readonly problems: readonly string[];
}

/** The in-page check. Runs in Chromium; plain ES2020, no imports. */
const PAGE_SCRIPT = String.raw`
(function () {
  var results = [];
  function inter(a, b, pad) {
    var w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
    var h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
    return w > pad && h > pad;
  }
  function inside(a, b, tol) {
    return a.x >= b.x - tol && a.y >= b.y - tol && a.x + a.w <= b.x + b.w + tol && a.y + a.h <= b.y + b.h + tol;
  }
  // Liang-Barsky: does segment p-q pass through the rectangle shrunk by pad?
  function crosses(p, q, r, pad) {
    var x0 = r.x + pad, y0 = r.y + pad, x1 = r.x + r.w - pad, y1 = r.y + r.h - pad;
    if (x1 <= x0 || y1 <= y0) return false;
    var dx = q.x - p.x, dy = q.y - p.y, t0 = 0, t1 = 1;
    var ps = [-dx, dx, -dy, dy], qs = [p.x - x0, x1 - p.x, p.y - y0, y1 - p.y];
    for (var i = 0; i < 4; i++) {
      if (ps[i] === 0) { if (qs[i] < 0) return false; continue; }
      var t = qs[i] / ps[i];
      if (ps[i] < 0) { if (t > t1) return false; if (t > t0) t0 = t; } else { if (t < t0) return false; if (t < t1) t1 = t; }
    }
    return t0 < t1;
  }
  var sections = document.querySelectorAll('section[data-case]');
  for (var s = 0; s < sections.length; s++) {
    var section = sections[s];
    var svg = section.querySelector('svg');
    var o = svg.getBoundingClientRect();
    var box = function (el) { var r = el.getBoundingClientRect(); return { x: r.x - o.x, y: r.y - o.y, w: r.width, h: r.height }; };
    var problems = [];
    var texts = Array.prototype.map.call(svg.querySelectorAll('text'), function (el) {
      var node = el.closest('g.node');
      return { cls: el.getAttribute('class'), text: el.textContent, b: box(el), node: node ? node.id : null, from: el.getAttribute('data-from'), to: el.getAttribute('data-to') };
    });
    var nodes = Array.prototype.map.call(svg.querySelectorAll('g.node'), function (g) { return { id: g.id, b: box(g.querySelector('rect')) }; });
    var edges = Array.prototype.map.call(svg.querySelectorAll('polyline.edge'), function (el) {
      var pts = el.getAttribute('points').trim().split(/\s+/).map(function (p) { var xy = p.split(','); return { x: +xy[0], y: +xy[1] }; });
      return { from: el.getAttribute('data-from'), to: el.getAttribute('data-to'), pts: pts };
    });
    var empty = texts.filter(function (t) { return t.b.w === 0 || t.b.h === 0; }).length;
    for (var i = 0; i < texts.length; i++) {
      for (var j = i + 1; j < texts.length; j++) {
        if (inter(texts[i].b, texts[j].b, 0.5)) problems.push('labels overlap: "' + texts[i].text + '" and "' + texts[j].text + '"');
      }
    }
    texts.forEach(function (t) {
      if (t.node) {
        var own = nodes.filter(function (n) { return n.id === t.node; })[0];
        if (!inside(t.b, own.b, 1)) problems.push('text leaves its box ' + t.node + ': "' + t.text + '"');
      } else {
        nodes.forEach(function (n) { if (inter(t.b, n.b, 0.5)) problems.push('label on box ' + n.id + ': "' + t.text + '"'); });
      }
    });
    edges.forEach(function (e) {
      for (var k = 1; k < e.pts.length; k++) {
        var p = e.pts[k - 1], q = e.pts[k];
        texts.forEach(function (t) {
          if (t.from === e.from && t.to === e.to) return;
          if (crosses(p, q, t.b, 1)) problems.push('arrow ' + e.from + '->' + e.to + ' crosses "' + t.text + '"');
        });
        nodes.forEach(function (n) {
          if (n.id === 'node-' + e.from || n.id === 'node-' + e.to) return;
          if (crosses(p, q, n.b, 1)) problems.push('arrow ' + e.from + '->' + e.to + ' crosses box ' + n.id);
        });
      }
    });
    results.push({ name: section.getAttribute('data-case'), labels: texts.length, empty: empty, problems: problems });
  }
  document.body.setAttribute('data-result', encodeURIComponent(JSON.stringify(results)));
})();
`;

/** The Chromium binary: `$CHROMIUM`, else `chromium` on the PATH (Debian package `chromium`). */
export const CHROMIUM = process.env.CHROMIUM ?? 'chromium';

/** Seconds one Chromium run may take before it is killed (with its whole process group). */
const TIMEOUT_SECONDS = 60;

/** Renders each SVG in one headless Chromium page and returns what the in-page check measured, per SVG. */
export async function measureSvgs(
  svgs: ReadonlyArray<{ readonly name: string; readonly svg: string }>,
): Promise<MeasuredSvg[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-diagram-chromium-'));
  try {
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    const page = [
      '<!DOCTYPE html><html><head><meta charset="utf-8"/><style>body{margin:0}section{display:block;margin:0 0 40px 0}</style></head><body>',
      ...svgs.map((s) => `<section data-case="${escape(s.name)}">${s.svg}</section>`),
      `<script>${PAGE_SCRIPT}</script>`,
      '</body></html>',
    ].join('\n');
    const file = path.join(dir, 'page.html');
    fs.writeFileSync(file, page);
    const dom = await runChromium([
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${path.join(dir, 'profile')}`,
      '--no-first-run',
      '--dump-dom',
      `file://${file}`,
    ]);
    const match = /data-result="([^"]*)"/.exec(dom);
    if (!match)
      throw new Error(`chromium printed no result (the in-page script failed?); DOM starts: ${dom.slice(0, 300)}`);
    return JSON.parse(decodeURIComponent(match[1])) as MeasuredSvg[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs Chromium in its own process group; kills the group on timeout; rejects on a non-zero exit. */
function runChromium(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`chromium did not finish within ${TIMEOUT_SECONDS} s (killed); stderr: ${stderr.slice(-500)}`));
    }, TIMEOUT_SECONDS * 1000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(
        new Error(`cannot run ${CHROMIUM} (${e.message}); install the Debian package chromium (.ci/apt-packages.txt)`),
      );
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      killGroup(); // helpers (zygote, crashpad) that outlive the browser
      if (code === 0) resolve(stdout);
      else reject(new Error(`chromium exited ${code}; stderr: ${stderr.slice(-500)}`));
    });
  });
}
