package dev.sluice.simulate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.topology.SluiceConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code sluice simulate --rules RULES.json --requests REQUESTS.jsonl}: see docs/SIMULATE.md. Exit
 * status 0 on success, 2 for bad arguments or unreadable input files.
 */
public final class SimulateCommand {
  /** One-line usage. */
  public static final String USAGE =
      "usage: sluice simulate --rules RULES.json --requests REQUESTS.jsonl";

  private static final String BYTE_ORDER_MARK = "\uFEFF";

  private SimulateCommand() {}

  /** Runs the command; returns the exit status. */
  public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    Path rulesFile = null;
    Path requestsFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--rules") || a.equals("--requests")) && i + 1 < args.length) {
        Path p = Path.of(args[++i]);
        if (a.equals("--rules")) {
          rulesFile = p;
        } else {
          requestsFile = p;
        }
      } else if (a.equals("-h") || a.equals("--help")) {
        stdout.println(USAGE);
        return 0;
      } else {
        stderr.println("sluice simulate: unexpected argument " + a);
        stderr.println(USAGE);
        return 2;
      }
    }
    if (rulesFile == null || requestsFile == null) {
      stderr.println("sluice simulate: both --rules and --requests are required");
      stderr.println(USAGE);
      return 2;
    }
    JsonNode rules;
    try {
      rules = new ObjectMapper().readTree(Files.readAllBytes(rulesFile));
    } catch (IOException e) {
      stderr.println("sluice simulate: cannot read rules file " + rulesFile + ": " + describe(e));
      return 2;
    }
    if (rules == null || !rules.isArray()) {
      stderr.println(
          "sluice simulate: rules file " + rulesFile + " must hold a JSON array of rule objects");
      return 2;
    }
    if (!Files.isReadable(requestsFile) || Files.isDirectory(requestsFile)) {
      stderr.println("sluice simulate: cannot read requests file " + requestsFile);
      return 2;
    }
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), false);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(stderr, StandardCharsets.UTF_8), true);
    try (Simulator sim = new Simulator(SluiceConfig.fromProperties(new Properties()), out, err);
        BufferedReader lines = Files.newBufferedReader(requestsFile, StandardCharsets.UTF_8)) {
      int n = 0;
      for (JsonNode entry : rules) {
        sim.rule(entry, "rules file entry " + ++n);
      }
      long lineNumber = 0;
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        // Editors on some platforms start UTF-8 files with a byte order mark; it is not content.
        if (lineNumber == 0 && line.startsWith(BYTE_ORDER_MARK)) {
          line = line.substring(1);
        }
        sim.line(line, ++lineNumber);
      }
    } catch (IOException e) {
      out.flush();
      stderr.println("sluice simulate: " + describe(e));
      return 2;
    }
    return 0;
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
