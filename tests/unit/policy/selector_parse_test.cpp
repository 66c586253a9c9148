// What parses, what does not, and where the error is reported.
#include <gtest/gtest.h>

#include <string>

#include "policy/selector/selector.h"
#include "selector_test_util.h"

namespace pinto::policy::test {
namespace {

// Every construct of the language, in the spellings Calico accepts.
const char* const kValid[] = {
    "",
    "   ",
    "\t",
    "all()",
    " all( ) ",
    "global()",
    "global( )",
    "has(a)",
    "has( a )",
    "!has(a)",
    "! has(a)",
    "!!!has(a)",
    "a == 'v'",
    "a == \"v\"",
    "a=='v'",
    "a != 'v'",
    "a!='v'",
    "a == ''",
    "a == 'x y\tz'",
    "a == '\"'",
    "a == \"'\"",
    "a in {}",
    "a in {'x'}",
    "a in {'x', \"y\"}",
    "a in {'x',}",
    "a in{'x'}",
    "a not in {'x', 'y'}",
    "a notin {'x'}",
    "a not   in {'x'}",
    "a contains 'x'",
    "a starts with 'x'",
    "a startswith 'x'",
    "a ends with 'x'",
    "a endswith 'x'",
    "projectcalico.org/name == 'default'",
    "kubernetes.io/hostname in {'node-1', 'node-2'}",
    "A-b_c.d/e-F9 == 'v'",
    "0 == 'v'",
    "in == 'x'",  // a label may be named like an operator
    "contains == 'x'",
    "has == 'x'",  // `has` without '(' is a label
    "all == 'x'",
    "global == 'x'",
    "a == 'b' && c == 'd'",
    "a == 'b' || c == 'd'",
    "a == 'b' && c == 'd' || e == 'f'",
    "(a == 'b')",
    "((((a == 'b'))))",
    "!(a == 'b' || has(c))",
    "!a == 'b'",
    "has(a) && !has(b) && all() && global()",
};

TEST(SelectorParse, AcceptsEveryConstructOfTheLanguage) {
  for (const char* text : kValid) {
    auto s = Selector::parse(text);
    EXPECT_TRUE(s.has_value()) << "'" << text << "': " << (s ? "" : s.error().to_string());
  }
}

struct BadCase {
  const char* text;
  std::size_t position;
  const char* message;  // a substring the message must contain
};

const BadCase kInvalid[] = {
    {"b == b", 5, "expected a quoted value after '==', found label 'b'"},
    {"b contains b", 11, "expected a quoted value after 'contains'"},
    {"b starts with b", 14, "quoted value after 'starts with'"},
    {"b ends with b", 12, "quoted value after 'ends with'"},
    {"'b1' == b", 0, "expected a label, has(), all(), global(), '!' or '(', found quoted value"},
    {"b", 1, "after label 'b', found end of selector"},
    {"a ", 2, "after label 'a', found end of selector"},
    {"a b", 2, "expected an operator"},
    {"a = 'b'", 2, "expected '=='"},
    {"!", 1, "found end of selector"},
    {"foo == \"bar\" &", 13, "expected '&&'"},
    {"foo == \"bar\" |", 13, "expected '||'"},
    {"foo != ||", 7, "quoted value after '!='"},
    {"foo in {\"\", ||", 12, "a quoted value or '}' in the set"},
    {"foo in {\"a\" \"b\"}", 12, "',' or '}' in the set"},
    {"foo in {,}", 8, "a quoted value or '}' in the set"},
    {"foo in \"\"", 7, "expected '{' after 'in'"},
    {"foo not in \"\"", 11, "expected '{' after 'not in'"},
    {"foo not {}", 8, "expected 'in' after 'not'"},
    {"foo starts 'x'", 11, "expected 'with' after 'starts'"},
    {"\"FOO", 0, "unterminated string"},
    {"\"FOO'", 0, "unterminated string"},
    {"a == 'FOO", 5, "unterminated string"},
    {"(", 1, "found end of selector"},
    {"(a == \"foo\"", 11, "expected ')' to close the '(' at 0"},
    {")", 0, "found ')'"},
    {"()", 1, "found ')'"},
    {"%", 0, "unexpected character '%'"},
    {"a == \"b\" && %", 12, "unexpected character '%'"},
    {"a == \"b\" || %", 12, "unexpected character '%'"},
    {"a == 'b' c == 'd'", 9, "expected '&&', '||' or the end of the selector, found label 'c'"},
    {"has(foo) &&", 11, "found end of selector"},
    {"has()", 4, "expected a label key after 'has('"},
    {"has(a b)", 6, "expected ')' to close 'has('"},
    {"has (a)", 4, "after label 'has', found '('"},
    {"all(x)", 4, "expected ')' after 'all('"},
    {"global(", 7, "expected ')' after 'global('"},
    {"a == 'x'\n", 8, "byte 0x0a"},  // Calico's whitespace is space and tab only
    {"a\n== 'x'", 1, "byte 0x0a"},
    {"a == 'x' && !", 13, "found end of selector"},
    {"a == 'x')", 8, "found ')'"},
    {"all()all()", 5, "found 'all()'"},
    {"a in {'x'} == 'y'", 11, "found '=='"},
    {"== 'x'", 0, "found '=='"},
};

TEST(SelectorParse, RejectsMalformedTextAtThePositionOfTheFault) {
  for (const auto& c : kInvalid) {
    auto s = Selector::parse(c.text);
    ASSERT_FALSE(s.has_value()) << "'" << c.text << "' parsed as " << s.value().canonical();
    EXPECT_EQ(s.error().position, c.position) << "'" << c.text << "': " << s.error().to_string();
    EXPECT_NE(s.error().message.find(c.message), std::string::npos)
        << "'" << c.text << "': " << s.error().to_string();
  }
}

TEST(SelectorParse, ErrorTextStartsWithThePosition) {
  auto s = Selector::parse("a == b");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().to_string(), "at 5: expected a quoted value after '==', found label 'b'");
}

std::string nested(std::size_t depth) {
  return std::string(depth, '(') + "a == 'b'" + std::string(depth, ')');
}

TEST(SelectorParse, AcceptsNestingUpToTheLimit) {
  EXPECT_TRUE(Selector::parse(nested(Selector::kMaxNesting)).has_value());
  EXPECT_TRUE(Selector::parse("!(" + nested(Selector::kMaxNesting - 1) + ")").has_value());
}

TEST(SelectorParse, RejectsNestingPastTheLimitAtTheOffendingParenthesis) {
  auto s = Selector::parse(nested(Selector::kMaxNesting + 1));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().position, Selector::kMaxNesting);
  EXPECT_NE(s.error().message.find("nested deeper than 64"), std::string::npos);
}

