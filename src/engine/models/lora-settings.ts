// LoRA's settings, their defaults and their checks: no tensors here, so the command line can use them cheaply.

export interface LoraSettings {
  rank: number;
  alpha: number;
  dropout: number;
}

/** alpha defaults to twice the rank (a scale of 2), dropout to 0.05: the usual choices for small models. */
export const defaultLoraSettings = (rank: number): LoraSettings => ({ rank, alpha: 2 * rank, dropout: 0.05 });

/** One line for settings the projections (their in and out sizes) cannot take. */
export function checkLoraSettings(s: LoraSettings, targets: readonly { inDim: number; outDim: number }[]): void {
  if (!Number.isInteger(s.rank) || s.rank < 1) throw new Error(`--lora must be a whole number >= 1, got ${s.rank}`);
  const smallest = Math.min(...targets.map((t) => Math.min(t.inDim, t.outDim)));
  if (s.rank > smallest) throw new Error(`--lora ${s.rank} is more than the smallest projection's size ${smallest}: a low rank is the point`);
  if (!(s.alpha > 0 && Number.isFinite(s.alpha))) throw new Error(`--lora-alpha must be a positive number, got ${s.alpha}`);
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new Error(`--lora-dropout must be at least 0 and below 1, got ${s.dropout}`);
}
