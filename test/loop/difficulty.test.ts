import assert from "node:assert/strict";
import { RaschRatings, learnabilityReward } from "../../agents/loop/difficulty";

describe("problem difficulty and solver skill (Rasch ratings)", () => {
  it("ranks problems by how often they are solved", () => {
    const ratings = new RaschRatings();
    // Five solvers of equal skill: "easy" is solved 9 times in 10, "hard" once in 10.
    for (let round = 0; round < 10; round++) {
      for (let s = 0; s < 5; s++) {
        ratings.record({ solverId: `s${s}`, problemId: "easy", solved: round !== 3 });
        ratings.record({ solverId: `s${s}`, problemId: "hard", solved: round === 3 });
      }
    }
    assert.ok(ratings.difficultyOf("hard") > ratings.difficultyOf("easy") + 1);
  });

  it("raises the skill of a solver who solves what others fail", () => {
    const ratings = new RaschRatings();
    for (let i = 0; i < 30; i++) {
      ratings.record({ solverId: "strong", problemId: `p${i}`, solved: true });
      ratings.record({ solverId: "weak", problemId: `p${i}`, solved: false });
    }
    assert.ok(ratings.abilityOf("strong") > ratings.abilityOf("weak"));
    assert.ok(ratings.expected("strong", "new") > 0.5 && ratings.expected("weak", "new") < 0.5);
  });

  it("survives a round trip through its snapshot", () => {
    const ratings = new RaschRatings();
    ratings.record({ solverId: "a", problemId: "p", solved: true });
    const copy = RaschRatings.from(JSON.parse(JSON.stringify(ratings.snapshot())));
    assert.equal(copy.expected("a", "p"), ratings.expected("a", "p"));
  });
});

describe("the proposer's learnability reward", () => {
  it("pays nothing for problems everybody or nobody solves", () => {
    assert.equal(learnabilityReward(1, 4), 0);
    assert.equal(learnabilityReward(0, 4), 0);
    assert.equal(learnabilityReward(0.5, 0), 0);
  });
  it("pays more for harder problems that are still sometimes solved", () => {
    assert.equal(learnabilityReward(0.25, 4), 0.75);
    assert.ok(learnabilityReward(0.25, 4) > learnabilityReward(0.75, 4));
  });
});
