// compression_ratio = bytes(UTF-8 of the documents joined by one space) / bytes(gzip level 9 of it), classic
// zlib deflate as CPython's gzip.compress(x, 9) (pako with legacyHash; node:zlib's deflate gives other sizes)
// (Shaib et al. 2024, without their double gzip). Higher = more repetitive. NaN for an empty text.
import { gzip } from "pako";
import { prepare, type Corpus } from "./preparedCorpus";

export function compressionRatio(corpus: Corpus): number {
  const bytes = new TextEncoder().encode(prepare(corpus).docs.join(" "));
  if (bytes.length === 0) return Number.NaN;
  return bytes.length / gzip(bytes, { level: 9, legacyHash: true }).length;
}
