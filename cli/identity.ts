import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ECS_TAG_VALUE_MAX_LENGTH, isEcsTagValue } from "../components/config";
import { awsCall } from "./aws";
import { CredentialsError } from "./errors";

/** The caller's `aws:userid`: what IAM compares the Owner tag with (AIDA... or AROA...:<session name>). */
export async function callerUserId(sts: STSClient): Promise<string> {
    const identity = await awsCall("sts:GetCallerIdentity", () => sts.send(new GetCallerIdentityCommand({})));
    return identity.UserId!;
}

/**
 * Refuses, before any task is started, credentials whose `aws:userid` ECS would refuse as the Owner tag value: the
 * developer policy allows RunTask only with Owner = `aws:userid`, so with such credentials no exec task can be
 * started. Only a role session's name can make it so: the user changes the session, not an argument.
 */
export function requireTaggableOwner(userId: string): void {
    if (isEcsTagValue(userId)) {
        return;
    }
    const refused = [...new Set([...userId].filter((c) => !isEcsTagValue(c)))].map((c) => JSON.stringify(c));
    const why = refused.length > 0 ? `it contains ${refused.join(", ")}` : `it is longer than ${ECS_TAG_VALUE_MAX_LENGTH} characters`;
    throw new CredentialsError(
        `your caller id ${userId} cannot be the Owner tag of an exec task: ${why}, and ECS tag values take letters, ` +
            `digits, spaces and + - = . _ : / @ (at most ${ECS_TAG_VALUE_MAX_LENGTH} characters). A role session's id ends ` +
            "with its session name: assume the role again with a session name of those characters only (for example " +
            "--role-session-name with your user name), then run ecs-exec again.",
    );
}
