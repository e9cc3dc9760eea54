import { strict as assert } from "assert";
import { forwardingEgressRules } from "../../components/network";

describe("exec tasks' egress rules, as values", () => {
    it("names a shared rule after every destination it serves, within EC2's 255 characters for a description", () => {
        const many = Array.from({ length: 30 }, (_, i) => ({ name: `database-number-${i}`, host: `db${i}.internal`, port: 5432, cidr: "10.0.8.0/24" }));
        const [rule] = forwardingEgressRules(many);
        assert.equal(rule.description, "ecs-exec forward: 30 destinations");
        assert.deepEqual(forwardingEgressRules(many.slice(0, 2)).map((r) => r.description), ["ecs-exec forward database-number-0, database-number-1"]);
        assert.deepEqual(forwardingEgressRules([]), []);
    });
});
