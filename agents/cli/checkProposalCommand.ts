// `culture-lab check-proposal`: runs the game's proposal validation on a file (or stdin) holding a model's
// output, and says whether it would become a problem and, if not, why — for debugging prompts and grammars.
import { readSmallFile } from "../../workspace-kb/boundedFile";
import { resolve } from "node:path";
import { CultureLabError } from "../../workspace-kb/errors";
import type { CliCommand } from "./command";
import { Sandbox } from "../sandbox/sandbox";
import { validateProposal } from "../problems/validateProposal";

const help = `Usage: culture-lab check-proposal <FILE | ->

Reads a proposal as a model wrote it (JSON: {"reasoning", "mode", "program", "inputs", "hint"}, also inside a
Markdown fence or with prose around it) from FILE, or from standard input with "-", and validates it exactly as
the game does, with the same function: the program is cleaned of what models write around it (fences, export,
module.exports, a demo console.log, simple TypeScript annotations), then checked for the argument count f
takes, run in the sandbox within limits, run again call by call, and refused when it teaches nothing (an
induction target with one output for every input, an abduction target that ignores its input). Prints the
verdict as JSON: the problem, or the reason and a message saying what to change.

Exit code: 0 if the proposal is valid, 1 if it is not (the verdict says why), 2 on bad arguments.
On bad input (a file that is missing, over 1 MB or not a regular file) it says so in one line and exits 1.`;

export const checkProposalCommand: CliCommand = {
  name: "check-proposal",
  summary: "validate a model's proposal the way the game does, and say why it fails",
  help,
  async run(args, io) {
    if (args.length !== 1) {
      io.err(`culture-lab check-proposal: give one file, or - for standard input.\n\n${help}`);
      return 2;
    }
    const text = await readProposal(args[0]!, io.cwd);
    const sandbox = await Sandbox.create();
    try {
      const verdict = await validateProposal(sandbox, text);
      io.out(JSON.stringify(verdict, null, 2));
      return verdict.ok ? 0 : 1;
    } finally {
      sandbox.dispose();
    }
  },
};

async function readProposal(path: string, cwd: string): Promise<string> {
  if (path === "-") {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size > 1024 * 1024) {
        throw new CultureLabError("file-unreadable", "the proposal on standard input is over 1,048,576 bytes, so it is not one.", "Pipe in one proposal (a JSON object of at most 16,000 characters).");
      }
    }
    return Buffer.concat(chunks).toString("utf8");
  }
  // A proposal is at most 16,000 characters; a file 1 MB long is already not one.
  return readSmallFile(resolve(cwd, path), 1024 * 1024, "proposal", "file-unreadable").toString("utf8");
}
