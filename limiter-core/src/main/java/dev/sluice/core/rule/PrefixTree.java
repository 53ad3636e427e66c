package dev.sluice.core.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The prefix patterns of a {@link RuleIndex}: a radix tree (compressed trie) over the patterns'
 * prefixes, each node holding the bucket of the patterns with exactly its prefix.
 *
 * <p>Design note. A lookup walks from the root along the request key and visits only nodes whose
 * prefix the key starts with, so its cost is bounded by the key's length and by the number of
 * branch points on that one path, never by the number of patterns or of distinct prefix lengths
 * (a 512-character key among patterns of 500 different lengths visits only the patterns that are
 * its prefixes, plus the branch points between them). Nothing is allocated and no lock is taken.
 *
 * <ul>
 *   <li>Positions are absolute: a node at depth {@code d} covers characters {@code [0, d)} of its
 *       {@code path} string (the key of some pattern through it), and its edge from the parent is
 *       {@code path[parent.depth, d)}. So a node can be moved under a new parent, or up to its
 *       grandparent, without being copied.
 *   <li>Children live in an immutable {@link Children} (sorted first characters and nodes) that
 *       is replaced, never changed, and buckets are immutable (see {@link Buckets}); both are
 *       published with volatile writes after the objects they point to are complete. A reader
 *       therefore sees every node either before or after each change: an edge split inserts the
 *       middle node in one write, and a removal detaches or bypasses a node in one write.
 *   <li>Every non-root node either holds a bucket or has at least two children, so the tree has
 *       fewer than two nodes per distinct prefix (a leaf is 32 bytes).
 * </ul>
 */
final class PrefixTree {
  /** A node; {@code bucket} and {@code children} are written by the writer thread only. */
  static final class Node {
    final String path;
    final int depth;
    volatile Object bucket;
    volatile Children children;

    Node(String path, int depth) {
      this.path = path;
      this.depth = depth;
    }
  }

  /** The children of a node, by the first character of their edge; immutable. */
  static final class Children {
    final char[] firsts;
    final Node[] nodes;

    Children(char[] firsts, Node[] nodes) {
      this.firsts = firsts;
      this.nodes = nodes;
    }

    static Children of(char c, Node n) {
      return new Children(new char[] {c}, new Node[] {n});
    }

    static Children of(char c1, Node n1, char c2, Node n2) {
      return c1 < c2
          ? new Children(new char[] {c1, c2}, new Node[] {n1, n2})
          : new Children(new char[] {c2, c1}, new Node[] {n2, n1});
    }

    int indexOf(char c) {
      int lo = 0;
      int hi = firsts.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        char m = firsts[mid];
        if (m < c) {
          lo = mid + 1;
        } else if (m > c) {
          hi = mid - 1;
        } else {
          return mid;
        }
      }
      return -(lo + 1);
    }

    Children with(char c, Node n) {
      int at = -(indexOf(c) + 1);
      char[] f = new char[firsts.length + 1];
      Node[] ns = new Node[nodes.length + 1];
      System.arraycopy(firsts, 0, f, 0, at);
      System.arraycopy(nodes, 0, ns, 0, at);
      f[at] = c;
      ns[at] = n;
      System.arraycopy(firsts, at, f, at + 1, firsts.length - at);
      System.arraycopy(nodes, at, ns, at + 1, nodes.length - at);
      return new Children(f, ns);
    }

    Children replacing(int i, Node n) {
      Node[] ns = nodes.clone();
      ns[i] = n;
      return new Children(firsts, ns);
    }

