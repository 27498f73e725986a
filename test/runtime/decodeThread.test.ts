import assert from "node:assert/strict";
import { decodingProcessEnv } from "../../agents/engine/decodingEnv";
import { describeDecodeThreads } from "../../agents/runtime/decodeThread";

describe("the thread llama.cpp's decodes run on", () => {
  it("a process started to decode gets libuv's pool of one worker, whatever the parent had", () => {
    assert.equal(decodingProcessEnv({ PATH: "/bin" }).UV_THREADPOOL_SIZE, "1");
    assert.equal(decodingProcessEnv({ UV_THREADPOOL_SIZE: "16" }).UV_THREADPOOL_SIZE, "1");
    assert.equal(decodingProcessEnv({ PATH: "/bin" }).PATH, "/bin", "the rest of the environment is kept");
  });

  it("the log and the manifest say whether decodes stay on one worker, and how to get there when they do not", () => {
    assert.equal(describeDecodeThreads({ UV_THREADPOOL_SIZE: "1" }), "decodes on one libuv worker (UV_THREADPOOL_SIZE=1)");
    assert.match(describeDecodeThreads({}), /any of libuv's 4 workers \(UV_THREADPOOL_SIZE unset\).*sets UV_THREADPOOL_SIZE=1/);
    assert.match(describeDecodeThreads({ UV_THREADPOOL_SIZE: "8" }), /any of 8 libuv workers/);
  });

});
