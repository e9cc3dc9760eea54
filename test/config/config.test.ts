import { strict as assert } from "assert";
import {
    ConfigError,
    ConfigProblem,
    exampleValues,
    ExecConfig,
    FARGATE_MEMORY_BY_CPU,
    LOG_RETENTION_DAYS,
    RawConfig,
} from "../../components/config";
import { parseExecConfig } from "../../components/config/pulumi";
import { ProjectFile, readProjectFile, readStackConfig, resolveStackConfig, stackConfigTypeError } from "../../synth/synth";

const project = readProjectFile();

const ECR_IMAGE = "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1";

/** The dev stack's config as the Pulumi CLI hands it over, with some keys replaced (undefined: unset). */
function devConfig(changes: Record<string, string | undefined> = {}): RawConfig {
    const raw: Record<string, string | undefined> = { ...resolveStackConfig(project, readStackConfig("dev")) };
    for (const [key, value] of Object.entries(changes)) {
        const qualified = key.includes(":") ? key : `ecs-exec:${key}`;
        if (value === undefined) {
            delete raw[qualified];
        } else {
            raw[qualified] = value;
        }
    }
    return raw;
}

/** Pulumi.yaml's defaults of some keys, as the CLI passes them. */
function defaultsOf(...keys: string[]): Record<string, string> {
    return Object.fromEntries(keys.map((key) => [key, String(project.config[key].default)]));
}

function problemsOf(raw: RawConfig, stack = "dev"): ConfigProblem[] {
    try {
        parseExecConfig(raw, stack);
    } catch (e) {
        if (e instanceof ConfigError) {
            return e.problems;
        }
        throw e;
    }
    return [];
}

/** The dev stack's config with `changes`, accepted (as stack `stack`). */
function accepts(changes: Record<string, string | undefined>, stack = changes.environment ?? "dev"): ExecConfig {
    const raw = devConfig(changes);
    assert.deepEqual(problemsOf(raw, stack), [], `expected ${JSON.stringify(changes)} to be accepted`);
    return parseExecConfig(raw, stack);
}

/** Asserts the change is rejected with exactly one problem, on `key`, whose allowed text matches. */
function rejects(
    changes: Record<string, string | undefined>,
    key: string,
    allowed: RegExp,
    stack = changes.environment ?? "dev",
): ConfigProblem {
    const problems = problemsOf(devConfig(changes), stack);
    assert.equal(problems.length, 1, `expected one problem for ${JSON.stringify(changes)}, got ${JSON.stringify(problems)}`);
    const [problem] = problems;
    assert.equal(problem.key, key.includes(":") ? key : `ecs-exec:${key}`);
    assert.match(problem.allowed, allowed);
    return problem;
}

