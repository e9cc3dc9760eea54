import { strict as assert } from "assert";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { endpointUrl, stackRegion, translateAwsError } from "../../cli/aws";
import { AwsRequestError, CredentialsError, NoCredentialsError, PermissionError } from "../../cli/errors";
import { CREDENTIALS } from "./support/unit";

const awsError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });

describe("ecs-exec and AWS", () => {
    it("no credentials: a CredentialsError (exit 4) that says how to sign in; the command names the profile it used", () => {
        const error = translateAwsError(
            Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" }),
            "sts:GetCallerIdentity",
        );
        assert.ok(error instanceof NoCredentialsError);
        assert.equal(error.exitCode, 4);
        assert.match(error.message, /^no usable AWS credentials: Could not load credentials from any providers\./);
        assert.match(error.message, /aws sso login/);
        assert.match(new NoCredentialsError(error.detail, { name: "dev-developer", from: "--profile" }).message, /for profile "dev-developer" \(--profile\)/);
        assert.ok(translateAwsError(awsError("ExpiredTokenException", "The security token included in the request is expired"), "ecs:RunTask") instanceof CredentialsError);
    });

    it("refused by IAM: a PermissionError (exit 5) naming the action IAM refused", () => {
        const error = translateAwsError(
            awsError("AccessDeniedException", "User: arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:GenerateDataKey on resource: arn:aws:kms:us-east-1:111122223333:key/1"),
            "ecs:ExecuteCommand",
        );
        assert.ok(error instanceof PermissionError);
        assert.equal(error.exitCode, 5);
        assert.equal(error.action, "kms:GenerateDataKey");
        const bare = translateAwsError(awsError("AccessDeniedException", "Access denied"), "ecs:RunTask");
        assert.equal((bare as PermissionError).action, "ecs:RunTask");
    });

    it("other AWS errors and an unreachable endpoint: one message naming the call (exit 1); anything else is left alone", () => {
        const invalid = translateAwsError(awsError("InvalidParameterException", "The referenced task was not found."), "ecs:StopTask");
        assert.ok(invalid instanceof AwsRequestError);
        assert.equal(invalid.message, "ecs:StopTask failed: InvalidParameterException: The referenced task was not found.");
        const refused = translateAwsError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED", $metadata: {} }), "ecs:ListTasks");
        assert.equal((refused as Error).message, "ecs:ListTasks failed: cannot reach AWS (connect ECONNREFUSED 127.0.0.1:9)");
        const bug = new TypeError("x is undefined");
        assert.equal(translateAwsError(bug, "ecs:ListTasks"), bug);
    });

    it("uses the stack's region whatever AWS_REGION says, noting a conflicting one", () => {
        assert.deepEqual(stackRegion("us-east-1", {}), { region: "us-east-1" });
        assert.deepEqual(stackRegion("us-east-1", { AWS_REGION: "us-east-1" }), { region: "us-east-1" });
        assert.deepEqual(stackRegion("us-east-1", { AWS_REGION: "eu-west-1" }), {
            region: "us-east-1",
            notice: "AWS_REGION=eu-west-1 ignored: the stack is in us-east-1, and ecs-exec uses its region.",
        });
    });

    for (const [service, makeClient] of [
        ["ECS", () => new ECSClient({ region: "eu-west-1", credentials: CREDENTIALS })],
        ["SSM", () => new SSMClient({ region: "eu-west-1", credentials: CREDENTIALS })],
    ] as const) {
        it(`gives the plugin the ${service} endpoint the SDK calls: the region's, or AWS_ENDPOINT_URL_${service}`, async () => {
            assert.equal(await endpointUrl(makeClient()), `https://${service.toLowerCase()}.eu-west-1.amazonaws.com`);
            const variable = `AWS_ENDPOINT_URL_${service}`;
            const saved = process.env[variable];
            process.env[variable] = "http://127.0.0.1:4566";
            try {
                assert.equal(await endpointUrl(makeClient()), "http://127.0.0.1:4566");
            } finally {
                if (saved === undefined) {
                    delete process.env[variable];
                } else {
                    process.env[variable] = saved;
                }
            }
        });
    }
});
