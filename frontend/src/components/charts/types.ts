// What the hand-made SVG charts draw: a series is a label and a colour (a
// CSS value, normally one of app.css's variables).
export interface Series {
  label: string
  color: string
}

/** A line or bar series of a LineChart: one value per x label (null: unknown). */
export interface LineSeries extends Series {
  values: (number | null)[]
}

/** The width a chart draws at before its container has been measured (and in tests). */
export const fallbackWidth = 640

/** Shortens a label to n characters with an ellipsis (the full text is in the chart's table and tooltip). */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, Math.max(1, n - 1)) + '…' : s
}

/** One bar of a BarChart. */
export interface Bar {
  key: string
  label: string
  value: number
}