    /** These children without the i-th, or null when none would be left. */
    Children without(int i) {
      if (nodes.length == 1) {
        return null;
      }
      char[] f = new char[firsts.length - 1];
      Node[] ns = new Node[nodes.length - 1];
      System.arraycopy(firsts, 0, f, 0, i);
      System.arraycopy(nodes, 0, ns, 0, i);
      System.arraycopy(firsts, i + 1, f, i, firsts.length - i - 1);
      System.arraycopy(nodes, i + 1, ns, i, nodes.length - i - 1);
      return new Children(f, ns);
    }
  }

  private final Node root = new Node("", 0);

  /**
   * The better of {@code best} and the best pattern rule matching {@code key} and {@code
   * metadata}. Any thread.
   */
  LimitRule best(String key, Map<String, String> metadata, LimitRule best) {
    Node node = root;
    int length = key.length();
    while (true) {
      Object bucket = node.bucket;
      if (bucket != null) {
        best = Buckets.best(bucket, best, metadata);
      }
      int d = node.depth;
      if (d == length) {
        return best;
      }
      Children children = node.children;
      if (children == null) {
        return best;
      }
      int i = children.indexOf(key.charAt(d));
      if (i < 0) {
        return best;
      }
      Node child = children.nodes[i];
      int cd = child.depth;
      if (cd > length || !key.regionMatches(d + 1, child.path, d + 1, cd - d - 1)) {
        return best;
      }
      node = child;
    }
  }

  /** The bucket of patterns whose prefix is {@code path[0, depth)}, or null. Writer thread. */
  Object get(String path, int depth) {
    Node node = find(path, depth, null);
    return node == null ? null : node.bucket;
  }

  /**
   * Sets the bucket of patterns whose prefix is {@code path[0, depth)}; null removes it. {@code
   * path} must be the key of a rule in {@code bucket} (the node keeps a reference to it). Writer
   * thread.
   */
  void set(String path, int depth, Object bucket) {
    if (bucket == null) {
      clear(path, depth);
    } else {
      put(path, depth, bucket);
    }
  }

  /** Visits every bucket; weakly consistent under concurrent writes. Any thread. */
  void forEachBucket(Consumer<Object> action) {
    List<Node> pending = new ArrayList<>();
    pending.add(root);
    while (!pending.isEmpty()) {
      Node node = pending.remove(pending.size() - 1);
      Object bucket = node.bucket;
      if (bucket != null) {
        action.accept(bucket);
      }
      Children children = node.children;
      if (children != null) {
        pending.addAll(List.of(children.nodes));
      }
    }
  }

  /** The node for {@code path[0, depth)}, or null; records the nodes above it in {@code above}. */
  private Node find(String path, int depth, List<Node> above) {
    Node node = root;
    while (node.depth < depth) {
      Children children = node.children;
      int i = children == null ? -1 : children.indexOf(path.charAt(node.depth));
      if (i < 0) {
        return null;
      }
      Node child = children.nodes[i];
      if (child.depth > depth
          || !path.regionMatches(
              node.depth + 1, child.path, node.depth + 1, child.depth - node.depth - 1)) {
        return null;
      }
      if (above != null) {
        above.add(node);
      }
      node = child;
    }
    return node;
  }

  private void put(String path, int depth, Object bucket) {
    Node node = root;
    while (true) {
      if (node.depth == depth) {
        node.bucket = bucket;
        return;
      }
      char c = path.charAt(node.depth);
      Children children = node.children;
      int i = children == null ? -1 : children.indexOf(c);
      if (i < 0) {
        Node leaf = new Node(path, depth);
        leaf.bucket = bucket;
        node.children = children == null ? Children.of(c, leaf) : children.with(c, leaf);
        return;
      }
      Node child = children.nodes[i];
      int limit = Math.min(depth, child.depth);
      int m = node.depth + 1;
      while (m < limit && path.charAt(m) == child.path.charAt(m)) {
        m++;
      }
      if (m == child.depth) {
        node = child;
        continue;
      }
      // The new prefix leaves the child's edge at m: split the edge with a middle node.
      Node middle = new Node(path, m);
      if (m == depth) {
        middle.bucket = bucket;
        middle.children = Children.of(child.path.charAt(m), child);
      } else {
        Node leaf = new Node(path, depth);
        leaf.bucket = bucket;
        middle.children = Children.of(child.path.charAt(m), child, path.charAt(m), leaf);
      }
      node.children = children.replacing(i, middle);
      return;
    }
  }

  private void clear(String path, int depth) {
    List<Node> above = new ArrayList<>();
    Node node = find(path, depth, above);
    if (node == null || node.bucket == null) {
      return;
    }
    node.bucket = null;
    if (node == root) {
      return;
    }
    Node parent = above.get(above.size() - 1);
    Children children = node.children;
    if (children == null) {
      detach(parent, node);
      if (parent != root && parent.bucket == null && parent.children.nodes.length == 1) {
        bypass(above.get(above.size() - 2), parent, parent.children.nodes[0]);
      }
    } else if (children.nodes.length == 1) {
      bypass(parent, node, children.nodes[0]);
    }
  }

  private static void detach(Node parent, Node child) {
    Children children = parent.children;
    parent.children = children.without(children.indexOf(child.path.charAt(parent.depth)));
  }

  /** Replaces {@code node} under {@code parent} with its only child. */
  private static void bypass(Node parent, Node node, Node onlyChild) {
    Children children = parent.children;
    parent.children =
        children.replacing(children.indexOf(node.path.charAt(parent.depth)), onlyChild);
  }
}
