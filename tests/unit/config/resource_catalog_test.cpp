// ResourceCatalog over the memory store: what prepare_apply/prepare_delete decide, what commit
// writes (store and mirror), how load() rebuilds the mirror from a store written earlier, and
// that what `get` shows (yaml_with_version) applies back as "unchanged".
#include "config/resource_catalog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace pinto::config {
namespace {

std::string node(const std::string& name, const std::string& ipv4, std::uint32_t as = 64512) {
  return "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: " + name +
         "\nspec:\n  bgp:\n    ipv4Address: " + ipv4 + "\n    asNumber: " + std::to_string(as) +
         "\n";
}

std::string with_version(std::string yaml, const std::string& version) {
  const std::string anchor = "metadata:\n";
  yaml.insert(yaml.find(anchor) + anchor.size(), "  resourceVersion: \"" + version + "\"\n");
  return yaml;
}

std::vector<ParsedResource> docs(const std::string& manifest) {
  auto parsed = parse_resource_documents(manifest, "test");
  EXPECT_TRUE(parsed) << parsed.error().to_string();
  if (!parsed) return {};
  return std::move(parsed).value();
}

const Node& as_node(const Resource& r) {
  return std::get<Node>(r);
}

class Catalog : public ::testing::Test {
 protected:
  // Applies and commits; the test fails when either step does.
  std::int64_t apply(const std::string& manifest) {
    auto pending = catalog.prepare_apply(docs(manifest));
    EXPECT_TRUE(pending) << pending.error().message;
    if (!pending) return -1;
    auto revision = catalog.commit(std::move(pending).value());
    EXPECT_TRUE(revision) << revision.error().message;
    return revision ? revision.value() : -1;
  }

  std::unique_ptr<Store> store = make_memory_store();
  ResourceCatalog catalog{*store};
};

TEST_F(Catalog, FirstApplyCreatesAndWritesOnePutPerResource) {
  auto pending =
      catalog.prepare_apply(docs(node("a", "10.0.0.1/24") + "---\n" + node("b", "10.0.0.2/24")));
  ASSERT_TRUE(pending) << pending.error().message;
  const auto& change = pending.value();
  ASSERT_EQ(change.changes.size(), 2u);
  EXPECT_EQ(change.changes[0].id.to_string(), "Node a");
  EXPECT_EQ(change.changes[0].action, ChangeAction::Created);
  EXPECT_EQ(change.changes[0].revision, 0);
  EXPECT_EQ(change.changes[1].action, ChangeAction::Created);
  ASSERT_EQ(change.mutations.size(), 2u);
  EXPECT_EQ(change.mutations[0].kind, Mutation::Kind::Put);
  EXPECT_EQ(change.mutations[0].key, "/pinto/v3/Node//a");
  EXPECT_EQ(change.mutations[0].expected_mod_revision, 0);  // must not exist yet
  EXPECT_EQ(change.resulting.size(), 2u);
  // Nothing is written before commit.
  EXPECT_EQ(store->revision(), 0);
  EXPECT_EQ(catalog.find(resource_id("Node", "", "a")), nullptr);
}

TEST_F(Catalog, CommitUpdatesTheStoreTheMirrorAndTheRevisions) {
  ASSERT_EQ(apply(node("a", "10.0.0.1/24")), 1);
  const CatalogEntry* a = catalog.find(resource_id("Node", "", "a"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->revision, 1);
  EXPECT_EQ(a->created_revision, 1);
  EXPECT_EQ(a->yaml.find("resourceVersion"), std::string::npos);
  auto stored = store->get("/pinto/v3/Node//a");
  ASSERT_TRUE(stored && stored.value());
  EXPECT_EQ(stored.value()->value, a->yaml);
  EXPECT_EQ(stored.value()->mod_revision, 1);

  ASSERT_EQ(apply(node("a", "10.0.0.1/24", 64513) + "---\n" + node("b", "10.0.0.2/24")), 2);
  a = catalog.find(resource_id("Node", "", "a"));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->revision, 2);
  EXPECT_EQ(a->created_revision, 1);
  EXPECT_EQ(as_node(a->resource).bgp->as_number, 64513u);
  EXPECT_EQ(catalog.find(resource_id("Node", "", "b"))->created_revision, 2);
  EXPECT_EQ(catalog.revision(), 2);
  EXPECT_EQ(catalog.list("Node", "").size(), 2u);
  EXPECT_EQ(catalog.resources().size(), 2u);
}

TEST_F(Catalog, ChangedSpecIsConfiguredAndSameSpecIsUnchanged) {
  ASSERT_EQ(apply(node("a", "10.0.0.1/24")), 1);

  auto same = catalog.prepare_apply(docs(node("a", "10.0.0.1/24")));
  ASSERT_TRUE(same);
  ASSERT_EQ(same.value().changes.size(), 1u);
  EXPECT_EQ(same.value().changes[0].action, ChangeAction::Unchanged);
  EXPECT_EQ(same.value().changes[0].revision, 1);
  EXPECT_TRUE(same.value().mutations.empty());
  EXPECT_EQ(same.value().resulting.size(), 1u);
  // Committing nothing keeps the revision.
  auto kept = catalog.commit(std::move(same).value());
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept.value(), 1);
  EXPECT_EQ(store->revision(), 1);

