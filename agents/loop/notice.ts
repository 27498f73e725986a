/**
 * How loudly a message reaches the user. "warning": they must read it now (the run measures noise, a model was
 * replaced, calls fail, a human note was refused); the editor shows it. "info": it describes the run (the plan,
 * the threads, the llama.cpp build); the editor logs it and the CLI prints it like any other.
 */
export type NoticeLevel = "info" | "warning";

/** A message for the user; without a level it is a warning. */
export type OnNotice = (message: string, level?: NoticeLevel) => void;
