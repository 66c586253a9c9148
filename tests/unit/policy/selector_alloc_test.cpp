// matches() allocates nothing: the claim selector.h makes, checked by counting every operator new
// made on this thread while it runs. This file replaces the global operator new/delete for the
// whole pinto_selector_tests binary; counting is off except inside the measured region.
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>

#include "policy/selector/selector.h"
#include "selector_test_util.h"

// GCC 12 sees free() in the replacement operator delete inlined into library code and calls it
// a mismatch with operator new; in this file the pair is malloc/free on purpose.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
thread_local bool g_counting = false;  // test-only instrumentation, not program state
thread_local std::size_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (g_counting) ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace pinto::policy::test {
namespace {

TEST(SelectorAllocation, MatchesAllocatesNothing) {
  const Selector s = must_parse(
      "(projectcalico.org/name in {'a', 'b', 'kube-system'} || has(x)) && rack starts with 'r' "
      "&& zone ends with '-a' && role contains 'db' && env != 'dev' && !has(skip) && "
      "tier not in {'x', 'y'}");
  const Labels labels{{"projectcalico.org/name", "kube-system"},
                      {"rack", "r1"},
                      {"zone", "eu-a"},
                      {"role", "mydb"},
                      {"env", "prod"}};
  g_allocations = 0;
  g_counting = true;
  bool matched = false;
  for (int i = 0; i < 100; ++i) matched = s.matches(labels) && !s.matches({});
  g_counting = false;
  EXPECT_TRUE(matched);
  EXPECT_EQ(g_allocations, 0u);
}

TEST(SelectorAllocation, TheCounterSeesAnAllocation) {
  // Guards the test above against a counter that never counts.
  g_allocations = 0;
  g_counting = true;
  const Selector s = must_parse("a == 'b'");
  g_counting = false;
  EXPECT_GT(g_allocations, 0u);
  EXPECT_TRUE(s.matches({{"a", "b"}}));
}

}  // namespace
}  // namespace pinto::policy::test