TEST(SelectorParse, SurvivesHostileDepthWithoutRecursing) {
  // A fuzzer's favourites: a million '(' and a million '!'. The first fails fast at the limit;
  // the second is a counted run of negations, not recursion.
  auto deep = Selector::parse(std::string(1'000'000, '('));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().position, Selector::kMaxNesting);

  std::string nots(1'000'001, '!');
  auto negated = Selector::parse(nots + "has(a)");
  ASSERT_TRUE(negated.has_value());
  EXPECT_EQ(negated.value().canonical(), "!has(a)");
}

TEST(SelectorParse, LongFlatExpressionsParse) {
  std::string text = "a == '0'";
  for (int i = 1; i < 2000; ++i) text += " && a" + std::to_string(i) + " != 'x'";
  auto s = Selector::parse(text);
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s.value().matches({{"a", "0"}}));
  EXPECT_FALSE(s.value().matches({{"a", "0"}, {"a1999", "x"}}));
}

TEST(SelectorParse, BlankTextIsAll) {
  for (const char* text : {"", " ", "\t \t"}) {
    auto s = Selector::parse(text);
    ASSERT_TRUE(s.has_value());
    EXPECT_TRUE(s.value().selects_all()) << "'" << text << "'";
    EXPECT_EQ(s.value().canonical(), "all()");
  }
}

TEST(SelectorParse, DefaultSelectorIsAll) {
  const Selector s;
  EXPECT_TRUE(s.selects_all());
  EXPECT_EQ(s.canonical(), "all()");
  EXPECT_TRUE(s.matches({}));
  EXPECT_EQ(s, must_parse("all()"));
}

}  // namespace
}  // namespace pinto::policy::test
