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
 * until it is (a busy machine is slow). It is opened again, too, when it closes under the typing: Escape hands
 * focus back to the active editor group, and when that is a webview (the metrics panel) the webview takes focus
 * a few hundred milliseconds later, after F1 has opened the palette, which closes on losing focus — or later
 * still, closing the command's own quick pick, which no retry here can tell from the user's cancelling it.
 */
export async function runCommand(page: Page, title: string, timeout = 180_000): Promise<void> {
  const deadline = Date.now() + timeout;
  // Rows read "<title><keybinding or 'recently used'>": the title must start the row.
  const exactly = new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`);
  for (;;) {
    // Escape only to close what is open: it hands focus to the active editor group (above), and a webview there
    // takes it a moment later, so the palette waits for that. (Pressed every time, Escape closed a later quick
    // pick of the command in 3 of 12 tries with the metrics panel active; pressed only when needed, in 0 of 12.)
    if (await page.locator(QUICK_INPUT).isVisible()) {
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1000);
    }
    await page.keyboard.press("F1");
    const input = page.locator(QUICK_INPUT_BOX);
    try {
      await input.waitFor({ state: "visible", timeout: 30_000 });
      await input.fill(`>${title}`, { timeout: 5_000 });
      await pick(page, exactly, 10_000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      console.log(`      (the palette closed, or did not list "${title}" yet: opening it again)`);
    }
  }
}

/**
 * Runs a command and picks `row` of the quick pick it opens. With a webview as the active editor the webview can
 * take focus back after the command's quick pick opened, which closes it (see runCommand): when the pick is gone
 * without `row` picked, the command is run again.
 */
export async function runCommandAndPick(page: Page, title: string, row: string | RegExp, attempts = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    try {
      await pick(page, row, 30_000);
      return;
    } catch (error) {
      if (attempt >= attempts || (await page.locator(QUICK_INPUT).isVisible())) throw error;
      console.log(`      (the quick pick of "${title}" closed before ${String(row)} was picked: running it again)`);
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

/**
 * The notification whose text contains `text`, where a person would find it: as a toast, or, when VS Code did
 * not show it as one (it drops toasts that come too close together, and shows none while the notification
 * center is open), in the notification center behind the bell. Either way it carries its buttons.
 */
export async function notification(page: Page, text: string | RegExp, timeout = 60_000): Promise<Locator> {
  const toast = page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();
  const listed = page.locator(".notifications-center .notification-list-item", { hasText: text }).first();
  const deadline = Date.now() + timeout;
  try {
    await toast.waitFor({ state: "visible", timeout: Math.min(timeout, 30_000) });
    return toast;
  } catch {
    await runCommand(page, "Notifications: Show Notifications", Math.max(deadline - Date.now(), 30_000));
    await listed.waitFor({ state: "visible", timeout: Math.max(deadline - Date.now(), 10_000) });
    return listed;
  }
}

export function statusItem(page: Page, id: string): Locator {
  return page.locator(`[id="${id}"]`);
}

/** A row of a tree in the side bar (notifications are list rows too, elsewhere). */
export function treeRow(page: Page, text: string | RegExp): Locator {
  return page.locator('[id="workbench.parts.sidebar"] .monaco-list-row', { hasText: text });
}

