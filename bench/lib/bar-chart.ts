/** Horizontal bar charts as a standalone SVG, in the style of harness.ts's histogram. */

export interface Bar {
  label: string;
  value: number;
  /** printed after the value, e.g. "+2.1 % vs optimum" */
  note?: string;
  /** highlight (e.g. the reference bar) */
  reference?: boolean;
}

export interface BarPanel {
  title: string;
  unit: string;
  bars: Bar[];
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel per metric, stacked vertically; every panel scales its own axis from 0. */
export function barChartSvg(title: string, panels: BarPanel[], subtitle = ''): string {
  const w = 760;
  const labelW = 150;
  const valueW = 250;
  const barH = 20;
  const gap = 6;
  const panelPad = 40;
  const top = subtitle ? 56 : 40;
  let y = top;
  const parts: string[] = [];
  for (const panel of panels) {
    const max = Math.max(1e-9, ...panel.bars.map((b) => Math.abs(b.value)));
    const plotW = w - labelW - valueW - 20;
    parts.push(`<text x="12" y="${y + 14}" font-size="13" font-weight="bold">${escape(panel.title)} (${escape(panel.unit)})</text>`);
    y += 24;
    for (const bar of panel.bars) {
      const bw = (plotW * Math.abs(bar.value)) / max;
      const text = `${formatValue(bar.value)}${bar.note ? ` · ${bar.note}` : ''}`;
      parts.push(
        `<text x="${labelW - 8}" y="${y + barH - 6}" font-size="11" text-anchor="end">${escape(bar.label)}</text>` +
          `<rect x="${labelW}" y="${y}" width="${bw.toFixed(1)}" height="${barH}" fill="${bar.reference ? '#7f8c8d' : '#c0392b'}"/>` +
          `<text x="${(labelW + bw + 6).toFixed(1)}" y="${y + barH - 6}" font-size="11">${escape(text)}</text>`,
      );
      y += barH + gap;
    }
    parts.push(`<line x1="${labelW}" y1="${y - gap + 2}" x2="${labelW + plotW}" y2="${y - gap + 2}" stroke="black"/>`);
    y += panelPad - gap;
  }
  const h = y;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="12" y="24" font-size="14">${escape(title)}</text>
${subtitle ? `<text x="12" y="42" font-size="11" fill="#555">${escape(subtitle)}</text>\n` : ''}${parts.join('\n')}
</svg>
`;
}

function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}
