/** CloudTrail records as EventBridge delivers them, changed the ways the alert tests need. */

/** The same call by an IAM user (CloudTrail User Guide, "CloudTrail userIdentity element": type IAMUser). */
export function asIamUser(event: any): any {
    event.detail.userIdentity = {
        type: "IAMUser",
        principalId: "AIDAEXAMPLEUSERBOB01",
        arn: "arn:aws:iam::111122223333:user/bob",
        accountId: "111122223333",
        accessKeyId: "AKIAEXAMPLEKEYBOB001",
        userName: "bob",
    };
    return event;
}

/** A copy of `event` without the field at the property path `parts` (unchanged when a field on the way is missing). */
export function without(event: any, parts: string[]): any {
    const copy = JSON.parse(JSON.stringify(event));
    let node = copy;
    for (const part of parts.slice(0, -1)) {
        if (typeof node?.[part] !== "object" || node[part] === null) {
            return copy;
        }
        node = node[part];
    }
    delete node?.[parts[parts.length - 1]];
    return copy;
}
