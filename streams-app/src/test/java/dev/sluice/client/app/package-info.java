/**
 * Client tests against the real Sluice service (the streams-app topology in the test JVM); staged
 * in decision-client/src/app-it until they move downstream of streams-app (see its README).
 */
package dev.sluice.client.app;
