/** What the exec container's SSM agent calls with the task role, each request with the statement that allows it. */
import { transcriptKey } from "../../config";
import { arns, AwsContext, SSM_MESSAGES_ACTIONS } from "../../iam";

/** A request the exec container's SSM agent makes with the task role, and the task role statement that allows it. */
export interface AgentRequest {
    action: string;
    resource: string;
    /** Condition keys the service sends with it. */
    context: Record<string, string>;
    statement: string;
}

/**
 * What the SSM agent in the exec container calls with the task role to open a session and log it: the Session
 * Manager channels (no resource types), finding the session log group, writing the session's stream (named after
 * the session id), decrypting the session data key; and, where the stack has a transcripts' bucket (deployments
 * before it have none), checking the bucket and putting the session's copy, encrypted with the session key through S3.
 */
export function execAgentRequests(
    ctx: AwsContext,
    args: { sessionLogGroupName: string; kmsKeyArn: string; transcriptBucketName?: string },
): AgentRequest[] {
    const sessionId = "ecs-execute-command-0a1b2c3d4e5f6a7b8";
    const stream = `${arns.logGroup(ctx, args.sessionLogGroupName)}:log-stream:${sessionId}`;
    const request = (action: string, resource: string, statement: string, context: Record<string, string> = {}) => ({ action, resource, context, statement });
    const bucket = args.transcriptBucketName && arns.bucket(ctx, args.transcriptBucketName);
    return [
        ...SSM_MESSAGES_ACTIONS.map((action) => request(action, "*", "SessionManagerChannels")),
        request("logs:DescribeLogGroups", "*", "FindSessionLogGroup"),
        ...["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"].map((action) => request(action, stream, "WriteSessionTranscripts")),
        request("kms:Decrypt", args.kmsKeyArn, "DecryptSessionDataKey"),
        ...(bucket
            ? [
                  request("s3:GetBucketLocation", bucket, "CheckTheTranscriptBucket"),
                  request("s3:GetEncryptionConfiguration", bucket, "CheckTheTranscriptBucket"),
                  request("s3:PutObject", `${bucket}/${transcriptKey(sessionId)}`, "CopyTranscriptsToTheirBucket"),
                  request("kms:GenerateDataKey", args.kmsKeyArn, "EncryptTranscriptCopies", { "kms:ViaService": `s3.${ctx.region}.${ctx.dnsSuffix}` }),
              ]
            : []),
    ];
}
