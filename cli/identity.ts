import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsCall } from "./aws";

/** The caller's `aws:userid`: what IAM compares the Owner tag with (AIDA... or AROA...:<session name>). */
export async function callerUserId(sts: STSClient): Promise<string> {
    const identity = await awsCall("sts:GetCallerIdentity", () => sts.send(new GetCallerIdentityCommand({})));
    return identity.UserId!;
}
