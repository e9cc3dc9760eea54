/**
 * Who else is in a task, before the command that started it stops it: Session Manager's active sessions on the task's
 * exec container, ECS Exec shells and port forwarding alike (both have the ECS target `ecs:<cluster>_<task>_<runtime
 * id>`, components/config/portForwarding.ts).
 */
import { DescribeSessionsCommand, Session, SSMClient } from "@aws-sdk/client-ssm";
import { awsCall } from "./aws";

/** The active sessions on `target`, the command's own (`own`, which Session Manager may still list as ending) left out. */
export async function otherActiveSessions(ssm: SSMClient, target: string, own: string[]): Promise<Session[]> {
    const sessions: Session[] = [];
    let nextToken: string | undefined;
    do {
        const page = await awsCall("ssm:DescribeSessions", () =>
            ssm.send(new DescribeSessionsCommand({ State: "Active", Filters: [{ key: "Target", value: target }], NextToken: nextToken })),
        );
        sessions.push(...(page.Sessions ?? []).filter((session) => !own.includes(session.SessionId ?? "")));
        nextToken = page.NextToken;
    } while (nextToken);
    return sessions;
}
