/** Who may assume the developer role, and under which session name. */
import { AwsContext, Condition, IDENTITY_CENTER_ROLE_PATH, policy, PolicyDocument, PolicyStatement } from "../iam";

export interface DeveloperRoleTrustArgs {
    principalArns: string[];
    requireMfa: boolean;
    /**
     * The principal tag a role session's name must equal (e.g. `email`, an IAM Identity Center attribute for access
     * control). Without it, no role session may assume the role.
     */
    sessionNameTag?: string;
    /**
     * Roles other than IAM Identity Center's whose sessions may assume the role under their tagged name: an opt-in,
     * for roles whose owner guarantees that no caller chooses that tag (`ecs-exec:developerTaggedRoleArns`).
     */
    taggedRoleArns: string[];
}

/**
 * The character that keeps the two kinds of session name apart: an IAM user's name never has it (the trust refuses
 * one that does), a tag-pinned name always has it (an e-mail address). So no IAM user can take the name of a
 * colleague's Identity Center session, and no tag the name of an IAM user.
 */
export const TAGGED_NAME_MARK = "@";

/**
 * Who may assume the developer role. The role session name becomes the `Owner` of the tasks a session starts (it is
 * the second half of `aws:userid`), and whoever calls AssumeRole chooses it: so every session name is pinned to the
 * caller's own identity, and no two people can arrive at one name. AWS Security Blog, "Easily control the naming of
 * individual IAM role sessions" (`sts:RoleSessionName` with `${aws:username}` and `${aws:PrincipalTag/...}`).
 * - IAM users of this account only (user names are unique within an account, not across accounts), under their
 *   user name, which has no `@`.
 * - IAM Identity Center's role sessions, of any listed account, under the value of their `sessionNameTag` tag, which
 *   has an `@`: Identity Center sets its session tags from the identity source, and nobody can tag its roles.
 * - Sessions of other roles only where the stack opts in (`taggedRoleArns`): whoever assumes a role with
 *   `sts:TagSession`, or can tag the role, chooses its principal tags.
 */
export function developerRoleTrustPolicy(ctx: AwsContext, args: DeveloperRoleTrustArgs): PolicyDocument {
    const mfa: Condition = args.requireMfa ? { Bool: { "aws:MultiFactorAuthPresent": "true" } } : {};
    const taggedName = (sid: string, principalArn: Condition): PolicyStatement => ({
        Sid: sid,
        Effect: "Allow",
        Principal: { AWS: args.principalArns },
        Action: "sts:AssumeRole",
        Condition: {
            ...principalArn,
            StringEquals: { "sts:RoleSessionName": `\${aws:PrincipalTag/${args.sessionNameTag}}` },
            StringLike: { "sts:RoleSessionName": `*${TAGGED_NAME_MARK}*` },
            ...mfa,
        },
    });
    const statements: PolicyStatement[] = [
        {
            Sid: "IamUsersOfThisAccountUnderTheirOwnName",
            Effect: "Allow",
            Principal: { AWS: args.principalArns },
            Action: "sts:AssumeRole",
            Condition: {
                StringEquals: { "aws:PrincipalAccount": ctx.accountId, "sts:RoleSessionName": "${aws:username}" },
                ArnLike: { "aws:PrincipalArn": `arn:${ctx.partition}:iam::${ctx.accountId}:user/*` },
                StringNotLike: { "sts:RoleSessionName": `*${TAGGED_NAME_MARK}*` },
                ...mfa,
            },
        },
    ];
    if (args.sessionNameTag !== undefined) {
        statements.push(
            taggedName("IdentityCenterSessionsUnderTheirTaggedName", {
                ArnLike: { "aws:PrincipalArn": `arn:${ctx.partition}:iam::*:role${IDENTITY_CENTER_ROLE_PATH}*` },
            }),
        );
        if (args.taggedRoleArns.length > 0) {
            statements.push(taggedName("ListedRoleSessionsUnderTheirTaggedName", { ArnEquals: { "aws:PrincipalArn": args.taggedRoleArns } }));
        }
    }
    return policy(...statements);
}
