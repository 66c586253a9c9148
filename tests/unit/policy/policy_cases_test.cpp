// The shared table of cases (policy_cases.h) through the compiler and the reference evaluator.
#include "policy_cases.h"

#include <gtest/gtest.h>

#include "policy_test_util.h"

namespace pinto::policy {
namespace {

using cases::PolicyCase;

class PolicyCases : public testing::TestWithParam<PolicyCase> {};

TEST_P(PolicyCases, VerdictMatchesTheTable) {
  const PolicyCase& c = GetParam();
  const PolicyModel model =
      testing_util::model_of(std::string(cases::kClusterResources) + "\n---\n" + c.resources);
  const Program program = compile(model);
  const EndpointProgram* ep = program.find(testing_util::endpoint_id(c.endpoint));
  ASSERT_NE(ep, nullptr) << c.endpoint;
  const Verdict v = evaluate(program, *ep, c.direction, testing_util::parse_packet(c.packet));
  EXPECT_EQ(v.allowed, c.allowed) << c.packet << " decided by " << v.decided_by.text;
}

INSTANTIATE_TEST_SUITE_P(Table, PolicyCases, testing::ValuesIn(cases::kCases),
                         [](const testing::TestParamInfo<PolicyCase>& row) {
                           return std::string(row.param.name);
                         });

}  // namespace
}  // namespace pinto::policy
