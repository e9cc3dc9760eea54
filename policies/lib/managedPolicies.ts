/**
 * What AWS managed policies grant, as far as these rules look: for every AWS managed policy of a snapshot of all of
 * them (awsManagedPolicies.json, with its source), the Allow statements that grant one of the watched actions (exec,
 * sessions, turning exec on, the Session Manager channels), reduced to those actions. A policy with none of them is
 * listed as granting none. Attaching a policy is judged like attaching a customer-managed one with those statements.
 *
 * AWS adds permissions to its managed policies over time and publishes new ones: a policy the snapshot does not know
 * cannot be told (UNKNOWN), and the advisory rule aws-managed-policy-known names it, so that it is never taken as fine.
 */
import * as fs from "fs";
import * as path from "path";
import { Fields, UNKNOWN, Value } from "./values";

/**
 * The snapshot (awsManagedPolicies.json), read as data rather than imported: ts-node type-checks the pack as the CLI
 * loads it, and typing 1,500 literals adds a second to every preview.
 */
interface Snapshot {
    source: string;
    watchedActions: string[];
    grantingStatements: Record<string, Fields[]>;
    grantingNone: string[];
}

export const SNAPSHOT: Snapshot = JSON.parse(fs.readFileSync(path.join(__dirname, "awsManagedPolicies.json"), "utf8"));

/** The actions the snapshot's excerpts were reduced to: a rule may only ask about these. */
export const WATCHED_ACTIONS: readonly string[] = SNAPSHOT.watchedActions;

const GRANTING = SNAPSHOT.grantingStatements;
const GRANTING_NONE = new Set(SNAPSHOT.grantingNone);

/** The name of an AWS managed policy from its ARN (`arn:<partition>:iam::aws:policy/[path/]Name`). */
export function awsManagedPolicyName(arn: string): string | undefined {
    return /^arn:[^:]+:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** Whether the snapshot knows the AWS managed policy of this name. */
export function knownAwsManagedPolicy(name: string): boolean {
    return name in GRANTING || GRANTING_NONE.has(name);
}

/**
 * The watched statements of an AWS managed policy by ARN: a document; UNKNOWN for an AWS managed policy the snapshot
 * does not know; undefined for an ARN that is not an AWS managed policy (a customer-managed one is judged where it is
 * declared).
 */
export function awsManagedPolicyDocument(arn: string): Value {
    const name = awsManagedPolicyName(arn);
    if (name === undefined) {
        return undefined;
    }
    if (!knownAwsManagedPolicy(name)) {
        return UNKNOWN;
    }
    return { Statement: GRANTING[name] ?? [] };
}

export const SSM_MANAGED_INSTANCE_CORE = "AmazonSSMManagedInstanceCore";
