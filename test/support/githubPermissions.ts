/**
 * GITHUB_TOKEN permissions as GitHub computes them, for checking workflows offline. Sources: GitHub Docs, "GITHUB_TOKEN
 * reference" (scopes, and the default access of the permissive and restricted settings) and "Controlling permissions
 * for GITHUB_TOKEN" (naming any scope sets every other to none; a job's `permissions` replaces the workflow's);
 * "Reusing workflows" (a called workflow can only keep or lower the permissions its caller passes, and GitHub
 * refuses the calling workflow when a called job asks for more).
 */

export type Access = "none" | "read" | "write";
export type Permissions = Record<string, Access>;

const RANK: Record<Access, number> = { none: 0, read: 1, write: 2 };

/** Every scope, with the default access of the restricted setting (the permissive one grants more, never less). */
const RESTRICTED_DEFAULT: Permissions = {
    actions: "none",
    attestations: "none",
    checks: "none",
    contents: "read",
    deployments: "none",
    discussions: "none",
    "id-token": "none",
    issues: "none",
    metadata: "read",
    models: "none",
    packages: "read",
    pages: "none",
    "pull-requests": "none",
    "security-events": "none",
    statuses: "none",
};
const SCOPES = Object.keys(RESTRICTED_DEFAULT);

/** A `permissions:` value (a map, `read-all`, `write-all` or `{}`) as the access of every scope. */
export function expand(value: unknown): Permissions {
    if (value === "read-all" || value === "write-all") {
        const access: Access = value === "read-all" ? "read" : "write";
        // id-token has no read level.
        return Object.fromEntries(SCOPES.map((s) => [s, s === "id-token" && access === "read" ? "none" : access]));
    }
    if (typeof value !== "object" || value === null) {
        throw new Error(`not a permissions value: ${JSON.stringify(value)}`);
    }
    const given = value as Record<string, Access>;
    for (const [scope, access] of Object.entries(given)) {
        if (!SCOPES.includes(scope) || !(access in RANK)) {
            throw new Error(`unknown permission ${scope}: ${access}`);
        }
    }
    return Object.fromEntries(SCOPES.map((s) => [s, given[s] ?? (s === "metadata" ? "read" : "none")]));
}

/**
 * What a job's token holds: its own `permissions`, else its workflow's, else the repository's default, taken as
 * the restricted one so that the answer holds under either setting.
 */
export function granted(workflow: any, job: any): Permissions {
    const declared = job.permissions ?? workflow.permissions;
    return declared === undefined ? { ...RESTRICTED_DEFAULT } : expand(declared);
}

/** Scopes where `asked` exceeds `allowed`, in GitHub's words ("requesting 'id-token: write', but is only allowed 'id-token: none'"). */
export function exceeding(asked: Permissions, allowed: Permissions): string[] {
    return SCOPES.filter((s) => RANK[asked[s]] > RANK[allowed[s]]).map(
        (s) => `requesting '${s}: ${asked[s]}', but is only allowed '${s}: ${allowed[s]}'`,
    );
}

/**
 * Every way the reusable-workflow calls of `workflow` ask for more than their caller grants, following nested
 * calls. `load` reads a called workflow (`./.github/workflows/x.yml`).
 */
export function callViolations(file: string, workflow: any, load: (uses: string) => any): string[] {
    const found: string[] = [];
    const visit = (callerFile: string, callerWorkflow: any, grantOf: (job: any) => Permissions) => {
        for (const [callerName, caller] of Object.entries<any>(callerWorkflow.jobs)) {
            if (typeof caller.uses !== "string" || !caller.uses.startsWith("./")) {
                continue;
            }
            const grant = grantOf(caller);
            const called = load(caller.uses);
            for (const [name, job] of Object.entries<any>(called.jobs)) {
                // A called job that declares nothing runs with what its caller passes.
                const declared = job.permissions ?? called.permissions;
                const asked = declared === undefined ? grant : expand(declared);
                for (const problem of exceeding(asked, grant)) {
                    found.push(`${callerFile} job ${callerName} calls ${caller.uses}: the nested job '${name}' is ${problem}`);
                }
            }
            visit(caller.uses, called, (job) => {
                const declared = job.permissions ?? called.permissions;
                return declared === undefined ? grant : expand(declared);
            });
        }
    };
    visit(file, workflow, (job) => granted(workflow, job));
    return found;
}
