/**
 * How the tool talks to AWS: the region to use, the ECS endpoint to hand to session-manager-plugin, and AWS
 * errors turned into the tool's expected errors. Credentials, profile and endpoints are the SDK's standard
 * resolution (AWS_PROFILE, AWS_ACCESS_KEY_ID..., AWS_ENDPOINT_URL[_ECS|_STS|...], the config files).
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { AwsRequestError, CredentialsError, PermissionError } from "./errors";

/** AWS_REGION, when set, overrides the stack's region: the SDK's standard override. */
export function resolveRegion(stackRegion: string, env: NodeJS.ProcessEnv = process.env): string {
    return env.AWS_REGION || stackRegion;
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

export function translateAwsError(error: unknown, action: string, env: NodeJS.ProcessEnv = process.env): unknown {
    if (!(error instanceof Error)) {
        return error;
    }
    const { name, message } = error;
    if (name === "CredentialsProviderError" || name === "TokenProviderError") {
        const profile = env.AWS_PROFILE ? ` for profile "${env.AWS_PROFILE}" (AWS_PROFILE)` : "";
        return new CredentialsError(
            `no usable AWS credentials${profile}: ${message}.\n` +
                "Sign in (for example `aws sso login`), or set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
        );
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
