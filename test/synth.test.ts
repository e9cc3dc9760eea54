import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { duplicateUrnMessage } from "../synth/synth";
import { underMocks } from "./support/pulumi";

const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

/** A resource of any type, as a provider's SDK class would register it. */
class Raw extends pulumi.CustomResource {
    constructor(type: string, name: string, props: pulumi.Inputs) {
        super(type, name, props);
    }
}

describe("the offline synth's monitor, like the Pulumi engine", () => {
    it("refuses a second resource with a URN already registered, with the engine's message", async () => {
        const urn = `urn:pulumi:test::ecs-exec::${ROLE_ATTACHMENT}::twice`;
        await assert.rejects(
            underMocks(() => {
                new Raw(ROLE_ATTACHMENT, "twice", { role: "a", policyArn: "p" });
                new Raw(ROLE_ATTACHMENT, "twice", { role: "b", policyArn: "p" });
            }),
            (e: Error) => e.message === duplicateUrnMessage(urn),
        );
        assert.equal(duplicateUrnMessage(urn), `Duplicate resource URN '${urn}'; try giving it a unique name`);
    });

    it("lets one name through under two types: a URN is made of both", async () => {
        const { registered } = await underMocks(() => {
            new Raw(ROLE_ATTACHMENT, "same", { role: "a", policyArn: "p" });
            new Raw("aws:iam/groupPolicyAttachment:GroupPolicyAttachment", "same", { group: "g", policyArn: "p" });
        });
        assert.equal(registered.all.length, 2);
    });
});
