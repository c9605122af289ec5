/**
 * Apache ECharts, only the parts the wall draws (echarts-parts.ts: core, the line chart,
 * grid/legend/tooltip, the canvas renderer), loaded on first use as a chunk of their own.
 */
import type { EChartsType } from 'echarts/core';

let loading: Promise<(el: HTMLElement) => EChartsType> | null = null;

export function loadECharts(): Promise<(el: HTMLElement) => EChartsType> {
  loading ??= import('./echarts-parts.ts').then((m) => m.initChart);
  return loading;
}
