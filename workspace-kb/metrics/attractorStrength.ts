// Attractor strength of a tracked property across generations (Perez et al. 2024, "When LLMs play the
// telephone game"): regress each chain's final value on its initial value by least squares, slope s;
// strength = 1 − |s|. 1: every chain ends at the same value whatever it started from; 0: the start is kept.
export interface ChainEnds {
  initial: number;
  final: number;
}

export interface AttractorStrength {
  slope: number;
  intercept: number;
  strength: number;
  chains: number;
}

/** NaN figures when fewer than two chains or when every chain starts from the same value (no slope is defined). */
export function attractorStrength(chains: readonly ChainEnds[]): AttractorStrength {
  const n = chains.length;
  let meanX = 0;
  let meanY = 0;
  for (const c of chains) {
    meanX += c.initial / n;
    meanY += c.final / n;
  }
  let sxx = 0;
  let sxy = 0;
  for (const c of chains) {
    sxx += (c.initial - meanX) ** 2;
    sxy += (c.initial - meanX) * (c.final - meanY);
  }
  if (n < 2 || sxx === 0) return { slope: Number.NaN, intercept: Number.NaN, strength: Number.NaN, chains: n };
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, strength: 1 - Math.abs(slope), chains: n };
}
