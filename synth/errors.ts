/** synth's failures, apart from the SDK: the command answers bad arguments without loading it. */

/** A stack that cannot be synthesized: its config or its program fails (exit 1). */
export class SynthError extends Error {}

/** What synth was asked cannot be done as asked: bad arguments, a stack without its file, a file that is not YAML (exit 2). */
export class SynthUsageError extends SynthError {}