  // The same resource written in flow style is still the same resource.
  auto flow = catalog.prepare_apply(
      docs("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: a}\n"
           "spec: {bgp: {ipv4Address: 10.0.0.1/24, asNumber: 64512}}\n"));
  ASSERT_TRUE(flow);
  EXPECT_EQ(flow.value().changes[0].action, ChangeAction::Unchanged);

  auto changed = catalog.prepare_apply(docs(node("a", "10.0.0.9/24")));
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed.value().changes[0].action, ChangeAction::Configured);
  EXPECT_EQ(changed.value().changes[0].revision, 1);
  ASSERT_EQ(changed.value().mutations.size(), 1u);
  EXPECT_EQ(changed.value().mutations[0].expected_mod_revision, 1);
}

TEST_F(Catalog, ALaterDocumentForTheSameResourceWins) {
  auto pending = catalog.prepare_apply(docs(node("a", "10.0.0.1/24", 64512) + "---\n" +
                                            node("b", "10.0.0.2/24") + "---\n" +
                                            node("a", "10.0.0.1/24", 64999)));
  ASSERT_TRUE(pending);
  const auto& change = pending.value();
  ASSERT_EQ(change.changes.size(), 2u);  // one entry per resource
  EXPECT_EQ(change.changes[0].id.name, "b");
  EXPECT_EQ(change.changes[1].id.name, "a");
  EXPECT_EQ(change.changes[1].action, ChangeAction::Created);
  ASSERT_EQ(change.mutations.size(), 2u);
  ASSERT_EQ(change.resulting.size(), 2u);
  const auto a = std::find_if(change.resulting.begin(), change.resulting.end(),
                              [](const Resource& r) { return metadata_of(r).name == "a"; });
  ASSERT_NE(a, change.resulting.end());
  EXPECT_EQ(as_node(*a).bgp->as_number, 64999u);
  ASSERT_TRUE(catalog.commit(std::move(pending).value()));
  EXPECT_EQ(as_node(catalog.find(resource_id("Node", "", "a"))->resource).bgp->as_number, 64999u);

  // A change undone by a later document of the same manifest writes nothing.
  auto undone = catalog.prepare_apply(
      docs(node("a", "10.0.0.1/24", 1) + "---\n" + node("a", "10.0.0.1/24", 64999)));
  ASSERT_TRUE(undone);
  ASSERT_EQ(undone.value().changes.size(), 1u);
  EXPECT_EQ(undone.value().changes[0].action, ChangeAction::Unchanged);
  EXPECT_TRUE(undone.value().mutations.empty());
}

