/**
 * Stacks tests add to the project for a run: their files go where a user's would (Pulumi.<stack>.yaml in the
 * project), named by the run's process so that runs side by side do not share one. .gitignore ignores them.
 */
export type TestStackKind = "synthtest" | "added";

export const TEST_STACK_KINDS: readonly TestStackKind[] = ["synthtest", "added"];

export const testStack = (kind: TestStackKind) => `${kind}${process.pid}`;