describe("config validation", () => {
    describe("the stack files", () => {
        it("accepts the dev stack: a created VPC with public subnets, a month of logs", () => {
            const config = parseExecConfig(devConfig(), "dev");
            assert.equal(config.environment, "dev");
            assert.equal(config.region, "us-east-1");
            assert.deepEqual(config.network, { mode: "create", vpcCidr: undefined });
            assert.equal(config.assignPublicIp, true);
            assert.equal(config.logRetentionDays, 30);
        });

        it("accepts the prod stack: existing subnets, endpoints, at least a year of logs", () => {
            const config = parseExecConfig(resolveStackConfig(project, readStackConfig("prod")), "prod");
            assert.equal(config.environment, "prod");
            assert.equal(config.network.mode, "existing");
            assert.equal(config.vpcEndpoints, "existing");
            assert.ok(config.logRetentionDays >= 365);
        });

        it("fills unset keys from the defaults Pulumi.yaml declares", () => {
            const minimal = resolveStackConfig(project, {
                "aws:region": "eu-west-1",
                "ecs-exec:environment": "staging",
                "ecs-exec:appImage": "public.ecr.aws/docker/library/python:3.12",
            });
            const config = parseExecConfig(minimal, "staging");
            assert.equal(config.execCpu, 256);
            assert.equal(config.execMemory, 512);
            assert.equal(config.cpuArchitecture, "X86_64");
            assert.equal(config.assignPublicIp, false);
            assert.equal(config.vpcEndpoints, "none");
            assert.deepEqual(config.alertEmails, []);
        });

        it("puts --config keys without a namespace in the project's, as pulumi config set does", () => {
            const raw = resolveStackConfig(project, readStackConfig("dev"), { execMemory: "1024", "aws:region": "eu-west-1" });
            assert.equal(raw["ecs-exec:execMemory"], "1024");
            assert.equal(raw["aws:region"], "eu-west-1");
            assert.equal(raw.execMemory, undefined);
            assert.equal(parseExecConfig(raw, "dev").execMemory, 1024);
        });
    });

    describe("Pulumi's check of stack values against the types Pulumi.yaml declares", () => {
        it("passes both committed stack files", () => {
            for (const stack of ["dev", "prod"]) {
                assert.equal(stackConfigTypeError(stack, project, readStackConfig(stack)), undefined, stack);
            }
        });

        it("still loads vpcEndpoints: true and false from older stack files, read as create and none", () => {
            for (const [old, mode] of [[true, "create"], [false, "none"]] as const) {
                const stackFile = { ...readStackConfig("prod"), "ecs-exec:vpcEndpoints": old };
                assert.equal(stackConfigTypeError("prod", project, stackFile), undefined);
                assert.equal(parseExecConfig(resolveStackConfig(project, stackFile), "prod").vpcEndpoints, mode);
            }
        });

        it("would refuse existing had vpcEndpoints stayed a boolean (why it is declared a string)", () => {
            const asBoolean: ProjectFile = {
                ...project,
                config: { ...project.config, vpcEndpoints: { ...project.config.vpcEndpoints, type: "boolean", default: false } },
            };
            assert.equal(
                stackConfigTypeError("prod", asBoolean, readStackConfig("prod")),
                "Stack 'prod' with configuration key 'vpcEndpoints' must be of type 'boolean'",
            );
        });

        it("checks the other types as Pulumi does: integers as numbers or digits, lists of the declared item type", () => {
            const prod = readStackConfig("prod");
            assert.equal(stackConfigTypeError("prod", project, { ...prod, "ecs-exec:execCpu": "512" }), undefined);
            assert.equal(
                stackConfigTypeError("prod", project, { ...prod, "ecs-exec:execCpu": "half" }),
                "Stack 'prod' with configuration key 'execCpu' must be of type 'integer'",
            );
            assert.equal(
                stackConfigTypeError("prod", project, { ...prod, "ecs-exec:subnetIds": [1] }),
                "Stack 'prod' with configuration key 'subnetIds' must be of type 'array<string>'",
            );
        });
    });

    describe("environment", () => {
        for (const good of ["dev", "prod-eu", "a", "team2-staging"]) {
            it(`accepts ${JSON.stringify(good)} in the stack of that name`, () =>
                assert.equal(accepts({ environment: good }, good).environment, good));
        }
        for (const bad of ["Dev", "1dev", "dev-", "dev_1", "", "a".repeat(21)]) {
            it(`rejects ${JSON.stringify(bad)}`, () => rejects({ environment: bad }, "environment", /lowercase/, bad));
        }
        it("rejects an unset environment as required", () => rejects({ environment: undefined }, "environment", /required/));
        it("rejects two hyphens in a row when the stack creates a trail (CloudTrail refuses adjacent dashes)", () => {
            rejects({ environment: "qa--x", cloudTrail: "create" }, "environment", /no two hyphens in a row with cloudTrail create/);
            // No trail, no trail name rule: a stack that works today keeps working.
            assert.equal(accepts({ environment: "qa--x", cloudTrail: "existing" }).environment, "qa--x");
        });
        it("rejects sg and sg-...: security group names must not start with sg-", () => {
            for (const bad of ["sg", "sg-team"]) {
                rejects({ environment: bad, cloudTrail: "existing" }, "environment", /security group names \(sg-/);
            }
            accepts({ environment: "sgx" });
        });
        it("rejects a trail bucket name S3 reserves (sthree-, amzn-s3-demo-) when the stack creates a trail", () => {
            rejects({ environment: "sthree", cloudTrail: "create" }, "environment", /must not start with sthree-, a prefix S3 reserves/);
            rejects({ environment: "amzn-s3-demo", cloudTrail: "create" }, "environment", /amzn-s3-demo-/);
            accepts({ environment: "sthree", cloudTrail: "existing" });
        });
        it("caps the environment by the trail bucket's 63 characters in the stack's region", () => {
            const longest = "e".repeat(20);
            accepts({ environment: longest, "aws:region": "ap-southeast-2" });
            const problem = rejects(
                { environment: longest, "aws:region": "us-isof-south-1", cloudTrail: "create" },
                "environment",
                /at most 19 characters in us-isof-south-1 with cloudTrail create/,
            );
            assert.equal(problem.value, longest);
            accepts({ environment: "e".repeat(19), "aws:region": "us-isof-south-1" });
            accepts({ environment: longest, "aws:region": "us-isof-south-1", cloudTrail: "existing" });
        });

        it("rejects another stack's environment (a stack file copied from dev), naming the stack's own", () => {
            const problem = rejects({}, "environment", /the stack's own name, "staging": .* collide/, "staging");
            assert.equal(problem.value, "dev");
        });

        it("tells a stack whose name cannot be an environment to rename the stack", () =>
            rejects({ environment: "staging" }, "environment", /stack "Staging" is not a valid environment.*name the stack like its environment/, "Staging"));
    });

    describe("aws:region", () => {
        it("accepts a region name", () => assert.equal(accepts({ "aws:region": "ap-southeast-2" }).region, "ap-southeast-2"));
        it("accepts a region of another partition", () => assert.equal(accepts({ "aws:region": "cn-north-1", appImage: "nginx:1.27" }).region, "cn-north-1"));
        it("rejects a missing region", () => rejects({ "aws:region": undefined }, "aws:region", /us-east-1/));
        it("rejects something that is not a region", () => rejects({ "aws:region": "Virginia" }, "aws:region", /region/));
        it("rejects a well-formed region that does not exist, listing the ones that do", () =>
            rejects({ "aws:region": "us-moon-1" }, "aws:region", /a region the AWS provider knows.*one of: .*eu-west-1/));
    });

    describe("appImage", () => {
        for (const good of [
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.2.3",
            "nginx:1.27",
            "ghcr.io/org/app@sha256:" + "a".repeat(64),
            "localhost:5000/app",
        ]) {
            it(`accepts ${good}`, () => assert.equal(accepts({ appImage: good }).appImage, good));
        }
        for (const bad of ["Org/App:1", "app:", "https://registry/app", "app:tag with space"]) {
            it(`rejects ${JSON.stringify(bad)}`, () => rejects({ appImage: bad }, "appImage", /image reference/));
        }
    });

    describe("execCpu and execMemory", () => {
        it("accepts every Fargate size", () => {
            for (const [cpu, memories] of Object.entries(FARGATE_MEMORY_BY_CPU)) {
                for (const memory of memories) {
                    accepts({ execCpu: cpu, execMemory: String(memory) });
                }
            }
        });
        it("rejects memory the cpu size does not offer, naming what it offers", () => {
            const problem = rejects({ execCpu: "1024", execMemory: "1024" }, "execMemory", /2048 to 8192 in steps of 1024/);
            assert.equal(problem.value, "1024");
        });
        it("rejects 8192 cpu units with memory off its 4096 MiB steps", () =>
            rejects({ execCpu: "8192", execMemory: "17408" }, "execMemory", /16384 to 61440 in steps of 4096/));
        it("rejects cpu units Fargate does not have", () => {
            const problems = problemsOf(devConfig({ execCpu: "300" }));
            assert.deepEqual(
                problems.map((p) => p.key),
                ["ecs-exec:execCpu"],
                "memory is not blamed for a bad cpu",
            );
            assert.match(problems[0].allowed, /256, 512, 1024, 2048, 4096, 8192, 16384/);
        });
        it("rejects a number that is not whole", () => rejects({ execMemory: "512.5" }, "execMemory", /MiB/));
    });

    describe("cpuArchitecture", () => {
        it("accepts ARM64", () => assert.equal(accepts({ cpuArchitecture: "ARM64" }).cpuArchitecture, "ARM64"));
        it("rejects lower case", () => rejects({ cpuArchitecture: "arm64" }, "cpuArchitecture", /X86_64 or ARM64/));
    });

    describe("maxSessionHours", () => {
        for (const good of ["1", "24"]) {
            it(`accepts ${good}`, () => assert.equal(accepts({ maxSessionHours: good }).maxSessionHours, Number(good)));
        }
        for (const bad of ["0", "25", "2.5", "forever"]) {
            it(`rejects ${bad}`, () => rejects({ maxSessionHours: bad }, "maxSessionHours", /from 1 to 24/));
        }
    });

    describe("logRetentionDays", () => {
        it("accepts every value CloudWatch Logs accepts", () => {
            for (const days of LOG_RETENTION_DAYS) {
                accepts({ logRetentionDays: String(days) });
            }
        });
        for (const bad of ["0", "31", "-1", "3654"]) {
            it(`rejects ${bad}`, () => rejects({ logRetentionDays: bad }, "logRetentionDays", /1, 3, 5, 7, 14, 30/));
        }
    });

    describe("network", () => {
        const existing = {
            vpcId: "vpc-0a1b2c3d4e5f60718",
            subnetIds: JSON.stringify(["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d"]),
            assignPublicIp: "false",
        };
        it("uses existing subnets when vpcId and subnetIds are set", () =>
            assert.deepEqual(accepts(existing).network, {
                mode: "existing",
                vpcId: "vpc-0a1b2c3d4e5f60718",
                subnetIds: ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d"],
            }));
        it("creates a VPC of the given CIDR when vpcId is unset", () =>
            assert.deepEqual(accepts({ vpcCidr: "10.20.0.0/20" }).network, { mode: "create", vpcCidr: "10.20.0.0/20" }));
        it("rejects vpcId without subnets", () =>
            rejects({ ...existing, subnetIds: undefined }, "subnetIds", /at least one subnet/));
        it("rejects subnets without vpcId", () => rejects({ ...existing, vpcId: undefined }, "subnetIds", /unless vpcId/));
        it("rejects vpcCidr next to vpcId", () => rejects({ ...existing, vpcCidr: "10.0.0.0/16" }, "vpcCidr", /unset when vpcId/));
        it("rejects a malformed vpcId", () => rejects({ ...existing, vpcId: "vpc-xyz" }, "vpcId", /VPC id/));
        it("rejects malformed or repeated subnet ids", () => {
            rejects({ ...existing, subnetIds: '["subnet-1"]' }, "subnetIds", /not valid: subnet-1/);
            rejects({ ...existing, subnetIds: '["subnet-0a1b2c3d","subnet-0a1b2c3d"]' }, "subnetIds", /without duplicates/);
        });
        for (const bad of ["10.0.0.1/16", "10.0.0.0/8", "10.0.0.0/28", "300.0.0.0/16", "10.0.0.0"]) {
            it(`rejects vpcCidr ${bad}`, () => rejects({ vpcCidr: bad }, "vpcCidr", /\/16 to \/24/));
        }
        it("rejects endpoints next to public IPs in a created VPC (they are alternatives)", () => {
            rejects({ vpcEndpoints: "create", assignPublicIp: "true" }, "vpcEndpoints", /public subnets/);
            rejects({ vpcEndpoints: "true", assignPublicIp: "true" }, "vpcEndpoints", /public subnets/);
        });
        it("reads create, existing and none, and the true and false of older stack files as create and none", () => {
            assert.equal(accepts({ vpcEndpoints: "create", assignPublicIp: "false", appImage: ECR_IMAGE }).vpcEndpoints, "create");
            assert.equal(accepts({ vpcEndpoints: "true", assignPublicIp: "false", appImage: ECR_IMAGE }).vpcEndpoints, "create");
            assert.equal(accepts({ vpcEndpoints: "none" }).vpcEndpoints, "none");
            assert.equal(accepts({ vpcEndpoints: "false" }).vpcEndpoints, "none");
            assert.equal(accepts({ ...existing, vpcEndpoints: "existing" }).vpcEndpoints, "existing");
            rejects({ vpcEndpoints: "yes" }, "vpcEndpoints", /create, existing or none/);
        });
        it("rejects existing endpoints in a VPC the stack creates (it has none)", () =>
            rejects({ vpcEndpoints: "existing", assignPublicIp: "false" }, "vpcEndpoints", /create or none when the stack creates the VPC/));
        it("rejects an image outside this region's ECR when the created VPC has no internet route", () => {
            const isolated = { vpcEndpoints: "create", assignPublicIp: "false" };
            rejects({ ...isolated, appImage: "nginx:1.27" }, "appImage", /ECR image in us-east-1/);
            rejects(
                { ...isolated, appImage: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1" },
                "appImage",
                /ECR image in us-east-1/,
            );
            accepts({ ...isolated, appImage: "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1" });
        });
        it("rejects an image outside this region's ECR on existing subnets with endpoints (taken to have no NAT)", () => {
            for (const mode of ["create", "existing", "true"]) {
                rejects({ ...existing, vpcEndpoints: mode, appImage: "nginx:1.27" }, "appImage", /ECR image in us-east-1.*vpcEndpoints to none/);
            }
            rejects(
                { ...existing, vpcEndpoints: "existing", appImage: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1" },
                "appImage",
                /ECR image in us-east-1/,
            );
        });
        it("leaves the route to an image to the owner of existing subnets without endpoints (a NAT gateway, say)", () =>
            accepts({ ...existing, vpcEndpoints: "none", appImage: "nginx:1.27" }));
    });

    describe("booleans", () => {
        it("rejects anything but true or false", () => rejects({ assignPublicIp: "yes" }, "assignPublicIp", /true or false/));
    });

    describe("lists", () => {
        it("reads alertEmails", () =>
            assert.deepEqual(accepts({ alertEmails: '["a@example.com","b@example.org"]' }).alertEmails, [
                "a@example.com",
                "b@example.org",
            ]));
        it("rejects an address that is not one", () =>
            rejects({ alertEmails: '["a@example.com","oncall"]' }, "alertEmails", /not valid: oncall/));
        it("rejects a value that is not a JSON list of strings", () => {
            rejects({ alertEmails: "a@example.com" }, "alertEmails", /a list of e-mail addresses/);
            rejects({ alertEmails: "[1]" }, "alertEmails", /a list of e-mail addresses/);
        });
        it("accepts account roots, users and roles with paths as developer principals", () =>
            accepts({
                developerPrincipalArns: JSON.stringify([
                    "arn:aws:iam::111122223333:root",
                    "arn:aws:iam::111122223333:user/alice",
                    "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123",
                ]),
            }));
        it("rejects an assumed-role session as a developer principal", () =>
            rejects(
                { developerPrincipalArns: '["arn:aws:sts::111122223333:assumed-role/Dev/alice"]' },
                "developerPrincipalArns",
                /IAM principal ARNs/,
            ));
    });

    describe("the audit's administrators and its data", () => {
        it("reads the audit administrators, roles with paths and wildcards, and protectAuditData (prod: on)", () => {
            const admins = ["arn:aws:iam::111122223333:role/ci/github-deploy-dev", "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/*AWSReservedSSO_Admin_*", "arn:aws:iam::111122223333:user/ops"];
            const config = accepts({ auditAdminPrincipalArns: JSON.stringify(admins), protectAuditData: "true" });
            assert.deepEqual(config.auditAdminPrincipalArns, admins);
            assert.equal(config.protectAuditData, true);
            assert.deepEqual(parseExecConfig(devConfig(), "dev").auditAdminPrincipalArns, [], "empty: whoever runs pulumi up");
            assert.equal(readStackConfig("prod")["ecs-exec:protectAuditData"], true);
        });
        it("rejects what aws:PrincipalArn never is: a session ARN, a group, a service", () => {
            for (const bad of ["arn:aws:sts::111122223333:assumed-role/admin/alice", "arn:aws:iam::111122223333:group/admins", "events.amazonaws.com"]) {
                rejects({ auditAdminPrincipalArns: JSON.stringify([bad]) }, "auditAdminPrincipalArns", /IAM principal ARNs as aws:PrincipalArn names them/);
            }
            rejects({ protectAuditData: "yes" }, "protectAuditData", /true or false/);
        });
    });

    describe("developer access", () => {
        it("reads requireMfa and the existing roles and groups to attach the policy to", () => {
            const config = accepts({
                requireMfa: "true",
                developerPolicyRoles: '["platform-oncall"]',
                developerPolicyGroups: '["developers","sre"]',
            });
            assert.equal(config.requireMfa, true);
            assert.deepEqual(config.developerPolicyRoles, ["platform-oncall"]);
            assert.deepEqual(config.developerPolicyGroups, ["developers", "sre"]);
        });
        it("reads requireReason: off by default, on in the prod stack", () => {
            assert.equal(parseExecConfig(devConfig(), "dev").requireReason, false);
            assert.equal(accepts({ requireReason: "true" }).requireReason, true);
            assert.equal(readStackConfig("prod")["ecs-exec:requireReason"], true);
        });
        it("rejects a requireReason that is not true or false", () => rejects({ requireReason: "yes" }, "requireReason", /true or false/));
        it("rejects requireMfa without principals to assume the role", () =>
            rejects(
                { requireMfa: "true", developerPrincipalArns: "[]", developerSessionNameTag: undefined },
                "requireMfa",
                /unless developerPrincipalArns/,
            ));

        const SSO_ROLE = "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123";
        it("reads the tag that names role sessions, for roles and account roots", () => {
            for (const principal of [SSO_ROLE, "arn:aws:iam::111122223333:root"]) {
                const config = accepts({ developerPrincipalArns: JSON.stringify([principal]), developerSessionNameTag: "email" });
                assert.equal(config.developerSessionNameTag, "email");
            }
        });
        it("rejects a role or an account root without it, saying why and what to do instead", () => {
            for (const principal of [SSO_ROLE, "arn:aws:iam::111122223333:root"]) {
                const problem = rejects(
                    { developerPrincipalArns: JSON.stringify(["arn:aws:iam::111122223333:user/bob", principal]), developerSessionNameTag: undefined },
                    "developerSessionNameTag",
                    /^required when developerPrincipalArns lists a role or an account root/,
                );
                assert.equal(problem.value, undefined);
                assert.ok(problem.allowed.includes(`(${principal})`), problem.allowed);
                assert.match(problem.allowed, /chooses the session name, which becomes the Owner/);
                assert.match(problem.allowed, /permission set \(a customer managed policy reference; no role to assume\)/);
            }
        });
        it("needs no tag when only IAM users assume the role (their user name is pinned)", () =>
            assert.equal(
                accepts({ developerPrincipalArns: '["arn:aws:iam::111122223333:user/bob"]', developerSessionNameTag: undefined }).developerSessionNameTag,
                undefined,
            ));
        it("rejects a tag with no role session to name", () => {
            rejects({ developerPrincipalArns: '["arn:aws:iam::111122223333:user/bob"]' }, "developerSessionNameTag", /unset unless/);
            rejects({ developerPrincipalArns: "[]" }, "developerSessionNameTag", /unset unless/);
        });
        describe("roles other than Identity Center's (developerTaggedRoleArns)", () => {
            const FEDERATED = "arn:aws:iam::111122223333:role/federation/okta-developers";
            it("reads the opted-in roles, admitted by the listed role or its account root", () => {
                for (const principals of [[FEDERATED], ["arn:aws:iam::111122223333:root"]]) {
                    const config = accepts({
                        developerPrincipalArns: JSON.stringify(principals),
                        developerSessionNameTag: "email",
                        developerTaggedRoleArns: JSON.stringify([FEDERATED]),
                    });
                    assert.deepEqual(config.developerTaggedRoleArns, [FEDERATED]);
                }
                assert.deepEqual(parseExecConfig(devConfig(), "dev").developerTaggedRoleArns, []);
            });
            it("rejects a listed role whose sessions could never assume the developer role, saying how to opt in", () => {
                const problem = rejects(
                    { developerPrincipalArns: JSON.stringify([SSO_ROLE, FEDERATED]), developerSessionNameTag: "email" },
                    "developerPrincipalArns",
                    /^role ARNs of IAM Identity Center \(path \/aws-reserved\/sso.amazonaws.com\/\) or also in developerTaggedRoleArns/,
                );
                assert.ok(problem.allowed.includes(`the sessions of ${FEDERATED} could never assume`), problem.allowed);
            });
            it("rejects an opted-in role that developerPrincipalArns does not admit, or one of Identity Center's", () => {
                rejects(
                    {
                        developerPrincipalArns: '["arn:aws:iam::444455556666:root"]',
                        developerSessionNameTag: "email",
                        developerTaggedRoleArns: JSON.stringify([FEDERATED, SSO_ROLE]),
                    },
                    "developerTaggedRoleArns",
                    new RegExp(
                        `^roles developerPrincipalArns admits \\(the role itself, or its account root\\): not ${FEDERATED}, ${SSO_ROLE.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}; no IAM Identity Center role`,
                    ),
                );
            });
            it("rejects opted-in roles without the tag that names their sessions, and anything but role ARNs", () => {
                const problems = problemsOf(devConfig({ developerPrincipalArns: JSON.stringify([FEDERATED]), developerSessionNameTag: undefined, developerTaggedRoleArns: JSON.stringify([FEDERATED]) }), "dev");
                assert.deepEqual(problems.map((p) => p.key), ["ecs-exec:developerSessionNameTag", "ecs-exec:developerTaggedRoleArns"]);
                assert.match(problems[1].allowed, /^empty unless developerSessionNameTag is set/);
                rejects({ developerTaggedRoleArns: '["arn:aws:iam::111122223333:user/bob"]' }, "developerTaggedRoleArns", /IAM role ARNs/);
            });
        });
        for (const bad of ["e mail", "aws:username", "AWS:x", "x".repeat(129), "${x}", ""]) {
            it(`rejects the tag key ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 8)}… (${bad.length})` : bad)}`, () =>
                rejects({ developerSessionNameTag: bad }, "developerSessionNameTag", /an IAM tag key/));
        }
        it("rejects ARNs where names are expected", () => {
            rejects(
                { developerPolicyRoles: '["arn:aws:iam::111122223333:role/x"]' },
                "developerPolicyRoles",
                /IAM role names \(not ARNs\)/,
            );
            rejects({ developerPolicyGroups: '["a/b"]' }, "developerPolicyGroups", /IAM group names/);
        });
    });

    describe("audit trail", () => {
        it("creates a trail by default and keeps its logs a year", () => {
            const config = accepts(defaultsOf("cloudTrail", "trailRetentionDays"));
            assert.equal(config.cloudTrail, "create");
            assert.equal(config.trailRetentionDays, 365);
        });
        it("relies on an existing trail when told", () => assert.equal(accepts({ cloudTrail: "existing" }).cloudTrail, "existing"));
        it("rejects another trail mode", () => rejects({ cloudTrail: "organization" }, "cloudTrail", /create or existing/));
        for (const bad of ["0", "3654", "ninety"]) {
            it(`rejects trailRetentionDays ${bad}`, () => rejects({ trailRetentionDays: bad }, "trailRetentionDays", /from 1 to 3653/));
        }
    });

    describe("portForwarding", () => {
        const list = (...entries: unknown[]) => ({ portForwarding: JSON.stringify(entries) });
        const database = { name: "orders-db", host: "orders-db.dev.example.com", port: 5432, cidr: "10.0.0.0/16" };

        it("is empty by default: no forwarding", () => assert.deepEqual(accepts({ portForwarding: undefined }).portForwarding, []));

        it("takes the dev stack's destination, and destinations by security group, IPv4 address or port given as digits", () => {
            assert.deepEqual(parseExecConfig(devConfig(), "dev").portForwarding, [database]);
            const config = accepts(
                list(
                    { name: "billing", host: "10.0.7.12", port: "3306", cidr: "10.0.7.12/32" },
                    { name: "cache-1", host: "cache.internal", port: 6379, securityGroupId: "sg-0123456789abcdef0" },
                ),
            );
            assert.deepEqual(config.portForwarding, [
                { name: "billing", host: "10.0.7.12", port: 3306, cidr: "10.0.7.12/32" },
                { name: "cache-1", host: "cache.internal", port: 6379, securityGroupId: "sg-0123456789abcdef0" },
            ]);
        });

        const bad: [string, unknown, RegExp][] = [
            ["a name with capitals", { ...database, name: "Orders_DB" }, /name: lowercase letters, digits and hyphens \(got "Orders_DB"\)/],
            ["no name", { ...database, name: undefined }, /name: .*\(got nothing\)/],
            ["port 0", { ...database, port: 0 }, /port: a whole number from 1 to 65535 \(got 0\)/],
            ["port 65536", { ...database, port: 65536 }, /port: a whole number from 1 to 65535/],
            ["a port with a fraction", { ...database, port: 54.32 }, /port:/],
            ["a host with a space", { ...database, host: "orders db" }, /host: a DNS name or an IPv4 address \(got "orders db"\)/],
            ["a host like an address out of range", { ...database, host: "10.0.0.256" }, /host:/],
            ["a URL for a host", { ...database, host: "postgres://orders-db:5432" }, /host:/],
            ["both cidr and securityGroupId", { ...database, securityGroupId: "sg-0123456789abcdef0" }, /exactly one of cidr .* and securityGroupId .*, not both/],
            ["neither cidr nor securityGroupId", { name: "x", host: "x.internal", port: 1 }, /exactly one of cidr/],
            ["a cidr with host bits", { ...database, cidr: "10.0.0.1/16" }, /cidr: an IPv4 CIDR block without host bits/],
            ["the whole internet", { ...database, cidr: "0.0.0.0/0" }, /cidr: .*\/1 to \/32/],
            ["a security group by name", { name: "x", host: "x.internal", port: 1, securityGroupId: "orders-db" }, /securityGroupId: a security group id/],
            ["an address outside its cidr", { ...database, host: "10.1.0.5" }, /host 10\.1\.0\.5 is outside cidr 10\.0\.0\.0\/16/],
            ["a misspelt field", { ...database, hostname: "x" }, /no field hostname \(fields: name, host, port, cidr, securityGroupId\)/],
            ["a string for an entry", "orders-db", /an object \{ name, host, port, cidr \| securityGroupId \}/],
        ];
        for (const [what, entry, allowed] of bad) {
            it(`rejects ${what}, naming the entry by its position`, () => {
                const problem = rejects(list(database.name === (entry as any)?.name ? { ...database, name: "first" } : database, entry), "portForwarding[1]", allowed);
                assert.equal(problem.value, JSON.stringify(entry));
            });
        }

        it("rejects a name used twice, naming the later entry", () =>
            rejects(list(database, { ...database, host: "orders-db-2.internal" }), "portForwarding[1]", /name: "orders-db" is taken by an earlier entry/));

        it("names every bad entry, each with everything wrong with it", () => {
            const problems = problemsOf(devConfig(list({ name: "A", port: 0, cidr: "10.0.0.0/16" }, database, { ...database, name: "b", port: "x" })));
            assert.deepEqual(problems.map((p) => p.key), ["ecs-exec:portForwarding[0]", "ecs-exec:portForwarding[2]"]);
            assert.match(problems[0].allowed, /name: .*; host: .*; port: /);
        });

        it("rejects a value that is not a list", () => rejects({ portForwarding: '{"name":"orders-db"}' }, "portForwarding", /a list of \{ name, host, port, cidr \| securityGroupId \}/));

        it("is checked as Pulumi checks a list of objects: array<object>, each item a map", () => {
            const dev = readStackConfig("dev");
            assert.equal(stackConfigTypeError("dev", project, dev), undefined);
            assert.equal(
                stackConfigTypeError("dev", project, { ...dev, "ecs-exec:portForwarding": ["orders-db"] }),
                "Stack 'dev' with configuration key 'portForwarding' must be of type 'array<object>'",
            );
            assert.equal(
                stackConfigTypeError("dev", project, { ...dev, "ecs-exec:portForwarding": { name: "orders-db" } }),
                "Stack 'dev' with configuration key 'portForwarding' must be of type 'array<object>'",
            );
        });
    });

    describe("example values", () => {
        it("finds every value of the committed stack files that names a documentation account or example domain", () => {
            for (const stack of ["dev", "prod"]) {
                const found = exampleValues(resolveStackConfig(project, readStackConfig(stack)));
                const keys = [...new Set(found.map((e) => e.key))];
                assert.ok(keys.includes("ecs-exec:appImage") && keys.includes("ecs-exec:alertEmails"), `${stack}: ${keys}`);
            }
        });

        it("names each example item of a list, and says why", () => {
            assert.deepEqual(
                exampleValues({
                    "ecs-exec:alertEmails": '["oncall@acme.io","sec@example.org","team@corp.example"]',
                    "ecs-exec:appImage": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                    "aws:region": "us-east-1",
                }),
                [
                    { key: "ecs-exec:alertEmails", value: "sec@example.org", why: "is under a domain reserved for examples (RFC 2606)" },
                    { key: "ecs-exec:alertEmails", value: "team@corp.example", why: "is under a domain reserved for examples (RFC 2606)" },
                    {
                        key: "ecs-exec:appImage",
                        value: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                        why: "names AWS's documentation account 123456789012",
                    },
                ],
            );
        });

        it("looks into the objects of a list: a destination's host", () => {
            assert.deepEqual(
                exampleValues({ "ecs-exec:portForwarding": '[{"name":"orders-db","host":"db.example.com","port":5432,"cidr":"10.0.0.0/16"}]' }),
                [{ key: "ecs-exec:portForwarding", value: "db.example.com", why: "is under a domain reserved for examples (RFC 2606)" }],
            );
        });

        it("leaves real-looking values alone", () => {
            assert.deepEqual(
                exampleValues({
                    "ecs-exec:appImage": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/app:1",
                    "ecs-exec:developerPrincipalArns": '["arn:aws:iam::2111122223333:user/x"]',
                    "ecs-exec:alertEmails": '["ops@example.company.io","me@notexample.com"]',
                }),
                [],
            );
        });
    });

    it("rejects a key of the project's namespace it does not know (a typo would otherwise be ignored)", () =>
        rejects({ "ecs-exec:execCPU": "512" }, "ecs-exec:execCPU", /no such key; known keys: environment, appImage/));

    it("reports every bad key at once, each with the value given and what is allowed", () => {
        const raw = devConfig({
            environment: "Dev",
            execMemory: "300",
            maxSessionHours: "48",
            logRetentionDays: "31",
            alertEmails: '["nope"]',
        });
        let error: unknown;
        try {
            parseExecConfig(raw, "dev");
        } catch (e) {
            error = e;
        }
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(
            error.problems.map((p) => [p.key, p.value]),
            [
                ["ecs-exec:environment", "Dev"],
                ["ecs-exec:execMemory", "300"],
                ["ecs-exec:maxSessionHours", "48"],
                ["ecs-exec:logRetentionDays", "31"],
                ["ecs-exec:alertEmails", '["nope"]'],
            ],
        );
        const lines = error.message.split("\n");
        assert.equal(lines[0], "invalid stack configuration (5 problems):");
        assert.equal(lines[2], '  - ecs-exec:execMemory: got "300"; allowed: MiB valid with execCpu 256: 512, 1024, 2048');
        assert.equal(lines.length, 6);
    });
});
