// Whole-file writes that a crash cannot leave half done: write a temp file, fsync it, rename it over the target.
import { open, rename } from "node:fs/promises";

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  const handle = await open(temp, "w");
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}
