// package.json's `contributes` for the editor, derived from the command table and the configuration schema, so
// the manifest cannot drift from the code: `npm run gen:manifest` writes it, a test fails when they differ.
import { CATEGORY, COMMANDS } from "./commandTable";
import { configurationContribution } from "./settingsContribution";

export const VIEW_CONTAINER = "cultureLab";
export const TREE_VIEW = "cultureLab.tree";

export function manifestContributions(): Record<string, unknown> {
  const running = "cultureLab.sessionRunning";
  return {
    commands: COMMANDS.map((c) => ({ command: c.id, title: c.title, category: CATEGORY, ...("icon" in c ? { icon: c.icon } : {}) })),
    menus: {
      commandPalette: COMMANDS.filter((c) => !c.palette).map((c) => ({ command: c.id, when: "false" })),
      "view/title": [
        { command: "cultureLab.startSession", when: `view == ${TREE_VIEW} && !${running}`, group: "navigation@1" },
        { command: "cultureLab.stopSession", when: `view == ${TREE_VIEW} && ${running}`, group: "navigation@1" },
        { command: "cultureLab.showPanel", when: `view == ${TREE_VIEW}`, group: "navigation@2" },
        { command: "cultureLab.refresh", when: `view == ${TREE_VIEW}`, group: "navigation@3" },
        { command: "cultureLab.addHumanNote", when: `view == ${TREE_VIEW}`, group: "more@1" },
        { command: "cultureLab.openNotes", when: `view == ${TREE_VIEW}`, group: "more@2" },
      ],
    },
    viewsContainers: { activitybar: [{ id: VIEW_CONTAINER, title: "Culture Lab", icon: "extension/media/culture-lab.svg" }] },
    views: { [VIEW_CONTAINER]: [{ id: TREE_VIEW, name: "Culture Lab", contextualTitle: "Culture Lab" }] },
    viewsWelcome: [
      {
        view: TREE_VIEW,
        contents: "Run a population of local LLM agents that share this folder's knowledge base.\n[Start Session…](command:cultureLab.startSession)\n[Open Shared Notes](command:cultureLab.openNotes)",
      },
    ],
    configuration: configurationContribution(),
  };
}
