import type { FaultRecord } from '../history/records';
import { livesOf, type MemorySample } from '../memory/memory-growth';
import { targetKey } from '../plan/fault-schedule';

const WIDTH = 1000;
const HEIGHT = 360;
/** The memory panel below the requests: one line per life of each process, resident MB from 0 to the run's peak. */
const MEMORY_HEIGHT = 150;
const MEMORY_COLOURS = ['#4a7f3a', '#7b4fa0', '#b0651a', '#2a8c8c', '#a33a6b', '#5f6f1f', '#3f5fa8', '#8a4b2a'];
const MARGIN = { left: 50, right: 50, top: 30, bottom: 40 };
/** More faults than this and their labels would overlap: each band then names its fault only as a tooltip. */
const MAX_LABELLED_FAULTS = 16;
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * An SVG of the run, second by second: answered requests per second (blue,
 * left axis), the share of them that failed (red, right axis, 0..100 %), and
 * each fault's window shaded and labelled.
 */
export function renderPlot(
  seconds: readonly { answered: number; failed: number }[],
  faults: readonly FaultRecord[],
  originMs: number,
  memory: readonly MemorySample[] = [],
): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const n = Math.max(1, seconds.length);
  const peak = Math.max(1, ...seconds.map((s) => s.answered));
  const x = (second: number) => MARGIN.left + (second / n) * plotW;
  const yRate = (value: number) => MARGIN.top + plotH - (value / peak) * plotH;
  const yShare = (share: number) => MARGIN.top + plotH - share * plotH;
  const line = (points: readonly [number, number][]) => points.map(([px, py], i) => `${i === 0 ? 'M' : 'L'}${px.toFixed(1)},${py.toFixed(1)}`).join(' ');
  const shades = faults.map((fault, i) => {
    const from = x((fault.startMs - originMs) / 1_000);
    const to = x((fault.endMs - originMs) / 1_000);
    const label = `${fault.kind} ${targetKey(fault.target)}${fault.latencyMs ? ` +${fault.latencyMs} ms` : ''}${fault.signal ? ` ${fault.signal}` : ''}`;
    const band = `<rect x="${from.toFixed(1)}" y="${MARGIN.top}" width="${Math.max(1, to - from).toFixed(1)}" height="${plotH}" fill="#f5a623" fill-opacity="0.18"><title>${escape(label)}</title></rect>`;
    if (faults.length > MAX_LABELLED_FAULTS) return band;
    return `${band}<text x="${(from + 2).toFixed(1)}" y="${MARGIN.top + 10 + (i % 4) * 11}" font-size="9" fill="#8a5a00">${escape(label)}</text>`;
  });
  const ticks = Array.from({ length: Math.floor(n / 10) + 1 }, (_, i) => i * 10).map(
    (s) => `<text x="${x(s).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" font-size="10" text-anchor="middle">${s}</text>`,
  );
  const total = memory.length === 0 ? HEIGHT : HEIGHT + MEMORY_HEIGHT;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${total}" viewBox="0 0 ${WIDTH} ${total}" font-family="sans-serif">
<rect width="${WIDTH}" height="${total}" fill="white"/>
${shades.join('\n')}
<path d="${line(seconds.map((s, i) => [x(i + 0.5), yRate(s.answered)]))}" fill="none" stroke="#1f6fd1" stroke-width="1.5"/>
<path d="${line(seconds.map((s, i) => [x(i + 0.5), yShare(s.answered === 0 ? 0 : s.failed / s.answered)]))}" fill="none" stroke="#d0021b" stroke-width="1.5"/>
<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="black"/>
<text x="${MARGIN.left - 6}" y="${MARGIN.top + 4}" font-size="10" text-anchor="end">${peak}/s</text>
<text x="${MARGIN.left - 6}" y="${MARGIN.top + plotH}" font-size="10" text-anchor="end">0</text>
<text x="${MARGIN.left + plotW + 6}" y="${MARGIN.top + 4}" font-size="10">100%</text>
<text x="${MARGIN.left + plotW + 6}" y="${MARGIN.top + plotH}" font-size="10">0%</text>
${ticks.join('\n')}
<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 8}" font-size="11" text-anchor="middle">seconds since the workload started</text>
<text x="${MARGIN.left}" y="18" font-size="12"><tspan fill="#1f6fd1">answered requests per second</tspan>  <tspan fill="#d0021b">share failed (5xx or no answer)</tspan>  <tspan fill="#8a5a00">fault windows${faults.length > MAX_LABELLED_FAULTS ? ' (hover for each fault)' : ''}</tspan></text>
${memory.length === 0 ? '' : memoryPanel(memory, originMs, x)}
</svg>
`;
}

/** Resident memory of each process life (a restarted replica's new life is a new line), under the requests' plot. */
function memoryPanel(samples: readonly MemorySample[], originMs: number, x: (second: number) => number): string {
  const top = HEIGHT + 10;
  const height = MEMORY_HEIGHT - 40;
  const peak = samples.reduce((most, s) => Math.max(most, s.rssMb), 1);
  const y = (mb: number) => top + height - (mb / peak) * height;
  const processes = [...new Set(samples.map((s) => s.process))];
  const lines = livesOf(samples).map((life) => {
    const colour = MEMORY_COLOURS[processes.indexOf((life[0] as MemorySample).process) % MEMORY_COLOURS.length];
    const d = life.map((s, i) => `${i === 0 ? 'M' : 'L'}${x((s.atMs - originMs) / 1_000).toFixed(1)},${y(s.rssMb).toFixed(1)}`).join(' ');
    return `<path d="${d}" fill="none" stroke="${colour}" stroke-width="1"><title>${escape(`${(life[0] as MemorySample).process} pid ${(life[0] as MemorySample).pid}`)}</title></path>`;
  });
  const legend = processes.map(
    (name, i) => `<tspan fill="${MEMORY_COLOURS[i % MEMORY_COLOURS.length]}">${escape(name)}</tspan>`,
  );
  return `<line x1="${MARGIN.left}" y1="${top + height}" x2="${WIDTH - MARGIN.right}" y2="${top + height}" stroke="black"/>
<text x="${MARGIN.left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${peak.toFixed(0)} MB</text>
<text x="${MARGIN.left - 6}" y="${top + height}" font-size="10" text-anchor="end">0</text>
${lines.join('\n')}
<text x="${MARGIN.left}" y="${top + height + 16}" font-size="10">resident memory per process (a restart starts a new line): ${legend.join('  ')}</text>`;
}
