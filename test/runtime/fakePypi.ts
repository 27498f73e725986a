// A test double for PyPI (named as such; the real index is fetched once by hand, see the report of issue 22): an
// in-process node:http server answering the JSON API's project and version documents and serving wheel files,
// built here with the test zip writer. It can lie (a listed sha256, a RECORD line), drop its version documents
// (as the project machine's mirror does) and take over a file's response (to stall or cut it).
import { createHash } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { writeZip, type ZipInput } from "../helpers/zipWriter";

export interface WheelSpec {
  name: string;
  version: string;
  /** Path inside the wheel → bytes (deflated unless `stored` names it). */
  files: Record<string, Uint8Array>;
  stored?: string[];
  requiresDist?: string[];
  /** Paths whose RECORD line gives the hash of other bytes: a wheel inconsistent with itself. */
  recordLies?: string[];
}

export interface Published {
  name: string;
  version: string;
  filename: string;
  bytes: Buffer;
  requiresDist: string[];
  /** What the JSON lists as the wheel's sha256 and size (the true ones unless a test makes it lie). */
  listedSha256: string;
  listedSize: number;
}

const normalize = (name: string) => name.toLowerCase().replace(/[-_.]+/g, "-");
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest();

export function buildWheel(spec: WheelSpec): { filename: string; bytes: Buffer } {
  const dist = spec.name.replace(/[-.]+/g, "_");
  const info = `${dist}-${spec.version}.dist-info`;
  const metadata = [`Metadata-Version: 2.1`, `Name: ${spec.name}`, `Version: ${spec.version}`, ...(spec.requiresDist ?? []).map((r) => `Requires-Dist: ${r}`), "", "A test model package."].join("\n");
  const files: Record<string, Uint8Array> = { ...spec.files, [`${info}/METADATA`]: Buffer.from(metadata), [`${info}/WHEEL`]: Buffer.from("Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n") };
  const record = Object.entries(files).map(([path, data]) => {
    const hashed = spec.recordLies?.includes(path) ? Buffer.concat([Buffer.from(data), Buffer.from("x")]) : data;
    return `${path},sha256=${sha256(hashed).toString("base64url")},${data.length}`;
  });
  record.push(`${info}/RECORD,,`);
  const entries: ZipInput[] = Object.entries(files).map(([name, data]) => ({ name, data, method: spec.stored?.includes(name) ? "store" : "deflate" }));
  entries.push({ name: `${info}/RECORD`, data: Buffer.from(`${record.join("\n")}\n`) });
  return { filename: `${dist}-${spec.version}-py3-none-any.whl`, bytes: writeZip(entries) };
}

export class FakePypi {
  readonly published: Published[] = [];
  readonly requests: string[] = [];
  /** Off: version documents answer 404, and clients must use the project document's `releases`. */
  versionDocuments = true;
  /** Called before a file is served; returning true means it took the response over. */
  onFile: ((file: Published, res: ServerResponse) => boolean) | undefined;
  private server: Server | undefined;
  private base = "";

  publish(spec: WheelSpec, lie: { sha256?: string; size?: number } = {}): Published {
    const { filename, bytes } = buildWheel(spec);
    const release = { name: spec.name, version: spec.version, filename, bytes, requiresDist: spec.requiresDist ?? [], listedSha256: lie.sha256 ?? sha256(bytes).toString("hex"), listedSize: lie.size ?? bytes.length };
    this.published.push(release);
    return release;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req.url ?? "", res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections(); // fetch keeps connections alive; close() alone would wait for them
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private answer(url: string, res: ServerResponse): void {
    this.requests.push(url);
    const json = /^\/pypi\/([^/]+)\/(?:([^/]+)\/)?json$/.exec(url);
    if (json) {
      const releases = this.published.filter((r) => normalize(r.name) === normalize(json[1]!));
      const latest = releases.at(-1);
      if (!latest) return void res.writeHead(404).end();
      if (json[2] !== undefined) {
        const release = releases.find((r) => r.version === json[2]);
        if (!release || !this.versionDocuments) return void res.writeHead(404).end();
        return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ info: this.info(release), urls: this.files(release) }));
      }
      const document = { info: this.info(latest), urls: this.files(latest), releases: Object.fromEntries(releases.map((r) => [r.version, this.files(r)])) };
      return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(document));
    }
    const file = this.published.find((r) => url === `/files/${r.filename}`);
    if (!file) return void res.writeHead(404).end();
    if (this.onFile?.(file, res)) return;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.bytes.length }).end(file.bytes);
  }

  private info(release: Published) {
    return { name: release.name, version: release.version, requires_dist: release.requiresDist.length > 0 ? release.requiresDist : null };
  }

  private files(release: Published) {
    const wheel = { filename: release.filename, packagetype: "bdist_wheel", url: `${this.base}/files/${release.filename}`, size: release.listedSize, digests: { sha256: release.listedSha256 } };
    // PyPI lists the sdist beside the wheel; a client must not take it.
    const sdist = { filename: `${release.name}-${release.version}.tar.gz`, packagetype: "sdist", url: `${this.base}/files/none.tar.gz`, size: 10, digests: { sha256: "0".repeat(64) } };
    return [sdist, wheel];
  }
}