TEST_F(Catalog, AStaleResourceVersionIsAConflict) {
  ASSERT_EQ(apply(node("a", "10.0.0.1/24")), 1);
  ASSERT_EQ(apply(node("a", "10.0.0.2/24")), 2);

  auto stale = catalog.prepare_apply(docs(with_version(node("a", "10.0.0.3/24"), "1")));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, CatalogError::Code::Conflict);
  EXPECT_NE(stale.error().message.find("Node a: resourceVersion 1 is not the current one (2)"),
            std::string::npos)
      << stale.error().message;

  auto garbage = catalog.prepare_apply(docs(with_version(node("a", "10.0.0.3/24"), "abc")));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, CatalogError::Code::Conflict);

  // The whole manifest is refused: the good document before the stale one is not written.
  auto mixed = catalog.prepare_apply(
      docs(node("b", "10.0.0.5/24") + "---\n" + with_version(node("a", "10.0.0.3/24"), "1")));
  ASSERT_FALSE(mixed);
  EXPECT_EQ(catalog.find(resource_id("Node", "", "b")), nullptr);

  auto current = catalog.prepare_apply(docs(with_version(node("a", "10.0.0.3/24"), "2")));
  ASSERT_TRUE(current) << current.error().message;
  EXPECT_EQ(current.value().changes[0].action, ChangeAction::Configured);
  ASSERT_EQ(current.value().mutations.size(), 1u);
  // The version is metadata of the store, never part of the stored document.
  EXPECT_EQ(current.value().mutations[0].value.find("resourceVersion"), std::string::npos);
}

TEST_F(Catalog, AVersionForAResourceThatDoesNotExistIsAConflict) {
  auto pending = catalog.prepare_apply(docs(with_version(node("ghost", "10.0.0.1/24"), "7")));
  ASSERT_FALSE(pending);
  EXPECT_EQ(pending.error().code, CatalogError::Code::Conflict);
  EXPECT_NE(pending.error().message.find("(none)"), std::string::npos) << pending.error().message;
}

TEST_F(Catalog, AlsoDeleteRemovesInTheSameChange) {
  ASSERT_EQ(apply(node("a", "10.0.0.1/24") + "---\n" + node("b", "10.0.0.2/24") + "---\n" +
                  node("c", "10.0.0.3/24")),
            1);
  const std::vector<ResourceId> also_delete = {
      resource_id("Node", "", "b"),        // exists: deleted
      resource_id("Node", "", "missing"),  // does not exist: nothing to do
      resource_id("Node", "", "a"),        // applied in the same change: kept
  };
  auto pending = catalog.prepare_apply(docs(node("a", "10.0.0.9/24")), also_delete);
  ASSERT_TRUE(pending) << pending.error().message;
  const auto& change = pending.value();
  ASSERT_EQ(change.changes.size(), 2u);
  EXPECT_EQ(change.changes[0].id.name, "a");
  EXPECT_EQ(change.changes[0].action, ChangeAction::Configured);
  EXPECT_EQ(change.changes[1].id.name, "b");
  EXPECT_EQ(change.changes[1].action, ChangeAction::Deleted);
  EXPECT_EQ(change.changes[1].revision, 1);
  ASSERT_EQ(change.mutations.size(), 2u);
  EXPECT_EQ(change.mutations[1].kind, Mutation::Kind::Delete);
  EXPECT_EQ(change.mutations[1].key, "/pinto/v3/Node//b");
  EXPECT_EQ(change.mutations[1].expected_mod_revision, 1);
  std::vector<std::string> names;
  for (const auto& r : change.resulting) names.push_back(metadata_of(r).name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "c"}));

  auto revision = catalog.commit(std::move(pending).value());
  ASSERT_TRUE(revision);
  EXPECT_EQ(revision.value(), 2);  // one transaction
  EXPECT_EQ(catalog.find(resource_id("Node", "", "b")), nullptr);
  auto stored = store->get("/pinto/v3/Node//b");
  ASSERT_TRUE(stored);
  EXPECT_FALSE(stored.value());
  EXPECT_EQ(catalog.list("", "").size(), 2u);
}

TEST_F(Catalog, ABookkeepingMutationIsWrittenButIsNoResource) {
  auto pending = catalog.prepare_apply(docs(node("a", "10.0.0.1/24")));
  ASSERT_TRUE(pending);
  Mutation extra;
  extra.key = "/pinto/meta/test";
  extra.value = "x";
  pending.value().mutations.push_back(extra);
  ASSERT_TRUE(catalog.commit(std::move(pending).value()));
  auto stored = store->get("/pinto/meta/test");
  ASSERT_TRUE(stored && stored.value());
  EXPECT_EQ(catalog.list("", "").size(), 1u);
}

