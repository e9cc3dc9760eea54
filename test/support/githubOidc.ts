/**
 * The `sub` claim of the OIDC token GitHub gives a job, as GitHub Docs, "OpenID Connect reference" (subject claims)
 * states it: a job that references an environment gets `repo:<owner>/<repo>:environment:<name>`, whatever its
 * trigger; otherwise a pull_request job gets `repo:<owner>/<repo>:pull_request`, and any other job the ref it runs on,
 * `repo:<owner>/<repo>:ref:<ref>`.
 */
export interface JobRun {
    repository: string;
    event: "pull_request" | "push" | "workflow_dispatch";
    /** The ref the job runs on (refs/heads/main, refs/pull/7/merge). */
    ref: string;
    /** The environment the job names, after its expressions are evaluated. */
    environment?: string;
}

export function oidcSubject(run: JobRun): string {
    if (run.environment !== undefined) {
        return `repo:${run.repository}:environment:${run.environment}`;
    }
    if (run.event === "pull_request") {
        return `repo:${run.repository}:pull_request`;
    }
    return `repo:${run.repository}:ref:${run.ref}`;
}

/** The context STS evaluates a role's trust with for AssumeRoleWithWebIdentity from GitHub's provider. */
export function webIdentityContext(run: JobRun): Record<string, string> {
    return {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": oidcSubject(run),
    };
}
