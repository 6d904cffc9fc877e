// The part of asciichart (plain JS, no types shipped) that LossChart uses.
declare module 'asciichart' {
  export interface PlotConfig {
    height?: number;
    min?: number;
    max?: number;
    offset?: number;
    padding?: string;
    colors?: string[];
    symbols?: string[];
    format?: (value: number, index: number) => string;
  }
  export function plot(series: number[] | number[][], config?: PlotConfig): string;
  export const yellow: string;
  export const cyan: string;
  export const reset: string;
  const asciichart: { plot: typeof plot; yellow: string; cyan: string; reset: string };
  export default asciichart;
}