TEST_F(Catalog, DeleteOfAMissingResourceIsNotFoundAndAWrongVersionIsAConflict) {
  auto missing = catalog.prepare_delete(resource_id("Node", "", "a"), 0);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, CatalogError::Code::NotFound);
  EXPECT_EQ(missing.error().message, "Node a not found");

  ASSERT_EQ(apply(node("a", "10.0.0.1/24") + "---\n" + node("b", "10.0.0.2/24")), 1);
  auto wrong = catalog.prepare_delete(resource_id("Node", "", "a"), 5);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, CatalogError::Code::Conflict);

  auto right = catalog.prepare_delete(resource_id("Node", "", "a"), 1);
  ASSERT_TRUE(right);
  ASSERT_EQ(right.value().changes.size(), 1u);
  EXPECT_EQ(right.value().changes[0].action, ChangeAction::Deleted);
  ASSERT_EQ(right.value().resulting.size(), 1u);
  EXPECT_EQ(metadata_of(right.value().resulting[0]).name, "b");
  auto revision = catalog.commit(std::move(right).value());
  ASSERT_TRUE(revision);
  EXPECT_EQ(revision.value(), 2);
  EXPECT_EQ(catalog.find(resource_id("Node", "", "a")), nullptr);

  // Without an expected version (0), whatever is there goes.
  auto any = catalog.prepare_delete(resource_id("Node", "", "b"), 0);
  ASSERT_TRUE(any);
  ASSERT_TRUE(catalog.commit(std::move(any).value()));
  EXPECT_TRUE(catalog.list("", "").empty());
}

TEST_F(Catalog, ASecondCatalogLoadsWhatTheFirstWrote) {
  ASSERT_EQ(apply(node("a", "10.0.0.1/24") + "---\n" + node("b", "10.0.0.2/24")), 1);
  ASSERT_EQ(apply(node("b", "10.0.0.3/24")), 2);
  auto del = catalog.prepare_delete(resource_id("Node", "", "a"), 0);
  ASSERT_TRUE(del);
  ASSERT_TRUE(catalog.commit(std::move(del).value()));
  ASSERT_EQ(apply(node("c", "10.0.0.4/24")), 4);

  ResourceCatalog reopened(*store);
  EXPECT_TRUE(reopened.list("", "").empty());  // nothing before load()
  ASSERT_TRUE(reopened.load());
  EXPECT_EQ(reopened.revision(), 4);
  const auto listed = reopened.list("", "");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0]->id.name, "b");
  EXPECT_EQ(listed[0]->revision, 2);
  EXPECT_EQ(listed[0]->created_revision, 1);
  EXPECT_EQ(listed[0]->yaml, catalog.find(listed[0]->id)->yaml);
  EXPECT_EQ(as_node(listed[0]->resource).bgp->ipv4_address->address, IpAddress::parse("10.0.0.3"));
  EXPECT_EQ(listed[1]->id.name, "c");
  EXPECT_EQ(listed[1]->revision, 4);

  // The reopened catalog decides as the first one would.
  auto again = reopened.prepare_apply(docs(node("b", "10.0.0.3/24")));
  ASSERT_TRUE(again);
  EXPECT_EQ(again.value().changes[0].action, ChangeAction::Unchanged);
  auto stale = reopened.prepare_apply(docs(with_version(node("b", "10.0.0.9/24"), "1")));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, CatalogError::Code::Conflict);

  // load() again replaces the mirror rather than adding to it.
  ASSERT_TRUE(reopened.load());
  EXPECT_EQ(reopened.list("", "").size(), 2u);
}

TEST_F(Catalog, LoadRefusesAStoredDocumentThatNoLongerParses) {
  Mutation bad;
  bad.key = "/pinto/v3/Node//old";
  bad.value =
      "apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: old}\n"
      "spec: {retiredField: 1}\n";
  ASSERT_TRUE(store->commit({bad}));
  auto loaded = catalog.load();
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, CatalogError::Code::Invalid);
  EXPECT_NE(loaded.error().message.find("/pinto/v3/Node//old"), std::string::npos)
      << loaded.error().message;
}

