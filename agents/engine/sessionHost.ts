// The one culture-loop session an engine runs at a time, as the client sees it: its state, progress and
// per-agent counts, and the controls (cancel, pause, resume). `session/run` drives it; status requests and
// `session/statusChanged` notifications read it.
import type { AgentFactory, LoopAgent } from "../loop/agentPort";
import { PauseGate } from "./pauseGate";
import type { SessionStatus } from "./protocol";
import type { SessionProgress } from "../report/sessionProgress";

interface AgentCounts {
  roles: Record<string, number>;
  completionTokens: number;
}

/** How many recent calls the tokens-per-second figure covers. */
const RECENT_CALLS = 16;
/** At most one progress notification a second while calls finish; state changes are sent at once. */
const NOTIFY_EVERY_MS = 1000;

export class SessionHost {
  private status: SessionStatus = idleStatus();
  private controller: AbortController | undefined;
  private readonly gate = new PauseGate();
  private readonly agentCounts = new Map<string, AgentCounts>();
  private recent: Array<{ tokens: number; startedAt: number }> = [];
  private lastNotified = 0;
  private finished: Promise<void> = Promise.resolve();

  constructor(private readonly notify: (status: SessionStatus) => void) {}

  get current(): SessionStatus {
    return { ...this.status };
  }

  counts(agentId: string): AgentCounts {
    return this.agentCounts.get(agentId) ?? { roles: {}, completionTokens: 0 };
  }

  /** Claims the engine for a session; the returned signal aborts on cancel or when the client's request is cancelled. */
  begin(workspaceDir: string, clientSignal: AbortSignal): { signal: AbortSignal; end: () => void } {
    if (this.status.state !== "idle") {
      throw new Error(`begin() while ${this.status.state}`); // the handler checks first; a second begin is a bug
    }
    const controller = new AbortController();
    this.controller = controller;
    const onClientAbort = () => controller.abort(clientSignal.reason);
    clientSignal.addEventListener("abort", onClientAbort, { once: true });
    if (clientSignal.aborted) controller.abort(clientSignal.reason); // the client stopped before the session began
    this.agentCounts.clear();
    this.recent = [];
    this.status = { ...idleStatus(), state: "starting", workspaceDir, startedAt: new Date().toISOString(), lastEventAt: new Date().toISOString() };
    let done!: () => void;
    this.finished = new Promise<void>((resolve) => (done = resolve));
    this.send(true);
    return {
      signal: controller.signal,
      end: () => {
        clientSignal.removeEventListener("abort", onClientAbort);
        this.gate.resume();
        this.controller = undefined;
        this.status = { ...this.status, state: "idle" };
        this.send(true);
        done();
      },
    };
  }

  get busy(): boolean {
    return this.status.state !== "idle";
  }

  started(run: { runId: string; firstGeneration: number; generations: number; model: string }): void {
    this.update({ state: this.gate.paused ? "paused" : "running", runId: run.runId, model: run.model, firstGeneration: run.firstGeneration, generation: run.firstGeneration, generations: run.generations }, true);
  }

  /** A new phase is said at once; calls within a phase at most once a second (with the call counts). */
  progressed(progress: SessionProgress): void {
    const phaseChanged = progress.phase !== this.status.progress?.phase || progress.generation !== this.status.progress?.generation;
    this.status = { ...this.status, progress };
    if (phaseChanged) this.send(true);
  }

  generationDone(generation: number, collapseAlarm: boolean): void {
    const last = (this.status.firstGeneration ?? 0) + (this.status.generations ?? 0) - 1;
    this.update({ generationsDone: this.status.generationsDone + 1, generation: Math.min(generation + 1, last), collapseAlarm }, true);
  }

  /** Stops the session after the calls in flight; resolves once it has ended. */
  async cancel(): Promise<boolean> {
    if (!this.controller) return false;
    this.update({ state: "stopping" }, true);
    this.controller.abort(new Error("cancelled"));
    this.gate.resume();
    await this.finished;
    return true;
  }

  pause(): void {
    if (this.status.state !== "running" && this.status.state !== "starting") return;
    this.gate.pause();
    if (this.status.state === "running") this.update({ state: "paused" }, true);
  }

  resume(): void {
    this.gate.resume();
    if (this.status.state === "paused") this.update({ state: "running" }, true);
  }

  /** Agents that wait at the gate before each call and are counted after it. */
  wrap(factory: AgentFactory): AgentFactory {
    return async (spec) => {
      const agent = await factory(spec);
      const host = this;
      const wrapped: LoopAgent = {
        get id() { return agent.id; },
        get persona() { return agent.persona; },
        get seed() { return agent.seed; },
        get sampling() { return agent.sampling; },
        async reply(request) {
          await host.gate.wait(request.signal);
          const reply = await agent.reply(request);
          host.callDone(agent.id, request.role, reply.usage.completionTokens, reply.usage.ms);
          return reply;
        },
        dispose: () => agent.dispose?.() ?? Promise.resolve(),
      };
      return wrapped;
    };
  }

  private callDone(agentId: string, role: string, tokens: number, ms: number): void {
    const counts = this.agentCounts.get(agentId) ?? { roles: {}, completionTokens: 0 };
    counts.roles[role] = (counts.roles[role] ?? 0) + 1;
    counts.completionTokens += tokens;
    this.agentCounts.set(agentId, counts);
    const now = performance.now();
    this.recent.push({ tokens, startedAt: now - ms });
    if (this.recent.length > RECENT_CALLS) this.recent.shift();
    // Agents decode concurrently: the population's rate is the recent calls' tokens over the wall time they span.
    const span = now - Math.min(...this.recent.map((c) => c.startedAt));
    const recentTokens = this.recent.reduce((a, c) => a + c.tokens, 0);
    this.update({
      calls: this.status.calls + 1,
      completionTokens: this.status.completionTokens + tokens,
      tokensPerSecond: span > 0 ? (1000 * recentTokens) / span : undefined,
    }, false);
  }

  private update(change: Partial<SessionStatus>, stateChange: boolean): void {
    this.status = { ...this.status, ...change, lastEventAt: new Date().toISOString() };
    this.send(stateChange);
  }

  private send(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastNotified < NOTIFY_EVERY_MS) return;
    this.lastNotified = now;
    this.notify(this.current);
  }
}

function idleStatus(): SessionStatus {
  return { state: "idle", generationsDone: 0, calls: 0, completionTokens: 0, collapseAlarm: false };
}
