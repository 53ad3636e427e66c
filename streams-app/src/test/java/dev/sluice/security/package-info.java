/**
 * Security tests: Kafka security settings passing through every configuration path to the Kafka
 * clients, the {@link dev.sluice.app.AclPlan} and its agreement with docs/SECURITY.md, and
 * integration tests on the embedded broker in secure mode (SASL/SCRAM-SHA-512, the
 * StandardAuthorizer, nothing granted but the plan): refused logins, rules only the admin can
 * change, the real topology running on exactly the documented ACLs, tenant isolation by reply
 * topic, and trusted time (LogAppendTime versus CreateTime).
 */
package dev.sluice.security;
