/**
 * How the tool talks to AWS: the region to use, the ECS endpoint to hand to session-manager-plugin, and AWS
 * errors turned into the tool's expected errors. Credentials and endpoints are the SDK's standard resolution
 * (--profile or AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL[_ECS|_STS|...], the config files); the region is
 * the stack's.
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { AwsRequestError, CredentialsError, NoCredentialsError, PermissionError } from "./errors";

/**
 * The region every request of a command goes to: the stack's, whatever AWS_REGION says. The stack's cluster, log group
 * and CloudTrail history are there only: followed, AWS_REGION would send `audit` to another region's empty history,
 * and it would print a clean report. A conflicting AWS_REGION is noted, never followed.
 */
export function stackRegion(region: string, env: NodeJS.ProcessEnv): { region: string; notice?: string } {
    const asked = env.AWS_REGION;
    return asked && asked !== region ? { region, notice: `AWS_REGION=${asked} ignored: the stack is in ${region}, and ecs-exec uses its region.` } : { region };
}

/**
 * The client's endpoint URL (ECS for execute-command, SSM for start-session), as the AWS CLI passes
 * `client.meta.endpoint_url` to session-manager-plugin: a configured endpoint (AWS_ENDPOINT_URL_ECS,
 * AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, endpoint_url in the profile) or the region's default.
 */
export async function endpointUrl(client: ECSClient | SSMClient): Promise<string> {
    const configured = await client.config.serviceConfiguredEndpoint?.();
    if (configured) {
        return configured;
    }
    const endpoint = client.config.endpointProvider({
        Region: await client.config.region(),
        UseFIPS: await client.config.useFipsEndpoint(),
        UseDualStack: await client.config.useDualstackEndpoint(),
    });
    return endpoint.url.href.replace(/\/$/, "");
}

const PERMISSION_ERRORS = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);
const REJECTED_CREDENTIALS = new Set([
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
]);

/** Sends one request; its failure comes back as one of the tool's errors, naming `action` (`ecs:RunTask`). */
export async function awsCall<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
        return await send();
    } catch (e) {
        throw translateAwsError(e, action);
    }
}

/** The profile in use is the command's to name (cli/main.ts): see NoCredentialsError. */
export function translateAwsError(error: unknown, action: string): unknown {
    if (!(error instanceof Error)) {
        return error;
    }
    const { name, message } = error;
    if (name === "CredentialsProviderError" || name === "TokenProviderError") {
        return new NoCredentialsError(message);
    }
    if (REJECTED_CREDENTIALS.has(name)) {
        return new CredentialsError(`AWS rejected your credentials (${name}: ${message}). Sign in again.`);
    }
    if (PERMISSION_ERRORS.has(name) || /is not authorized to perform/.test(message)) {
        // IAM names the action it refused; trust it over ours (ExecuteCommand can also be refused kms:GenerateDataKey).
        const refused = /not authorized to perform: ([\w-]+:\w+)/.exec(message)?.[1] ?? action;
        return new PermissionError(refused, message);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) {
        return new AwsRequestError(`${action} failed: cannot reach AWS (${message})`);
    }
    if ("$metadata" in error) {
        return new AwsRequestError(`${action} failed: ${name}: ${message}`);
    }
    return error;
}
