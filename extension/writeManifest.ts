// `npm run gen:manifest`: writes manifestContributions() into package.json's `contributes`.
import { readFileSync, writeFileSync } from "node:fs";
import { manifestContributions } from "./manifestContributions";

const path = new URL("../package.json", import.meta.url);
const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
manifest.contributes = manifestContributions();
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
console.log("package.json contributes written from extension/manifestContributions.ts");
