// Eigenvalues (no eigenvectors) of a real symmetric matrix: Householder reduction to tridiagonal form, then
// implicit QL — JAMA's tred2/tql2 as ml-matrix ships them, with the eigenvector bookkeeping removed and the
// matrix in one flat Float64Array. ml-matrix's EVD always accumulates eigenvectors through get/set calls and
// took 11.5 s on a 1000×1000 kernel here; Vendi needs the eigenvalues only.

/** Eigenvalues of the n×n symmetric matrix `a` (row-major; only its upper triangle is read; it is overwritten), ascending. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return d;
  tridiagonalize(a, n, d, e);
  tridiagonalQl(n, d, e);
  return d.sort();
}

/** Householder reduction; leaves the diagonal in d and the sub-diagonal in e[1..n-1]. */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = a[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) d[j] = a[j * n + i - 1]!;
      continue;
    }
    for (let k = 0; k < i; k++) {
      d[k]! /= scale;
      h += d[k]! * d[k]!;
    }
    let f = d[i - 1]!;
    let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
    e[i] = scale * g;
    h -= f * g;
    d[i - 1] = f - g;
    for (let j = 0; j < i; j++) e[j] = 0;
    for (let j = 0; j < i; j++) {
      f = d[j]!;
      const row = j * n;
      g = e[j]! + a[row + j]! * f;
      for (let k = j + 1; k <= i - 1; k++) {
        g += a[row + k]! * d[k]!;
        e[k]! += a[row + k]! * f;
      }
      e[j] = g;
    }
    f = 0;
    for (let j = 0; j < i; j++) {
      e[j]! /= h;
      f += e[j]! * d[j]!;
    }
    const hh = f / (h + h);
    for (let j = 0; j < i; j++) e[j]! -= hh * d[j]!;
    for (let j = 0; j < i; j++) {
      f = d[j]!;
      g = e[j]!;
      const row = j * n;
      for (let k = j; k <= i - 1; k++) a[row + k]! -= f * e[k]! + g * d[k]!;
      d[j] = a[row + i - 1]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
  e[0] = 0;
}

/** Implicit QL with shifts on the tridiagonal (d, e); eigenvalues end up in d. */
function tridiagonalQl(n: number, d: Float64Array, e: Float64Array): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n && Math.abs(e[m]!) > eps * tst1) m++;
    if (m > l) {
      do {
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i]! -= h;
        f += h;
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
}
