/** Exec sessions as plain values: the task's roles, the session key and the transcripts' bucket policies. */
export { sessionKeyPolicy } from "./sessionPolicies";
