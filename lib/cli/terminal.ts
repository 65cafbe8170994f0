/**
 * Plain text from a program's terminal output: colours and other escape codes removed, and what a terminal would
 * have redrawn (cdktf's spinner frames, which erase themselves with cursor-up and erase-line codes; carriage-return
 * progress lines) replaced by what it finally showed. Used for logs that are archived (`deploy.log`).
 */

// CSI sequences (ESC [ params letter), OSC sequences (ESC ] ... BEL or ESC \), and two-character escapes.
// eslint-disable-next-line no-control-regex -- matching terminal control sequences is this module's job
const ESCAPE = /\u001b\[([0-9;?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** The text a terminal would finally show for `raw`, without escape codes. */
export function plainText(raw: string): string {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const write = (text: string) => {
    const line = lines[row] ?? '';
    lines[row] = line.slice(0, col).padEnd(col, ' ') + text + line.slice(col + text.length);
    col += text.length;
  };
  let last = 0;
  const handleText = (text: string) => {
    for (const part of text.split(/(\r\n|\n|\r)/)) {
      if (part === '\n' || part === '\r\n') {
        row++;
        col = 0;
        while (lines.length <= row) lines.push('');
      } else if (part === '\r') {
        col = 0;
      } else if (part) {
        // eslint-disable-next-line no-control-regex -- dropping the remaining control characters
        write(part.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ''));
      }
    }
  };
  for (const m of raw.matchAll(ESCAPE)) {
    handleText(raw.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[2] === undefined) continue; // OSC or a two-character escape: nothing to draw
    const n = Number(m[1].split(';')[0] || 1);
    switch (m[2]) {
      case 'A': // cursor up
        row = Math.max(0, row - n);
        break;
      case 'B': // cursor down
        row += n;
        while (lines.length <= row) lines.push('');
        break;
      case 'G': // cursor to column n
        col = Math.max(0, n - 1);
        break;
      case 'K': // erase in line: 0 to the end, 1 to the start, 2 the whole line
        if (m[1] === '2') lines[row] = '';
        else if (m[1] === '1') lines[row] = ' '.repeat(col) + (lines[row] ?? '').slice(col);
        else lines[row] = (lines[row] ?? '').slice(0, col);
        break;
      case 'J': // erase in display: from the cursor down
        lines.length = row + 1;
        lines[row] = (lines[row] ?? '').slice(0, col);
        break;
      default: // colours (m) and everything else: no effect on the text
    }
  }
  handleText(raw.slice(last));
  // Rows a redraw erased and never rewrote are blank: keep at most one blank line in a row.
  const out = lines.map((l) => l.replace(/\s+$/, '')).filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''));
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