TEST_F(Catalog, NamespacedKindsDefaultToTheDefaultNamespace) {
  EXPECT_EQ(resource_id("NetworkPolicy", "", "p").namespace_name, "default");
  EXPECT_EQ(resource_id("NetworkPolicy", "prod", "p").namespace_name, "prod");
  EXPECT_EQ(resource_id("WorkloadEndpoint", "", "w").namespace_name, "default");
  EXPECT_EQ(resource_id("Node", "prod", "n").namespace_name, "");  // cluster-wide
  EXPECT_EQ(resource_id("NetworkPolicy", "", "p").key(), "/pinto/v3/NetworkPolicy/default/p");
  EXPECT_EQ(resource_id("NetworkPolicy", "", "p").to_string(), "NetworkPolicy default/p");

  const std::string policy = "apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\n";
  ASSERT_EQ(apply(policy + "metadata: {name: p}\n---\n" + policy +
                  "metadata: {name: p, namespace: prod}\n---\n" + node("n", "10.0.0.1/24")),
            1);
  const CatalogEntry* in_default = catalog.find(resource_id("NetworkPolicy", "default", "p"));
  ASSERT_NE(in_default, nullptr);
  EXPECT_EQ(in_default->id.namespace_name, "default");
  // A Get without a namespace finds it too, as calicoctl does.
  EXPECT_EQ(catalog.find(resource_id("NetworkPolicy", "", "p")), in_default);
  EXPECT_NE(catalog.find(resource_id("NetworkPolicy", "prod", "p")), nullptr);
  EXPECT_EQ(catalog.list("NetworkPolicy", "").size(), 2u);
  EXPECT_EQ(catalog.list("NetworkPolicy", "prod").size(), 1u);
  EXPECT_EQ(catalog.list("Node", "").size(), 1u);
  EXPECT_EQ(catalog.list("", "").size(), 3u);
}

TEST_F(Catalog, WhatGetShowsIsBlockStyleWithItsVersionAndAppliesAsUnchanged) {
  // Written in flow style, as short manifests often are.
  ASSERT_EQ(apply("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: {name: a}\n"
                  "spec: {bgp: {ipv4Address: 10.0.0.1/24, asNumber: 64512}}\n"),
            1);
  ASSERT_EQ(apply(node("a", "10.0.0.2/24")), 2);
  const CatalogEntry* a = catalog.find(resource_id("Node", "", "a"));
  ASSERT_NE(a, nullptr);
  const std::string shown = a->yaml_with_version();
  EXPECT_EQ(shown.find('{'), std::string::npos) << shown;
  EXPECT_NE(shown.find("resourceVersion: 2\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\n  bgp:\n"), std::string::npos) << shown;
  EXPECT_EQ(a->yaml.find("resourceVersion"), std::string::npos);

  auto round_trip = catalog.prepare_apply(docs(shown));
  ASSERT_TRUE(round_trip) << round_trip.error().message;
  ASSERT_EQ(round_trip.value().changes.size(), 1u);
  EXPECT_EQ(round_trip.value().changes[0].action, ChangeAction::Unchanged);
  EXPECT_TRUE(round_trip.value().mutations.empty());

  // Edited after `get` and applied while nobody else wrote: configured, as kubectl edit does.
  std::string edited = shown;
  edited.replace(edited.find("10.0.0.2/24"), 11, "10.0.0.7/24");
  auto edit = catalog.prepare_apply(docs(edited));
  ASSERT_TRUE(edit) << edit.error().message;
  EXPECT_EQ(edit.value().changes[0].action, ChangeAction::Configured);
  ASSERT_TRUE(catalog.commit(std::move(edit).value()));

  // The same edit again, now with a stale version: refused.
  auto again = catalog.prepare_apply(docs(edited));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, CatalogError::Code::Conflict);
}

}  // namespace
}  // namespace pinto::config
