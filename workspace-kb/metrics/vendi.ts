// Vendi score of a kernel K (PSD, K_ii = 1): λ = eigenvalues of K/n, keeping λ > 1e-12·λ_max; VS_1 =
// exp(−Σ λ log λ), VS_q = exp(log(Σ λ^q)/(1−q)), VS_∞ = 1/λ_max (Friedman & Dieng 2023, vertaix/Vendi-Score
// `vendi.py`). For a linear kernel on L2-normalised rows X̂ the d×d dual X̂ᵀX̂/n has the same non-zero
// eigenvalues, so embeddings cost O(n d² + d³) instead of O(n³).
import { symmetricEigenvalues } from "./symmetricEigenvalues";

export type VendiOrder = number | "inf";

export interface VendiScores {
  q1: number;
  q2: number;
  qinf: number;
}

/** Vendi score of order q from the eigenvalues of K/n. NaN when every eigenvalue is zero (no documents, or all empty). */
export function vendiFromEigenvalues(eigenvalues: ArrayLike<number>, q: VendiOrder = 1): number {
  let max = 0;
  for (let i = 0; i < eigenvalues.length; i++) max = Math.max(max, eigenvalues[i]!);
  if (!(max > 0)) return Number.NaN;
  if (q === "inf") return 1 / max;
  const floor = 1e-12 * max;
  let sum = 0;
  for (let i = 0; i < eigenvalues.length; i++) {
    const l = eigenvalues[i]!;
    if (l <= floor) continue;
    sum += q === 1 ? -l * Math.log(l) : l ** q;
  }
  return q === 1 ? Math.exp(sum) : Math.exp(Math.log(sum) / (1 - q));
}

export function vendiScoresFromEigenvalues(eigenvalues: ArrayLike<number>): VendiScores {
  return { q1: vendiFromEigenvalues(eigenvalues, 1), q2: vendiFromEigenvalues(eigenvalues, 2), qinf: vendiFromEigenvalues(eigenvalues, "inf") };
}

/** Eigenvalues of K/n for an n×n kernel given as rows, or flat row-major (`kernel` is then overwritten). */
export function kernelEigenvalues(kernel: readonly (readonly number[])[] | Float64Array, n = Array.isArray(kernel) ? kernel.length : Math.round(Math.sqrt(kernel.length))): Float64Array {
  const flat = kernel instanceof Float64Array ? kernel : Float64Array.from((kernel as readonly (readonly number[])[]).flat());
  for (let i = 0; i < flat.length; i++) flat[i]! /= n;
  return symmetricEigenvalues(flat, n);
}

export function vendiScore(kernel: readonly (readonly number[])[], q: VendiOrder = 1): number {
  return vendiFromEigenvalues(kernelEigenvalues(kernel), q);
}

/** Eigenvalues of the linear kernel on L2-normalised rows divided by n, through whichever of the n×n and d×d forms is smaller. */
export function vectorEigenvalues(rows: readonly ArrayLike<number>[]): Float64Array {
  const n = rows.length;
  const d = n === 0 ? 0 : rows[0]!.length;
  const unit = rows.map(normalised);
  const size = Math.min(n, d);
  const gram = new Float64Array(size * size);
  if (d <= n) {
    // Dual: C = Σ x̂ x̂ᵀ (upper triangle is all the eigensolver reads).
    for (const x of unit) {
      for (let i = 0; i < d; i++) {
        const xi = x[i]!;
        if (xi === 0) continue;
        const row = i * d;
        for (let j = i; j < d; j++) gram[row + j]! += xi * x[j]!;
      }
    }
  } else {
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) gram[i * n + j] = dot(unit[i]!, unit[j]!);
  }
  for (let i = 0; i < gram.length; i++) gram[i]! /= n;
  return symmetricEigenvalues(gram, size);
}

export function vendiOfVectors(rows: readonly ArrayLike<number>[], q: VendiOrder = 1): number {
  return vendiFromEigenvalues(vectorEigenvalues(rows), q);
}

/** x / ‖x‖, or the zero vector for a zero row (its kernel row is then 0, as sklearn's normalize leaves it). */
export function normalised(x: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(x);
  const norm = Math.sqrt(dot(out, out));
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
