/**
 * How long the first deploy waits between a key or bucket policy and the first call that AWS checks against it.
 *
 * KMS is eventually consistent: a change "typically" reaches the whole system "in less than a few seconds", "in some
 * cases" several minutes (KMS Developer Guide, "AWS KMS eventual consistency"); S3 bucket configurations, bucket
 * policies included, are eventually consistent too (S3 User Guide, "Amazon S3 data consistency model"). The provider
 * does not retry the calls that fail meanwhile: CreateLogGroup is called once (terraform-provider-aws
 * internal/service/logs/group.go), CreateTrail is retried only on CloudWatch Logs role errors, not on
 * InsufficientS3BucketPolicyException or InsufficientEncryptionPolicyException (internal/service/cloudtrail/trail.go).
 */
export const POLICY_PROPAGATION_WAIT = "60s";
