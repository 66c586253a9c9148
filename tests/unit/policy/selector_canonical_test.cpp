// canonical(): the normal form, its text, and that the text parses back to the same selector.
#include <gtest/gtest.h>

#include <string>

#include "policy/selector/selector.h"
#include "selector_test_util.h"

namespace pinto::policy::test {
namespace {

struct CanonicalCase {
  const char* input;
  const char* canonical;
};

const CanonicalCase kCanonical[] = {
    {"", "all()"},
    {" all() ", "all()"},
    {" (all() )", "all()"},
    {"all() && all()", "all()"},
    {"has(a) || all()", "all()"},
    {"all() && has(a)", "has(a)"},
    {"global()", "global()"},
    {"global() && all()", "global()"},
    {"!all()", "!all()"},
    {"!global()", "!global()"},
    // quoting: double quotes unless the value holds one
    {"a == 'v'", "a == \"v\""},
    {"a=='v'", "a == \"v\""},
    {"a == \"'\"", "a == \"'\""},
    {"a == '\"'", "a == '\"'"},
    {"a contains '\"'", "a contains '\"'"},
    {"a startswith '\"'", "a starts with '\"'"},
    {"a endswith \"'\"", "a ends with \"'\""},
    {"a!='\"'", "a != '\"'"},
    // sets: sorted, deduplicated, one member is == / !=
    {"a in {\"d\", \"a\", \"b\"}", "a in {\"a\", \"b\", \"d\"}"},
    {"a in {\"z\", \"z\", \"x\", \"y\", \"x\", \"a\"}", "a in {\"a\", \"x\", \"y\", \"z\"}"},
    {"a in {'x',}", "a == \"x\""},
    {"a in {'x', 'x'}", "a == \"x\""},
    {"a not in {'x'}", "a != \"x\""},
    {"a in {}", "a in {}"},
    {"a not in {'\"', \"'\"}", "a not in {'\"', \"'\"}"},
    // negation: pushed into tests with an opposite, doubled away, kept on the rest
    {"!a == 'v'", "a != \"v\""},
    {"!(a == 'v')", "a != \"v\""},
    {"!a != 'v'", "a == \"v\""},
    {"!!a == 'v'", "a == \"v\""},
    {"!a in {'x', 'y'}", "a not in {\"x\", \"y\"}"},
    {"!a not in {'x', 'y'}", "a in {\"x\", \"y\"}"},
    {"! has( b)", "!has(b)"},
    {"!!has(b)", "has(b)"},
    {"!(!has(b))", "has(b)"},
    {"!a contains 'x'", "!(a contains \"x\")"},
    {"!(has( b)||! has(a ))", "!(has(b) || !has(a))"},
    {"! (a == \"b\"&&! c != \"d\")", "!(a == \"b\" && c == \"d\")"},
    // && and ||: flattened, sorted, deduplicated, parentheses only where needed
    {"b == 'x' && a == 'y'", "a == \"y\" && b == \"x\""},
    {"(c == 'x' && b == 'x') && a == 'x'", "a == \"x\" && b == \"x\" && c == \"x\""},
    {"c == 'x' || (b == 'x' || a == 'x')", "a == \"x\" || b == \"x\" || c == \"x\""},
    {"has(a) && has(a)", "has(a)"},
    {"(has(a) || has(a)) && has(b)", "has(a) && has(b)"},
    {"has(c) || has(a) && has(b)", "has(c) || has(a) && has(b)"},
    {"(has(a) || has(b)) && has(c)", "has(c) && (has(a) || has(b))"},
    {"has(b) && has(a) || has(d) && has(c)", "has(a) && has(b) || has(c) && has(d)"},
    {"((has(a)))", "has(a)"},
};

TEST(SelectorCanonical, NormalisesEquivalentSpellingsToOneText) {
  for (const auto& c : kCanonical) {
    EXPECT_EQ(must_parse(c.input).canonical(), c.canonical) << "input: " << c.input;
  }
}

TEST(SelectorCanonical, CanonicalTextParsesBackToTheSameSelector) {
  for (const auto& c : kCanonical) {
    const Selector s = must_parse(c.input);
    const Selector again = must_parse(s.canonical());
    EXPECT_EQ(again, s) << "input: " << c.input;
    EXPECT_EQ(again.canonical(), s.canonical()) << "input: " << c.input;
  }
}

TEST(SelectorCanonical, EqualityFollowsTheCanonicalText) {
  EXPECT_EQ(must_parse("a == 'x' && has(b)"), must_parse("has(b)&&a==\"x\""));
  EXPECT_EQ(must_parse("!(k in {'v'})"), must_parse("k != 'v'"));
  EXPECT_EQ(must_parse(""), must_parse("all()"));
  EXPECT_FALSE(must_parse("a == 'x'") == must_parse("a == 'y'"));
  EXPECT_FALSE(must_parse("has(a)") == must_parse("!has(a)"));
  EXPECT_FALSE(must_parse("global()") == must_parse("all()"));
  EXPECT_FALSE(must_parse("has(a) || has(b) && has(c)") ==
               must_parse("(has(a) || has(b)) && has(c)"));
}

TEST(SelectorCanonical, SelectsAllOnlyForAll) {
  for (const char* text : {"", "all()", "(all())", "all() && all()", "has(a) || all()"}) {
    EXPECT_TRUE(must_parse(text).selects_all()) << text;
  }
  for (const char* text : {"global()", "has(a)", "!all()", "a not in {}", "!has(a) || has(b)"}) {
    EXPECT_FALSE(must_parse(text).selects_all()) << text;
  }
}

}  // namespace
}  // namespace pinto::policy::test
