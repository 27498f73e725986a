// Difficulty of problems and skill of solvers on one scale: a 1-parameter IRT (Rasch) model,
// P(solver s solves problem p) = σ(θ_s − b_p), fitted online by one gradient step per attempt (this is Elo
// with a logistic curve). It lets proposers be shown "just beyond what was solved" in comparable units.

export interface Attempt {
  solverId: string;
  problemId: string;
  solved: boolean;
}

export interface RatingsSnapshot {
  abilities: Record<string, number>;
  difficulties: Record<string, number>;
}

export class RaschRatings {
  private readonly ability = new Map<string, number>();
  private readonly difficulty = new Map<string, number>();

  /** `learningRate` is the Elo K-factor on the logit scale; 0.3 settles within tens of attempts. */
  constructor(private readonly learningRate = 0.3) {}

  static from(snapshot: RatingsSnapshot, learningRate?: number): RaschRatings {
    const ratings = new RaschRatings(learningRate);
    for (const [id, v] of Object.entries(snapshot.abilities)) ratings.ability.set(id, v);
    for (const [id, v] of Object.entries(snapshot.difficulties)) ratings.difficulty.set(id, v);
    return ratings;
  }

  abilityOf(solverId: string): number {
    return this.ability.get(solverId) ?? 0;
  }

  difficultyOf(problemId: string): number {
    return this.difficulty.get(problemId) ?? 0;
  }

  /** Probability the model gives that `solverId` solves `problemId`. */
  expected(solverId: string, problemId: string): number {
    return logistic(this.abilityOf(solverId) - this.difficultyOf(problemId));
  }

  record(attempt: Attempt): void {
    const surprise = (attempt.solved ? 1 : 0) - this.expected(attempt.solverId, attempt.problemId);
    this.ability.set(attempt.solverId, this.abilityOf(attempt.solverId) + this.learningRate * surprise);
    this.difficulty.set(attempt.problemId, this.difficultyOf(attempt.problemId) - this.learningRate * surprise);
  }

  snapshot(): RatingsSnapshot {
    return { abilities: Object.fromEntries(this.ability), difficulties: Object.fromEntries(this.difficulty) };
  }
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * Absolute Zero's learnability reward for the proposer: 1 − p̂ when the problem is sometimes solved, else 0 —
 * a problem everybody or nobody solves teaches nothing. `solveRate` is p̂ over the problem's attempts.
 */
export function learnabilityReward(solveRate: number, attempts: number): number {
  if (attempts === 0 || solveRate <= 0 || solveRate >= 1) return 0;
  return 1 - solveRate;
}
