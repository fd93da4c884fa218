/** The overview's picture: allowed and refused decisions per second over the last hour (uPlot). */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { BucketedSeries } from '../format.ts';
import { formatRate } from '../format.ts';

const ALLOW = '#15803d';
const DENY = '#dc2626';
const HEIGHT = 260;

function options(width: number): uPlot.Options {
  return {
    width,
    height: HEIGHT,
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] } },
    series: [
      { label: 'time' },
      { label: 'Allowed / s', stroke: ALLOW, fill: 'rgba(21, 128, 61, 0.12)', width: 2, points: { show: false }, value: (_u, v) => (v === null ? '—' : formatRate(v)) },
      { label: 'Refused / s', stroke: DENY, fill: 'rgba(220, 38, 38, 0.14)', width: 2, points: { show: false }, value: (_u, v) => (v === null ? '—' : formatRate(v)) },
    ],
    axes: [
      { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' } },
      { stroke: '#64748b', grid: { stroke: '#eef2f7' }, ticks: { stroke: '#e2e8f0' }, size: 50, values: (_u, values) => values.map((v) => formatRate(v)) },
    ],
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
  };
}

export function DecisionsChart({ data }: { data: BucketedSeries }) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const aligned = (): uPlot.AlignedData => [data.t, data.allow, data.deny];

  useEffect(() => {
    const element = host.current!;
    plot.current = new uPlot(options(Math.max(320, element.clientWidth)), aligned(), element);
    const observer = new ResizeObserver(() => {
      plot.current?.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(aligned());
  }, [data]);

  return <div class="chart" ref={host} data-testid="overview-chart" role="img" aria-label="Allowed and refused decisions per second over the last hour" />;
}
