/**
 * The {@code sluice} command line ({@link dev.sluice.app.SluiceMain}) and the runtime around the
 * topology: one class per command ({@code LocalCommand}, {@code RunCommand}, {@code RulesCommand},
 * {@code CheckCommand}, {@code BenchCommand}; {@code simulate} lives in {@code
 * dev.sluice.simulate}), configuration loading and validation ({@link dev.sluice.app.AppConfig}),
 * one running instance with its HTTP health, metrics and counters endpoints ({@link
 * dev.sluice.app.SluiceInstance}), topic creation ({@link dev.sluice.app.TopicsCreator}) and the
 * in-process broker of {@code sluice local} ({@link dev.sluice.app.EmbeddedKafka}, secured with
 * SASL/SCRAM and ACLs by {@code --secure}). Security: the ACLs each principal needs ({@link
 * dev.sluice.app.AclPlan}, the list docs/SECURITY.md shows), SCRAM users and ACLs set up on a
 * secured broker ({@link dev.sluice.app.LocalSecurity}) and SCRAM client settings ({@link
 * dev.sluice.app.Scram}). It parses, starts and stops; the decisions themselves are the topology's.
 */
package dev.sluice.app;
