// Driving VS Code's workbench as a person does: the command palette (F1), quick picks and input boxes, the
// status bar, the activity bar and tree rows. Selectors are VS Code's own (its test/automation uses the same).
import type { Locator, Page } from "playwright-core";

const QUICK_INPUT = ".quick-input-widget";
const QUICK_INPUT_BOX = `${QUICK_INPUT} .quick-input-box input`;
const QUICK_ROW = `${QUICK_INPUT} .quick-input-list .monaco-list-row`;

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 90_000 });
  await page.locator(".statusbar").waitFor({ state: "visible", timeout: 60_000 });
}

/**
 * F1, then "> Category: Title", then Enter on the row of exactly that command (others may match the words too).
 * Until the workbench has read the extension's manifest the command is not listed, so the palette is opened again
 * until it is (a busy machine is slow).
 */
export async function runCommand(page: Page, title: string, timeout = 180_000): Promise<void> {
  const deadline = Date.now() + timeout;
  // Rows read "<title><keybinding or 'recently used'>": the title must start the row.
  const exactly = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
  for (;;) {
    await page.keyboard.press("Escape");
    await page.keyboard.press("F1");
    const input = page.locator(QUICK_INPUT_BOX);
    await input.waitFor({ state: "visible", timeout: 30_000 });
    await input.fill(`>${title}`);
    try {
      await pick(page, exactly, 10_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

/**
 * Picks the quick-pick row whose text contains `text` (waits for the pick to appear) with the keyboard, as a
 * person at the palette would: a mouse click can land on a hover card of the row under the pointer.
 */
export async function pick(page: Page, text: string | RegExp, timeout = 60_000): Promise<void> {
  const row = page.locator(QUICK_ROW, { hasText: text }).first();
  await row.waitFor({ state: "visible", timeout });
  const rows = await page.locator(QUICK_ROW).count();
  for (let step = 0; step <= rows + 1; step++) {
    const focused = page.locator(`${QUICK_ROW}.focused`).first();
    const label = (await focused.count()) > 0 ? await focused.innerText() : "";
    if (typeof text === "string" ? label.toLowerCase().includes(text.toLowerCase()) : text.test(label)) {
      await page.keyboard.press("Enter");
      return;
    }
    await page.keyboard.press("ArrowDown");
  }
  throw new Error(`no quick-pick row matching ${String(text)} could be focused`);
}

/**
 * Types into the open input box (an input box, or a quick pick's filter) and presses Enter. `title` names the box
 * expected: one box replaces another in the same element, so typing before it is there goes to the old one.
 */
export async function answer(page: Page, text: string, title?: string | RegExp): Promise<void> {
  if (title !== undefined) await page.locator(`${QUICK_INPUT} .quick-input-title`, { hasText: title }).waitFor({ state: "visible", timeout: 60_000 });
  const input = page.locator(QUICK_INPUT_BOX);
  await input.waitFor({ state: "visible", timeout: 20_000 });
  await input.fill(text);
  await input.press("Enter");
}

export function statusItem(page: Page, id: string): Locator {
  return page.locator(`[id="${id}"]`);
}

/** A row of a tree in the side bar (notifications are list rows too, elsewhere). */
export function treeRow(page: Page, text: string | RegExp): Locator {
  return page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: text });
}

