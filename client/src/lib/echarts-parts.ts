/** The parts of Apache ECharts the wall uses, registered once; imported lazily by echarts.ts. */
import { init, use } from 'echarts/core';
import { LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

use([LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export const initChart = (el: HTMLElement) => init(el, undefined, { renderer: 'canvas' });
