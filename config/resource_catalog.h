// ResourceCatalog: every resource the daemon has been given, mirrored in memory from the store.
//
// The store is the truth (it survives restarts and `kill -9`); the catalog is its parsed view,
// so the cluster model can be rebuilt without reading or parsing anything. A change is checked
// whole before it is written: callers take a preview of the resulting set, validate it (cluster
// model, cross-resource rules), and only then commit it — one store transaction, all or nothing.
//
// Keys are "/pinto/v3/<Kind>/<namespace>/<name>" (namespace empty for cluster-wide kinds). The
// value is the resource's own YAML document with server-managed metadata removed; the store
// revision of its last change is its metadata.resourceVersion.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/resources/resource.h"
#include "config/store/store.h"

namespace pinto::config {

struct ResourceId {
  std::string kind;
  std::string namespace_name;
  std::string name;

  std::string key() const;
  std::string to_string() const;  // "BGPPeer rack1-tor", "WorkloadEndpoint ns/name"
  friend auto operator<=>(const ResourceId&, const ResourceId&) = default;
};

ResourceId id_of(const Resource& r);
/// The id of a request's kind, namespace and name, with the namespace normalised as id_of does.
ResourceId resource_id(std::string kind, std::string namespace_name, std::string name);

struct CatalogEntry {
  ResourceId id;
  Resource resource;
  std::string yaml;  // as stored: without resourceVersion
  std::int64_t revision = 0;
  std::int64_t created_revision = 0;

  /// The document as `get` shows it: the stored YAML with metadata.resourceVersion set.
  std::string yaml_with_version() const;
};

/// A stored document as `get` and Watch show it: with metadata.resourceVersion set.
std::string with_resource_version(const std::string& yaml, std::int64_t revision);

enum class ChangeAction : std::uint8_t { Created, Configured, Unchanged, Deleted };
std::string to_string(ChangeAction action);

struct ResourceChange {
  ResourceId id;
  ChangeAction action = ChangeAction::Unchanged;
  std::int64_t revision = 0;
};

struct CatalogError {
  enum class Code : std::uint8_t { Invalid, Conflict, NotFound, Io };
  Code code = Code::Invalid;
  std::string message;
};

/// A set of changes checked against the current catalog but not yet written.
struct PendingChange {
  std::vector<ResourceChange> changes;  // in the order given
  std::vector<Resource> resulting;      // every resource after the change, sorted by key
  std::vector<Mutation> mutations;      // what commit() writes (unchanged resources: nothing)
  std::map<std::string, ParsedResource> puts;  // by key
};

class ResourceCatalog {
 public:
  explicit ResourceCatalog(Store& store) : store_(store) {}

  /// Reads every resource from the store. A stored document that no longer parses (an older
  /// version's field) is an error naming its key: nothing is dropped silently.
  Result<void, CatalogError> load();

  /// Checks documents against the catalog: resourceVersion (optimistic concurrency), and what
  /// each one would do; `also_delete` are removed in the same change. Nothing is written.
  Result<PendingChange, CatalogError> prepare_apply(
      std::vector<ParsedResource> documents, const std::vector<ResourceId>& also_delete = {}) const;
  Result<PendingChange, CatalogError> prepare_delete(const ResourceId& id,
                                                     std::int64_t expected_revision) const;
  /// Writes a prepared change (one store transaction) and updates the mirror.
  Result<std::int64_t, CatalogError> commit(PendingChange change);

  const CatalogEntry* find(const ResourceId& id) const;
  /// Every entry of a kind (empty: all kinds), in one namespace (empty: all), sorted by key.
  std::vector<const CatalogEntry*> list(const std::string& kind,
                                        const std::string& namespace_name) const;
  std::vector<Resource> resources() const;
  std::int64_t revision() const { return store_.revision(); }
  Store& store() { return store_; }

 private:
  Store& store_;
  std::map<std::string, CatalogEntry> entries_;  // by key
};

}  // namespace pinto::config
