import { strict as assert } from "assert";
import {
    cidrBlock,
    cidrContains,
    cidrContainsBlock,
    ecsSessionTarget,
    FORWARDING_DOCUMENT,
    forwardingRequest,
} from "../../components/config";

describe("port forwarding, as values", () => {
    it("asks Session Manager for the forwarding document on the task's container, members in the API's order", () => {
        const request = forwardingRequest(ecsSessionTarget("dev-ecs-exec", "0f8e", "0f8e-1527056392"), { name: "orders-db", host: "db.internal", port: 5432 }, 15432, "INC-42");
        assert.deepEqual(Object.keys(request), ["Target", "DocumentName", "Reason", "Parameters"]);
        assert.deepEqual(request, {
            Target: "ecs:dev-ecs-exec_0f8e_0f8e-1527056392",
            DocumentName: FORWARDING_DOCUMENT,
            Reason: "INC-42",
            Parameters: { host: ["db.internal"], portNumber: ["5432"], localPortNumber: ["15432"] },
        });
        assert.equal("Reason" in forwardingRequest("ecs:a_b_c", { name: "x", host: "x", port: 1 }, 1), false, "no reason, no member");
    });

    it("reads IPv4 CIDR blocks and tells which addresses they hold", () => {
        assert.deepEqual(cidrBlock("10.0.8.0/24"), { address: 10 * 2 ** 24 + 8 * 256, prefix: 24 });
        for (const bad of ["10.0.8.1/24", "10.0.8.0/33", "10.0.8.0", "10.0.8.0/24/1", "256.0.0.0/8", "10.0.8.0/-1"]) {
            assert.equal(cidrBlock(bad), undefined, bad);
        }
        assert.equal(cidrContains("10.0.8.0/24", "10.0.8.255"), true);
        assert.equal(cidrContains("10.0.8.0/24", "10.0.9.0"), false);
        assert.equal(cidrContains("10.0.8.7/32", "10.0.8.7"), true);
    });

    it("tells which blocks hold which (doctor: routes, security group rules and ACL entries), host bits ignored", () => {
        assert.ok(cidrContainsBlock("0.0.0.0/0", "10.0.0.0/16"));
        assert.ok(cidrContainsBlock("10.0.0.0/16", "10.0.16.0/20"));
        assert.ok(cidrContainsBlock("10.0.0.0/16", "10.0.0.0/16"));
        assert.ok(cidrContainsBlock("10.0.0.1/16", "10.0.200.0/24"));
        assert.ok(!cidrContainsBlock("10.0.16.0/20", "10.0.0.0/16"));
        assert.ok(!cidrContainsBlock("10.1.0.0/16", "10.0.0.0/20"));
        assert.ok(!cidrContainsBlock("::/0", "10.0.0.0/16"));
        assert.ok(!cidrContainsBlock("0.0.0.0/0", "2001:db8::/32"));
    });
});
