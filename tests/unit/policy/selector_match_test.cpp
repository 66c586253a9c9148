// matches(): every operator on present and absent labels, precedence, and Calico's absent-label
// rule (`!=` and `not in` match a missing label; every other test on it fails).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/selector/selector.h"
#include "selector_test_util.h"

namespace pinto::policy::test {
namespace {

struct MatchCase {
  const char* selector;
  std::vector<Labels> match;
  std::vector<Labels> no_match;
};

std::string show(const Labels& labels) {
  std::string out = "{";
  for (const auto& [k, v] : labels) out += k + "=" + v + ",";
  return out + "}";
}

void run(const std::vector<MatchCase>& cases) {
  for (const auto& c : cases) {
    const Selector s = must_parse(c.selector);
    // The canonical text must mean the same as the original spelling.
    const Selector round = must_parse(s.canonical());
    for (const auto& labels : c.match) {
      EXPECT_TRUE(s.matches(labels)) << c.selector << " should match " << show(labels);
      EXPECT_TRUE(round.matches(labels)) << s.canonical() << " should match " << show(labels);
    }
    for (const auto& labels : c.no_match) {
      EXPECT_FALSE(s.matches(labels)) << c.selector << " should not match " << show(labels);
      EXPECT_FALSE(round.matches(labels)) << s.canonical() << " should not match " << show(labels);
    }
  }
}

TEST(SelectorMatch, EachOperatorOnPresentAndAbsentLabels) {
  run({
      {"a == 'b'",
       {{{"a", "b"}}, {{"a", "b"}, {"c", "d"}}},
       {{}, {{"a", "c"}}, {{"c", "d"}}, {{"a", "bb"}}}},
      {"a == \"b\"", {{{"a", "b"}}}, {{}, {{"a", "B"}}}},
      {"a == ''", {{{"a", ""}}}, {{}, {{"a", "x"}}}},
      {"a != 'b'", {{}, {{"a", "c"}}, {{"c", "b"}}, {{"a", ""}}}, {{{"a", "b"}}}},
      {"has(a)", {{{"a", ""}}, {{"a", "x"}}}, {{}, {{"b", "a"}}}},
      {"!has(a)", {{}, {{"b", "a"}}}, {{{"a", ""}}, {{"a", "x"}}}},
      {"a in {'x', 'y'}",
       {{{"a", "x"}}, {{"a", "y"}}},
       {{}, {{"a", "z"}}, {{"a", ""}}, {{"b", "x"}}}},
      {"a in {}", {}, {{}, {{"a", ""}}, {{"a", "x"}}}},
      {"a not in {'x', 'y'}", {{}, {{"a", "z"}}, {{"b", "x"}}}, {{{"a", "x"}}, {{"a", "y"}}}},
      {"a not in {}", {{}, {{"a", "x"}}}, {}},
      {"a in {\"'\", '\"', \"c\"}",
       {{{"a", "'"}}, {{"a", "\""}}, {{"a", "c"}}},
       {{}, {{"a", "e"}}}},
      {"a contains 'b'",
       {{{"a", "b"}}, {{"a", "abc"}}, {{"a", "bb"}}},
       {{}, {{"a", "ac"}}, {{"b", "b"}}}},
      {"a contains ''", {{{"a", ""}}, {{"a", "x"}}}, {{}}},
      {"a starts with 'ab'", {{{"a", "ab"}}, {{"a", "abc"}}}, {{}, {{"a", "cab"}}, {{"a", "a"}}}},
      {"a ends with 'ab'", {{{"a", "ab"}}, {{"a", "cab"}}}, {{}, {{"a", "abc"}}, {{"a", "b"}}}},
      {"all()", {{}, {{"a", "b"}}}, {}},
      {"", {{}, {{"a", "b"}}}, {}},
      {"global()", {{}, {{"a", "b"}}}, {}},
      {"!all()", {}, {{}, {{"a", "b"}}}},
  });
}

TEST(SelectorMatch, NegatedTestsOnAbsentLabels) {
  // `!` negates the whole test, so a negated == matches a missing label, and a negated contains
  // does too: Calico's ast.go evaluates the test, then flips it.
  run({
      {"!a == 'b'", {{}, {{"a", "c"}}}, {{{"a", "b"}}}},
      {"!a != 'b'", {{{"a", "b"}}}, {{}, {{"a", "c"}}}},
      {"!a in {'b'}", {{}, {{"a", "c"}}}, {{{"a", "b"}}}},
      {"!a not in {'b', 'c'}", {{{"a", "b"}}, {{"a", "c"}}}, {{}, {{"a", "d"}}}},
      {"!a contains 'b'", {{}, {{"a", "c"}}}, {{{"a", "abc"}}}},
      {"!a starts with 'b'", {{}, {{"a", "ab"}}}, {{{"a", "ba"}}}},
      {"!a ends with 'b'", {{}, {{"a", "ba"}}}, {{{"a", "ab"}}}},
      {"!!a == 'b'", {{{"a", "b"}}}, {{}, {{"a", "c"}}}},
      {"!!!has(a)", {{}}, {{{"a", "b"}}}},
  });
}

TEST(SelectorMatch, AndBindsTighterThanOrAndNotTighterThanBoth) {
  run({
      // a || (b && c)
      {"has(a) || has(b) && has(c)",
       {{{"a", ""}}, {{"b", ""}, {"c", ""}}},
       {{}, {{"b", ""}}, {{"c", ""}}}},
      // (a && b) || c
      {"has(a) && has(b) || has(c)",
       {{{"a", ""}, {"b", ""}}, {{"c", ""}}},
       {{}, {{"a", ""}}, {{"b", ""}}}},
      {"(has(a) || has(b)) && has(c)",
       {{{"a", ""}, {"c", ""}}, {{"b", ""}, {"c", ""}}},
       {{{"a", ""}}, {{"c", ""}}, {{"a", ""}, {"b", ""}}}},
      // ! applies to one test, not to the && after it
      {"!has(a) && has(b)", {{{"b", ""}}}, {{{"a", ""}, {"b", ""}}, {}}},
      {"!(has(a) && has(b))", {{}, {{"a", ""}}, {{"b", ""}}}, {{{"a", ""}, {"b", ""}}}},
      {"!(!has(a) || has(b))", {{{"a", "a"}}}, {{}, {{"a", ""}, {"b", ""}}}},
      {"! a == 'a1' || ! b == 'b1'", {{{"a", "a1"}}, {}}, {{{"a", "a1"}, {"b", "b1"}}}},
      {"a != 'a1' && !b == 'b1'", {{}}, {{{"a", "a1"}, {"b", "b1"}}, {{"b", "b1"}}}},
  });
}

TEST(SelectorMatch, KubernetesStyleKeys) {
  run({
      {"projectcalico.org/name == 'kube-system'",
       {{{"projectcalico.org/name", "kube-system"}}},
       {{{"name", "kube-system"}}, {{"projectcalico.org/name", "default"}}}},
      {"has(kubernetes.io/hostname) && kubernetes.io/os in {'linux'}",
       {{{"kubernetes.io/hostname", "n1"}, {"kubernetes.io/os", "linux"}}},
       {{{"kubernetes.io/os", "linux"}}}},
      {"rack starts with 'r1' && zone ends with '-a'",
       {{{"rack", "r12"}, {"zone", "eu-west-a"}}},
       {{{"rack", "r2"}, {"zone", "eu-west-a"}}, {{"rack", "r12"}}}},
  });
}

TEST(SelectorMatch, ValuesAreComparedAsBytes) {
  run({
      {"a == 'B'", {{{"a", "B"}}}, {{{"a", "b"}}}},      // case-sensitive
      {"a == ' x '", {{{"a", " x "}}}, {{{"a", "x"}}}},  // spaces inside quotes are kept
      {"a contains 'é'", {{{"a", "café"}}}, {{{"a", "cafe"}}}},
  });
}

TEST(SelectorMatch, CopiesShareTheParsedSelector) {
  const Selector a = must_parse("has(x) && y in {'1', '2'}");
  const Selector b =
      a;  // NOLINT(performance-unnecessary-copy-initialization): the copy is the point
  EXPECT_EQ(a, b);
  EXPECT_TRUE(b.matches({{"x", ""}, {"y", "2"}}));
  EXPECT_FALSE(b.matches({{"x", ""}, {"y", "3"}}));
}

}  // namespace
}  // namespace pinto::policy::test
