/** The {@code sluice} command line ({@link dev.sluice.app.SluiceMain}): parses, starts, stops. */
package dev.sluice.app;
