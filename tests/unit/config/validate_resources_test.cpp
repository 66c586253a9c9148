// Cross-resource rules (config/validate_resources): each case builds a whole state from YAML,
// and the error must name the resource and field.
#include "config/validate_resources.h"

#include <gtest/gtest.h>

namespace pinto::config {
namespace {

std::vector<Resource> parse(const std::string& yaml) {
  auto r = parse_resources(yaml);
  EXPECT_TRUE(r) << r.error().to_string();
  return r ? std::move(r).value() : std::vector<Resource>{};
}

std::string pool(const std::string& name, const std::string& cidr, const std::string& extra = "") {
  return "---\napiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: " + name +
         "}\nspec: {cidr: '" + cidr + "'" + extra + "}\n";
}

std::string block(const std::string& name, const std::string& cidr, bool deleted = false) {
  return "---\napiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: " + name +
         "}\nspec: {state: confirmed, node: n1, cidr: '" + cidr + "', deleted: '" +
         (deleted ? "true" : "false") + "'}\n";
}

std::string peer(const std::string& name, const std::string& filters) {
  return "---\napiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: " + name +
         "}\nspec: {peerIP: 10.0.0.9, asNumber: 65001, filters: " + filters + "}\n";
}

std::string filter(const std::string& name) {
  return "---\napiVersion: projectcalico.org/v3\nkind: BGPFilter\nmetadata: {name: " + name +
         "}\nspec: {exportV4: [{action: Reject}]}\n";
}

std::string error_of(const std::string& yaml) {
  auto v = validate_resources(parse(yaml));
  return v ? std::string("accepted") : v.error().to_string();
}

TEST(ValidateResources, AConsistentStateIsAccepted) {
  EXPECT_EQ(error_of(pool("v4", "10.244.0.0/16") + pool("v6", "fd00:244::/56") +
                     pool("other", "10.245.0.0/16", ", blockSize: 24") +
                     block("b1", "10.244.1.0/26") + block("b2", "fd00:244::/122") +
                     block("b3", "10.245.7.0/24") + filter("f") + peer("p", "[f]")),
            "accepted");
}

TEST(ValidateResources, OverlappingPoolsAreRefusedNamingBoth) {
  auto v = validate_resources(parse(pool("a", "10.0.0.0/16") + pool("b", "10.0.128.0/17")));
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().where, "IPPool/b");
  EXPECT_EQ(v.error().field, "spec.cidr");
  EXPECT_EQ(v.error().to_string(), "IPPool/b: spec.cidr: overlaps IPPool a (10.0.0.0/16)");
}

TEST(ValidateResources, ContainingPoolOverlapsToo) {
  EXPECT_EQ(error_of(pool("small", "10.0.1.0/24") + pool("big", "10.0.0.0/8")),
            "IPPool/big: spec.cidr: overlaps IPPool small (10.0.1.0/24)");
}

TEST(ValidateResources, PoolsOfDifferentFamiliesNeverOverlap) {
  // Both begin with zero bits: a comparison that forgot the family would call them overlapping.
  EXPECT_EQ(error_of(pool("a", "0.0.0.0/1") + pool("b", "::/1")), "accepted");
}

TEST(ValidateResources, BlockOutsideEveryPoolIsRefused) {
  EXPECT_EQ(error_of(pool("a", "10.244.0.0/16") + block("b1", "10.99.0.0/26")),
            "BlockAffinity/b1: spec.cidr: 10.99.0.0/26 is not inside any IPPool");
}

TEST(ValidateResources, BlockOfTheOtherFamilyIsOutsideV4Pools) {
  EXPECT_EQ(error_of(pool("a", "10.244.0.0/16") + block("b1", "fd00::/122")),
            "BlockAffinity/b1: spec.cidr: fd00::/122 is not inside any IPPool");
}

TEST(ValidateResources, BlocksWithoutAnyPoolAreAcceptedForStaticDeployments) {
  EXPECT_EQ(error_of(block("b1", "10.99.0.0/26")), "accepted");
}

TEST(ValidateResources, DeletedBlocksAreNotChecked) {
  EXPECT_EQ(error_of(pool("a", "10.244.0.0/16") + block("b1", "10.99.0.0/26", true)), "accepted");
}

TEST(ValidateResources, BlockSizeMustMatchItsPool) {
  EXPECT_EQ(error_of(pool("a", "10.244.0.0/16") + block("b1", "10.244.1.0/24")),
            "BlockAffinity/b1: spec.cidr: /24 does not match blockSize 26 of IPPool a");
  EXPECT_EQ(error_of(pool("a", "10.244.0.0/16", ", blockSize: 28") + block("b1", "10.244.1.0/26")),
            "BlockAffinity/b1: spec.cidr: /26 does not match blockSize 28 of IPPool a");
}

TEST(ValidateResources, DuplicateNamesWithinAKindAreRefused) {
  EXPECT_EQ(error_of(pool("a", "10.0.0.0/16") + pool("a", "10.1.0.0/16")),
            "IPPool/a: metadata.name: defined more than once");
  // The same name in two kinds is fine.
  EXPECT_EQ(error_of(pool("a", "10.0.0.0/16") + filter("a")), "accepted");
}

TEST(ValidateResources, NamespacedKindsAreUniquePerNamespace) {
  const std::string wep =
      "---\napiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\n"
      "metadata: {name: w, namespace: NS}\nspec: {node: n1, ipNetworks: [10.0.0.1/32]}\n";
  auto in = [&](const std::string& ns) {
    std::string s = wep;
    s.replace(s.find("NS"), 2, ns);
    return s;
  };
  EXPECT_EQ(error_of(in("a") + in("b")), "accepted");
  EXPECT_EQ(error_of(in("a") + in("a")),
            "WorkloadEndpoint/a/w: metadata.name: defined more than once");
}

TEST(ValidateResources, PeerFilterMustExist) {
  EXPECT_EQ(error_of(filter("f") + peer("p", "[f, g]")),
            "BGPPeer/p: spec.filters[1]: no BGPFilter named 'g'");
  EXPECT_EQ(error_of(filter("f") + filter("g") + peer("p", "[f, g]")), "accepted");
}

}  // namespace
}  // namespace pinto::config
