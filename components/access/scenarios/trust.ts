/** Assuming the developer role: each principal a stack admits under its own name only, nobody else. */
import type { EvaluationResult } from "./kit";

export interface TrustScenario {
    row: string;
    /** Who calls sts:AssumeRole, and with what. */
    principal: string;
    context: Record<string, string | string[]>;
    expect: EvaluationResult;
    allowedBy?: string[];
}

export const TRUST_ROWS = {
    user: "An IAM user of the stack's account, under their own user name",
    userOtherName: "An IAM user, under another user's name (to pose as a colleague)",
    userOtherAccount: "An IAM user of another listed account, under their own name (`alice` there is not `alice` here)",
    userNamedLikeSession: "An IAM user named like an e-mail address (`bob@example.com`, the name of Bob's Identity Center session)",
    session: "An IAM Identity Center session of a listed account, under the name its `developerSessionNameTag` tag holds (an e-mail address)",
    sessionOtherName: "A role session under another name than its tag's: Bob's session asking for alice@example.com",
    sessionUntagged: "An Identity Center session without that tag, or whose tag holds no `@` (it could be an IAM user's name)",
    otherRole: "Another role's session under the name its tag holds (a tag its caller set with `sts:TagSession`, or on a role they can tag)",
    taggedRole: "A session of a role listed in `developerTaggedRoleArns`, under the name its tag holds",
    stranger: "A principal not listed in developerPrincipalArns",
} as const;

export interface TrustListing {
    /** An IAM user of the stack's account that developerPrincipalArns admits (listed, or of a listed account root). */
    user?: string;
    /** An IAM user of another account whose root developerPrincipalArns lists. */
    userOfOtherAccount?: string;
    /** IAM Identity Center roles that developerPrincipalArns admits: their sessions assume. */
    identityCenterRoles?: string[];
    /** A role of another kind that developerPrincipalArns admits, not in developerTaggedRoleArns. */
    otherRole?: string;
    /** A role listed in developerTaggedRoleArns. */
    taggedRole?: string;
    /** The stack's developerSessionNameTag. */
    sessionNameTag?: string;
}

/** What STS knows of the caller of AssumeRole (IAM User Guide, "AWS global condition context keys"). */
function callerContext(principalArn: string, tags: Record<string, string> = {}): Record<string, string> {
    const [, , , , account, resource] = principalArn.split(":");
    const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource)?.[1];
    return {
        "aws:PrincipalArn": principalArn,
        "aws:PrincipalAccount": account,
        ...(user ? { "aws:username": user } : {}),
        ...Object.fromEntries(Object.entries(tags).map(([key, value]) => [`aws:PrincipalTag/${key}`, value])),
    };
}

/** A role's session, as the ARN IAM sees on its requests. */
function sessionOf(roleArn: string, sessionName: string): string {
    const [, partition, , , account, resource] = roleArn.split(":");
    return `arn:${partition}:sts::${account}:assumed-role/${resource.split("/").pop()}/${sessionName}`;
}

/**
 * Assuming the developer role, for the principals a stack admits. Each caller also holds an identity policy that
 * allows it, as a permission set would: a trust policy that names an account root leaves the grant to the account.
 */
export function trustScenarios(listed: TrustListing): TrustScenario[] {
    const found: TrustScenario[] = [];
    const assume = (row: string, principalArn: string, caller: string, sessionName: string, tags: Record<string, string>, expect: EvaluationResult, allowedBy?: string) => {
        found.push({
            row,
            principal: caller,
            context: { ...callerContext(principalArn, tags), "sts:RoleSessionName": sessionName },
            expect,
            ...(allowedBy ? { allowedBy: [`resource/${allowedBy}`] } : {}),
        });
    };
    const asUser = (row: string, userArn: string, sessionName: string, expect: EvaluationResult, allowedBy?: string) =>
        assume(row, userArn, userArn, sessionName, {}, expect, allowedBy);
    const asRole = (row: string, roleArn: string, sessionName: string, tag: string | undefined, expect: EvaluationResult, allowedBy?: string) =>
        assume(row, roleArn, sessionOf(roleArn, "bob@example.com"), sessionName, tag !== undefined && listed.sessionNameTag ? { [listed.sessionNameTag]: tag } : {}, expect, allowedBy);

    if (listed.user) {
        const name = listed.user.split("/").pop()!;
        asUser(TRUST_ROWS.user, listed.user, name, "Allowed", "IamUsersOfThisAccountUnderTheirOwnName");
        asUser(TRUST_ROWS.userOtherName, listed.user, "carol", "ImplicitlyDenied");
        // IAM allows @ in a user name: such a user could take a colleague's Identity Center name.
        asUser(TRUST_ROWS.userNamedLikeSession, listed.user.replace(/[^/]+$/, "bob@example.com"), "bob@example.com", "ImplicitlyDenied");
    }
    if (listed.userOfOtherAccount) {
        asUser(TRUST_ROWS.userOtherAccount, listed.userOfOtherAccount, listed.userOfOtherAccount.split("/").pop()!, "ImplicitlyDenied");
    }
    for (const role of listed.identityCenterRoles ?? []) {
        asRole(TRUST_ROWS.session, role, "bob@example.com", "bob@example.com", "Allowed", "IdentityCenterSessionsUnderTheirTaggedName");
        asRole(TRUST_ROWS.sessionOtherName, role, "alice@example.com", "bob@example.com", "ImplicitlyDenied");
        asRole(TRUST_ROWS.sessionUntagged, role, "bob@example.com", undefined, "ImplicitlyDenied");
        asRole(TRUST_ROWS.sessionUntagged, role, "bob", "bob", "ImplicitlyDenied");
    }
    if (listed.otherRole) {
        asRole(TRUST_ROWS.otherRole, listed.otherRole, "alice@example.com", "alice@example.com", "ImplicitlyDenied");
    }
    if (listed.taggedRole) {
        asRole(TRUST_ROWS.taggedRole, listed.taggedRole, "bob@example.com", "bob@example.com", "Allowed", "ListedRoleSessionsUnderTheirTaggedName");
        asRole(TRUST_ROWS.sessionOtherName, listed.taggedRole, "alice@example.com", "bob@example.com", "ImplicitlyDenied");
    }
    asUser(TRUST_ROWS.stranger, "arn:aws:iam::444455556666:user/mallory", "mallory", "ImplicitlyDenied");
    return found;
}
