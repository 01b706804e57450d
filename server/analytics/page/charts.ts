/**
 * amCharts 5 building blocks for the analytics page: a column chart (plain, clustered or stacked), a date chart
 * and a pie. Each returns `set(data)` so live updates replace data in place instead of rebuilding the chart.
 * The amCharts logo is left alone: the free licence is linkware.
 */
import * as am5 from '@amcharts/amcharts5';
import * as am5xy from '@amcharts/amcharts5/xy';
import * as am5percent from '@amcharts/amcharts5/percent';
import am5themes_Animated from '@amcharts/amcharts5/themes/Animated';
import am5themes_Responsive from '@amcharts/amcharts5/themes/Responsive';

export type Row = Record<string, string | number | null>;
export interface SeriesSpec {
  field: string;
  name: string;
}
export interface Chart {
  set(rows: Row[], series?: SeriesSpec[]): void;
}

function rootOf(id: string): am5.Root {
  const root = am5.Root.new(id);
  // Responsive hides legends and shrinks labels on a phone-sized container.
  root.setThemes([am5themes_Animated.new(root), am5themes_Responsive.new(root)]);
  root.numberFormatter.set('numberFormat', '#,###.##');
  return root;
}

/** Columns over a category axis; several series are clustered, or stacked when `stacked`. */
export function columnChart(
  id: string,
  categoryField: string,
  initial: SeriesSpec[],
  opts: { stacked?: boolean; legend?: boolean } = {},
): Chart {
  const root = rootOf(id);
  const chart = root.container.children.push(am5xy.XYChart.new(root, { layout: root.verticalLayout, paddingLeft: 0 }));
  const xRenderer = am5xy.AxisRendererX.new(root, {
    minGridDistance: 20,
    cellStartLocation: 0.1,
    cellEndLocation: 0.9,
  });
  xRenderer.labels.template.setAll({ oversizedBehavior: 'wrap', maxWidth: 110, fontSize: 12, textAlign: 'center' });
  const xAxis = chart.xAxes.push(am5xy.CategoryAxis.new(root, { categoryField, renderer: xRenderer }));
  // Labels wrap within their own column, so neighbours never overlap on a narrow screen.
  xAxis.onPrivate('cellWidth', (w) => xRenderer.labels.template.set('maxWidth', Math.max(40, (w ?? 110) - 4)));
  const yAxis = chart.yAxes.push(am5xy.ValueAxis.new(root, { min: 0, renderer: am5xy.AxisRendererY.new(root, {}) }));
  const legend =
    (opts.legend ?? initial.length > 1)
      ? chart.children.push(am5.Legend.new(root, { centerX: am5.p50, x: am5.p50 }))
      : null;
  let specs: SeriesSpec[] = [];
  const makeSeries = (list: SeriesSpec[]) => {
    chart.series.clear();
    for (const s of list) {
      const series = chart.series.push(
        am5xy.ColumnSeries.new(root, {
          name: s.name,
          xAxis,
          yAxis,
          valueYField: s.field,
          categoryXField: categoryField,
          stacked: opts.stacked,
        }),
      );
      series.columns.template.setAll({
        tooltipText: `{name}, {categoryX}: {valueY}`,
        width: am5.percent(90),
        cornerRadiusTL: 3,
        cornerRadiusTR: 3,
      });
    }
    legend?.data.setAll(chart.series.values);
    specs = list;
  };
  makeSeries(initial);
  chart.appear(600, 50);
  return {
    set(rows, series) {
      if (series && JSON.stringify(series) !== JSON.stringify(specs)) makeSeries(series);
      xAxis.data.setAll(rows);
      for (const s of chart.series.values) s.data.setAll(rows);
    },
  };
}

/** Lines (or columns) over days; rows carry `date` as a timestamp. */
export function dateChart(id: string, series: (SeriesSpec & { columns?: boolean })[]): Chart {
  const root = rootOf(id);
  const chart = root.container.children.push(am5xy.XYChart.new(root, { layout: root.verticalLayout, paddingLeft: 0 }));
  const xAxis = chart.xAxes.push(
    am5xy.DateAxis.new(root, {
      baseInterval: { timeUnit: 'day', count: 1 },
      renderer: am5xy.AxisRendererX.new(root, { minGridDistance: 60 }),
    }),
  );
  const yAxis = chart.yAxes.push(am5xy.ValueAxis.new(root, { min: 0, renderer: am5xy.AxisRendererY.new(root, {}) }));
  chart.set('cursor', am5xy.XYCursor.new(root, { behavior: 'none', xAxis }));
  const made = series.map((s) => {
    const cls = s.columns ? am5xy.ColumnSeries : am5xy.LineSeries;
    const ser = chart.series.push(
      cls.new(root, {
        name: s.name,
        xAxis,
        yAxis,
        valueYField: s.field,
        valueXField: 'date',
        tooltip: am5.Tooltip.new(root, { labelText: `${s.name}: {valueY}` }),
      }),
    );
    if (ser instanceof am5xy.LineSeries) ser.strokes.template.setAll({ strokeWidth: 2 });
    return ser;
  });
  if (series.length > 1)
    chart.children.push(am5.Legend.new(root, { centerX: am5.p50, x: am5.p50 })).data.setAll(chart.series.values);
  chart.appear(600, 50);
  return {
    set: (rows) => {
      for (const s of made) s.data.setAll(rows);
    },
  };
}

/** A pie (donut) of `value` by `name`. */
export function pieChart(id: string): Chart {
  const root = rootOf(id);
  const chart = root.container.children.push(
    am5percent.PieChart.new(root, { layout: root.verticalLayout, innerRadius: am5.percent(45) }),
  );
  const series = chart.series.push(
    am5percent.PieSeries.new(root, { valueField: 'value', categoryField: 'name', alignLabels: false }),
  );
  series.labels.template.setAll({
    text: '{category}: {valuePercentTotal.formatNumber("0.0")}%',
    fontSize: 12,
    oversizedBehavior: 'wrap',
    maxWidth: 120,
  });
  const legend = chart.children.push(am5.Legend.new(root, { centerX: am5.p50, x: am5.p50 }));
  series.appear(600, 50);
  return {
    set: (rows) => {
      series.data.setAll(rows);
      legend.data.setAll(series.dataItems);
    },
  };
}
