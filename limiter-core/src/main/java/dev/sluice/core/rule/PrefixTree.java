package dev.sluice.core.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The prefix patterns of a {@link RuleIndex}: a radix tree (compressed trie) over the patterns'
 * prefixes, each node holding the bucket of the patterns with exactly its prefix.
 *
 * <p>Design note. A lookup walks from the root along the request key and visits only nodes whose
 * prefix the key starts with, so its cost is bounded by the key's length and by the number of
 * branch points on that one path, never by the number of patterns or of distinct prefix lengths (a
 * 512-character key among patterns of 500 different lengths visits only the patterns that are its
 * prefixes, plus the branch points between them). Nothing is allocated and no lock is taken. At a
 * million rules the tree does not fit in cache, so the walk is priced in cache misses, and the
 * layout keeps them to about two per node visited:
 *
 * <ul>
 *   <li>Positions are absolute: a node at depth {@code d} covers characters {@code [0, d)} of its
 *       {@code path} string (the key of some pattern through it). So a node can be moved under a
 *       new parent, or up to its grandparent, without being copied.
 *   <li>A node's children are one array, {@code [c0, n0, c1, n1, ...]}: the first character of each
 *       edge as a {@link Character}, sorted, each followed by its node, so the character found and
 *       the node taken share a cache line. For ASCII characters {@link Character#valueOf} returns
 *       the JDK's shared boxes, which stay in cache, so finding the child touches only the array.
 *       Other characters get their own boxes: correct, a little slower.
 *   <li>The walk follows first characters only, and checks the key against a node's prefix only
 *       when the node holds a bucket, before using it, and only over the characters not yet
 *       compared (an edge of one character is compared by finding it). A node without a bucket
 *       needs no check: if the key left the path above it, every bucket below fails its own check,
 *       and the walk then stops.
 *   <li>Each node keeps the highest priority and the shallowest bucket depth found in its subtree,
 *       so the walk stops as soon as nothing below can beat the best rule found so far (SPEC 3: a
 *       longer prefix only wins at equal or higher priority, never over an exact key of equal
 *       priority), or nothing below is short enough to be a prefix of the key (entity keys such as
 *       {@code user:42} above sub-resource patterns such as {@code user:42:*}).
 *   <li>Children arrays and buckets are immutable and published with volatile writes after the
 *       objects they point to are complete. A reader therefore sees every node either before or
 *       after each change: an edge split inserts the middle node in one write, and a removal
 *       detaches or bypasses a node in one write. A subtree's maximum priority is raised before a
 *       bucket is published and lowered after, so a reader may descend needlessly but never skips a
 *       rule it could see.
 *   <li>Every non-root node either holds a bucket or has at least two children, so the tree has
 *       fewer than two nodes per distinct prefix (a leaf is 40 bytes).
 * </ul>
 */
final class PrefixTree {
  /** A node; only the writer thread writes its mutable fields. */
  static final class Node {
    final String path;
    final int depth;
    volatile Object bucket;

    /** Null, or {@code [Character c0, Node n0, Character c1, Node n1, ...]} sorted by character. */
    volatile Object[] kids;

    /** The highest priority of any rule in this node's bucket or below it; MIN_VALUE if none. */
    volatile int maxPriority = Integer.MIN_VALUE;

    /** The depth of the shallowest bucket at or below this node; MAX_VALUE if none. */
    volatile int minDepth = Integer.MAX_VALUE;

    Node(String path, int depth) {
      this.path = path;
      this.depth = depth;
    }

    String prefix() {
      return path.substring(0, depth);
    }
  }

  private final Node root = new Node("", 0);

  /**
   * The better of {@code best} (of tier-2 rank {@code bestSpecificity}) and the best pattern rule
   * matching {@code key} and {@code metadata}. Any thread.
   */
  LimitRule best(String key, Map<String, String> metadata, LimitRule best, int bestSpecificity) {
    Node node = root;
    int length = key.length();
    int checked = 0;
    while (true) {
      if (node.minDepth > length) {
        // No prefix at or below this node is short enough to be a prefix of the key.
        return best;
      }
      if (best != null) {
        // Everything at or below this node is a longer prefix than a pattern best's, so it can
        // win only with a higher priority, or an equal one when best is not an exact key.
        int max = node.maxPriority;
        if (max < best.priority()
            || (max == best.priority() && bestSpecificity == RulePrecedence.EXACT)) {
          return best;
        }
      }
      int d = node.depth;
      Object bucket = node.bucket;
      if (bucket != null) {
        if (d > checked) {
          if (!key.regionMatches(checked, node.path, checked, d - checked)) {
            return best;
          }
          checked = d;
        }
        LimitRule found = Buckets.best(bucket, d, best, bestSpecificity, metadata);
        if (found != best) {
          best = found;
          bestSpecificity = d;
        }
      }
      if (d == length) {
        return best;
      }
      Object[] kids = node.kids;
      if (kids == null) {
        return best;
      }
      int i = indexOf(kids, key.charAt(d));
      if (i < 0) {
        return best;
      }
      Node child = child(kids, i);
      int cd = child.depth;
      if (cd > length) {
        return best;
      }
      if (checked == d && cd == d + 1) {
        // indexOf compared the edge's only character.
        checked = cd;
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

  /**
   * Checks the tree's shape and returns its node count, root included: each child's path extends
   * its parent's and sits under its first character, every non-root node holds a bucket or has two
   * or more children (so removals leave no dead nodes behind), and every subtree bound is exact.
   * For tests; writer thread.
   */
  int checkShape() {
    int nodes = 0;
    List<Node> pending = new ArrayList<>();
    pending.add(root);
    while (!pending.isEmpty()) {
      Node node = pending.remove(pending.size() - 1);
      nodes++;
      Object[] kids = node.kids;
      int count = kids == null ? 0 : kids.length >>> 1;
      if (node != root && node.bucket == null && count < 2) {
        throw new IllegalStateException("dead node " + node.prefix());
      }
      if (kids != null && kids.length == 0) {
        throw new IllegalStateException("empty children array at " + node.prefix());
      }
      if (node.maxPriority != computeMaxPriority(node) || node.minDepth != computeMinDepth(node)) {
        throw new IllegalStateException("stale subtree bounds at " + node.prefix());
      }
      if (node.bucket != null && !Buckets.key(node.bucket).equals(node.prefix() + "*")) {
        throw new IllegalStateException("bucket under the wrong prefix " + node.prefix());
      }
      for (int i = 0; i < count; i++) {
        Node child = child(kids, i);
        if (child.depth <= node.depth
            || !child.path.startsWith(node.prefix())
            || child.path.charAt(node.depth) != firstChar(kids, i)
            || (i > 0 && firstChar(kids, i - 1) >= firstChar(kids, i))) {
          throw new IllegalStateException("misplaced child " + child.prefix());
        }
        pending.add(child);
      }
    }
    return nodes;
  }

  // ---------------------------------------------------------------------------------------------
  // Children arrays: [Character c0, Node n0, Character c1, Node n1, ...], immutable once published.

  private static char firstChar(Object[] kids, int i) {
    return (Character) kids[i << 1];
  }

  private static Node child(Object[] kids, int i) {
    return (Node) kids[(i << 1) + 1];
  }

  /** Index of the child whose edge starts with {@code c}, or {@code -(insertion point) - 1}. */
  private static int indexOf(Object[] kids, char c) {
    int lo = 0;
    int hi = (kids.length >>> 1) - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      char m = firstChar(kids, mid);
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

  private static Object[] kidsOf(char c, Node n) {
    return new Object[] {c, n};
  }

  private static Object[] kidsOf(char c1, Node n1, char c2, Node n2) {
    return c1 < c2 ? new Object[] {c1, n1, c2, n2} : new Object[] {c2, n2, c1, n1};
  }

  /** {@code kids} plus a child under {@code c}, which must not be there yet. */
  private static Object[] with(Object[] kids, char c, Node n) {
    if (kids == null) {
      return kidsOf(c, n);
    }
    int at = -(indexOf(kids, c) + 1) << 1;
    Object[] next = new Object[kids.length + 2];
    System.arraycopy(kids, 0, next, 0, at);
    next[at] = c;
    next[at + 1] = n;
    System.arraycopy(kids, at, next, at + 2, kids.length - at);
    return next;
  }

  private static Object[] replacing(Object[] kids, int i, Node n) {
    Object[] next = kids.clone();
    next[(i << 1) + 1] = n;
    return next;
  }

  /** {@code kids} without the i-th child, or null when none would be left. */
  private static Object[] without(Object[] kids, int i) {
    if (kids.length == 2) {
      return null;
    }
    int at = i << 1;
    Object[] next = new Object[kids.length - 2];
    System.arraycopy(kids, 0, next, 0, at);
    System.arraycopy(kids, at + 2, next, at, kids.length - at - 2);
    return next;
  }

  // ---------------------------------------------------------------------------------------------
  // Writer side.

  /** The node for {@code path[0, depth)}, or null; records the nodes above it in {@code above}. */
  private Node find(String path, int depth, List<Node> above) {
    Node node = root;
    while (node.depth < depth) {
      Object[] kids = node.kids;
      int i = kids == null ? -1 : indexOf(kids, path.charAt(node.depth));
      if (i < 0) {
        return null;
      }
      Node child = child(kids, i);
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
    int top = Buckets.topPriority(bucket);
    List<Node> above = new ArrayList<>();
    Node node = root;
    while (true) {
      // Raised before the bucket is published: a reader may then descend needlessly, never
      // skip a rule it can see.
      if (node.maxPriority < top) {
        node.maxPriority = top;
      }
      if (node.minDepth > depth) {
        node.minDepth = depth;
      }
      above.add(node);
      if (node.depth == depth) {
        node.bucket = bucket;
        break;
      }
      char c = path.charAt(node.depth);
      Object[] kids = node.kids;
      int i = kids == null ? -1 : indexOf(kids, c);
      if (i < 0) {
        node.kids = with(kids, c, leaf(path, depth, bucket, top));
        break;
      }
      Node child = child(kids, i);
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
      middle.maxPriority = Math.max(top, child.maxPriority);
      middle.minDepth = Math.min(depth, child.minDepth);
      if (m == depth) {
        middle.bucket = bucket;
        middle.kids = kidsOf(child.path.charAt(m), child);
      } else {
        middle.kids =
            kidsOf(child.path.charAt(m), child, path.charAt(m), leaf(path, depth, bucket, top));
      }
      node.kids = replacing(kids, i, middle);
      break;
    }
    // A replaced bucket may have lowered the maximum; lowered only after publishing.
    recompute(above);
  }

  private static Node leaf(String path, int depth, Object bucket, int top) {
    Node leaf = new Node(path, depth);
    leaf.bucket = bucket;
    leaf.maxPriority = top;
    leaf.minDepth = depth;
    return leaf;
  }

  private void clear(String path, int depth) {
    List<Node> above = new ArrayList<>();
    Node node = find(path, depth, above);
    if (node == null || node.bucket == null) {
      return;
    }
    node.bucket = null;
    Object[] kids = node.kids;
    int count = kids == null ? 0 : kids.length >>> 1;
    if (node == root || count >= 2) {
      above.add(node);
    } else if (count == 1) {
      bypass(above.get(above.size() - 1), node, child(kids, 0));
    } else {
      Node parent = above.get(above.size() - 1);
      detach(parent, node);
      Object[] siblings = parent.kids;
      if (parent != root && parent.bucket == null && siblings != null && siblings.length == 2) {
        above.remove(above.size() - 1);
        bypass(above.get(above.size() - 1), parent, child(siblings, 0));
      }
    }
    recompute(above);
  }

  private static void detach(Node parent, Node child) {
    Object[] kids = parent.kids;
    parent.kids = without(kids, indexOf(kids, child.path.charAt(parent.depth)));
  }

  /** Replaces {@code node} under {@code parent} with its only child. */
  private static void bypass(Node parent, Node node, Node onlyChild) {
    Object[] kids = parent.kids;
    parent.kids = replacing(kids, indexOf(kids, node.path.charAt(parent.depth)), onlyChild);
  }

  /** Recomputes the subtree bounds bottom-up along {@code path} (root first). */
  private static void recompute(List<Node> path) {
    for (int i = path.size() - 1; i >= 0; i--) {
      Node node = path.get(i);
      int max = computeMaxPriority(node);
      if (node.maxPriority != max) {
        node.maxPriority = max;
      }
      int min = computeMinDepth(node);
      if (node.minDepth != min) {
        node.minDepth = min;
      }
    }
  }

  private static int computeMinDepth(Node node) {
    if (node.bucket != null) {
      return node.depth;
    }
    int min = Integer.MAX_VALUE;
    Object[] kids = node.kids;
    if (kids != null) {
      for (int i = 0; i < kids.length >>> 1; i++) {
        min = Math.min(min, child(kids, i).minDepth);
      }
    }
    return min;
  }

  private static int computeMaxPriority(Node node) {
    Object bucket = node.bucket;
    int max = bucket == null ? Integer.MIN_VALUE : Buckets.topPriority(bucket);
    Object[] kids = node.kids;
    if (kids != null) {
      for (int i = 0; i < kids.length >>> 1; i++) {
        max = Math.max(max, child(kids, i).maxPriority);
      }
    }
    return max;
  }
}
