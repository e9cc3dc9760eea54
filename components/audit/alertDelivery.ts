/**
 * How alerts are delivered and how a failed delivery shows: plain values the stack declares (components/audit/execAudit.ts)
 * and `ecs-exec doctor` reads back.
 */

/**
 * How long EventBridge keeps trying to deliver an alert before it goes to the dead-letter queue: minutes, not the
 * default 24 hours and 185 attempts (EventBridge User Guide, "Retry policy": at least 60 s of event age).
 */
export const ALERT_RETRY_POLICY = { maximumEventAgeInSeconds: 600, maximumRetryAttempts: 8 } as const;

/** SQS's longest retention (SQS Developer Guide, quotas): what failed stays to be read for two weeks. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/**
 * The EventBridge metrics of an event a rule did not deliver (EventBridge User Guide, "Monitoring Amazon
 * EventBridge", dimension RuleName on the default bus): failed for good, not invoked, sent to the dead-letter queue
 * after the retries, or not even that. Each is published only when not zero.
 */
export const UNDELIVERED_METRICS = ["FailedInvocations", "DeadLetterInvocations", "InvocationsSentToDlq", "InvocationsFailedToBeSentToDlq"] as const;
