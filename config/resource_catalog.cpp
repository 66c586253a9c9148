#include "config/resource_catalog.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

namespace pinto::config {

namespace {

constexpr std::string_view kKeyPrefix = "/pinto/v3/";

CatalogError error(CatalogError::Code code, std::string message) {
  return CatalogError{code, std::move(message)};
}

Mutation delete_mutation(const std::string& key, std::int64_t revision) {
  Mutation m;
  m.kind = Mutation::Kind::Delete;
  m.key = key;
  m.expected_mod_revision = revision;
  return m;
}

CatalogError from_store(const StoreError& e) {
  switch (e.code) {
    case StoreError::Code::Conflict: return error(CatalogError::Code::Conflict, e.to_string());
    case StoreError::Code::NotFound: return error(CatalogError::Code::NotFound, e.to_string());
    default: return error(CatalogError::Code::Io, e.to_string());
  }
}

// The version a client sent back (metadata.resourceVersion), for the optimistic-concurrency
// check; one we never handed out becomes -1, which matches nothing.
std::optional<std::int64_t> sent_version(const std::optional<std::string>& text) {
  if (!text || text->empty()) return std::nullopt;
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    return -1;
  }
}

}  // namespace

std::string ResourceId::key() const {
  return std::string(kKeyPrefix) + kind + "/" + namespace_name + "/" + name;
}

std::string ResourceId::to_string() const {
  return kind + " " + (namespace_name.empty() ? name : namespace_name + "/" + name);
}

ResourceId id_of(const Resource& r) {
  return resource_id(kind_of(r), metadata_of(r).namespace_name, metadata_of(r).name);
}

ResourceId resource_id(std::string kind, std::string namespace_name, std::string name) {
  ResourceId id{std::move(kind), std::move(namespace_name), std::move(name)};
  // As with calicoctl, a namespaced resource without a namespace is in "default".
  if (!is_namespaced_kind(id.kind)) {
    id.namespace_name.clear();
  } else if (id.namespace_name.empty()) {
    id.namespace_name = "default";
  }
  return id;
}

std::string with_resource_version(const std::string& yaml, std::int64_t revision) {
  YAML::Node doc = YAML::Load(yaml);
  doc["metadata"]["resourceVersion"] = std::to_string(revision);
  return YAML::Dump(doc) + "\n";
}

std::string CatalogEntry::yaml_with_version() const {
  return with_resource_version(yaml, revision);
}

std::string to_string(ChangeAction action) {
  switch (action) {
    case ChangeAction::Created: return "created";
    case ChangeAction::Configured: return "configured";
    case ChangeAction::Unchanged: return "unchanged";
    case ChangeAction::Deleted: return "deleted";
  }
  return "?";
}

Result<void, CatalogError> ResourceCatalog::load() {
  auto stored = store_.list(kKeyPrefix);
  if (!stored) return failure(from_store(stored.error()));
  entries_.clear();
  for (auto& kv : stored.value()) {
    auto parsed = parse_resource_documents(kv.value, kv.key);
    if (!parsed) {
      return failure(error(CatalogError::Code::Invalid,
                           "stored resource no longer valid: " + parsed.error().to_string()));
    }
    if (parsed.value().size() != 1) {
      return failure(error(CatalogError::Code::Invalid, kv.key + ": expected one document"));
    }
    CatalogEntry entry{id_of(parsed.value()[0].resource), std::move(parsed.value()[0].resource),
                       std::move(kv.value), kv.mod_revision, kv.create_revision};
    entries_.emplace(kv.key, std::move(entry));
  }
  return outcome::success();
}

Result<PendingChange, CatalogError> ResourceCatalog::prepare_apply(
    std::vector<ParsedResource> documents, const std::vector<ResourceId>& also_delete) const {
  PendingChange change;
  // Where each resource's entry is in change.changes, so that a later document for the same
  // resource finds the earlier entry without scanning them all (the scan was a third of the
  // CPU of a 25,000-document apply).
  std::map<ResourceId, std::size_t> position;
  std::vector<bool> superseded;
  for (auto& doc : documents) {
    const ResourceId id = id_of(doc.resource);
    const std::string key = id.key();
    const std::optional<std::int64_t> sent = sent_version(doc.resource_version);
    const auto current = entries_.find(key);
    const bool exists = current != entries_.end();
    if (sent && (!exists || current->second.revision != *sent)) {
      return failure(error(CatalogError::Code::Conflict,
                           id.to_string() + ": resourceVersion " + std::to_string(*sent) +
                               " is not the current one (" +
                               (exists ? std::to_string(current->second.revision) : "none") +
                               "): read it again and re-apply"));
    }
    ChangeAction action = !exists                            ? ChangeAction::Created
                          : current->second.yaml == doc.yaml ? ChangeAction::Unchanged
                                                             : ChangeAction::Configured;
    // A later document for the same resource in one manifest wins, as a second apply would:
    // its entry replaces the earlier one, at the later position.
    if (auto [at, first] = position.try_emplace(id, change.changes.size()); !first) {
      superseded[at->second] = true;
      at->second = change.changes.size();
    }
    change.changes.push_back(ResourceChange{id, action, exists ? current->second.revision : 0});
    superseded.push_back(false);
    if (action != ChangeAction::Unchanged) {
      change.puts.insert_or_assign(key, std::move(doc));
    } else {
      change.puts.erase(key);
    }
  }
  if (std::find(superseded.begin(), superseded.end(), true) != superseded.end()) {
    std::vector<ResourceChange> kept;
    for (std::size_t i = 0; i < change.changes.size(); ++i) {
      if (!superseded[i]) kept.push_back(std::move(change.changes[i]));
    }
    change.changes = std::move(kept);
  }
  for (const auto& [key, doc] : change.puts) {
    Mutation m;
    m.kind = Mutation::Kind::Put;
    m.key = key;
    m.value = doc.yaml;
    const auto current = entries_.find(key);
    m.expected_mod_revision = current == entries_.end() ? 0 : current->second.revision;
    change.mutations.push_back(std::move(m));
  }
  std::set<std::string> deleted;
  for (const auto& id : also_delete) {
    const std::string key = id.key();
    const auto current = entries_.find(key);
    if (current == entries_.end() || change.puts.contains(key)) continue;
    deleted.insert(key);
    change.changes.push_back(ResourceChange{id, ChangeAction::Deleted, current->second.revision});
    change.mutations.push_back(delete_mutation(key, current->second.revision));
  }
  // Reserved: growing it would copy every resource again (their moves may throw).
  change.resulting.reserve(entries_.size() + change.puts.size());
  for (const auto& [key, entry] : entries_) {
    if (deleted.contains(key)) continue;
    auto put = change.puts.find(key);
    change.resulting.push_back(put == change.puts.end() ? entry.resource : put->second.resource);
  }
  for (const auto& [key, doc] : change.puts) {
    if (!entries_.contains(key)) change.resulting.push_back(doc.resource);
  }
  return change;
}

Result<PendingChange, CatalogError> ResourceCatalog::prepare_delete(
    const ResourceId& id, std::int64_t expected_revision) const {
  const auto current = entries_.find(id.key());
  if (current == entries_.end()) {
    return failure(error(CatalogError::Code::NotFound, id.to_string() + " not found"));
  }
  if (expected_revision != 0 && current->second.revision != expected_revision) {
    return failure(error(CatalogError::Code::Conflict,
                         id.to_string() + ": resourceVersion " + std::to_string(expected_revision) +
                             " is not the current one (" +
                             std::to_string(current->second.revision) + ")"));
  }
  PendingChange change;
  change.changes.push_back(ResourceChange{id, ChangeAction::Deleted, current->second.revision});
  change.mutations.push_back(delete_mutation(id.key(), current->second.revision));
  change.resulting.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) {
    if (key != current->first) change.resulting.push_back(entry.resource);
  }
  return change;
}

Result<std::int64_t, CatalogError> ResourceCatalog::commit(PendingChange change) {
  if (change.mutations.empty()) return store_.revision();
  auto revision = store_.commit(change.mutations);
  if (!revision) return failure(from_store(revision.error()));
  for (const auto& m : change.mutations) {
    if (m.kind == Mutation::Kind::Delete) {
      entries_.erase(m.key);
      continue;
    }
    auto put = change.puts.find(m.key);
    if (put == change.puts.end()) continue;  // the caller's own bookkeeping key, not a resource
    auto& doc = put->second;
    auto [it, inserted] = entries_.try_emplace(m.key);
    CatalogEntry& entry = it->second;
    if (inserted) entry.created_revision = revision.value();
    entry.id = id_of(doc.resource);
    entry.resource = std::move(doc.resource);
    entry.yaml = std::move(doc.yaml);
    entry.revision = revision.value();
  }
  return revision.value();
}

const CatalogEntry* ResourceCatalog::find(const ResourceId& id) const {
  auto it = entries_.find(id.key());
  return it == entries_.end() ? nullptr : &it->second;
}

std::vector<const CatalogEntry*> ResourceCatalog::list(const std::string& kind,
                                                       const std::string& namespace_name) const {
  std::vector<const CatalogEntry*> out;
  const std::string prefix = std::string(kKeyPrefix) + (kind.empty() ? "" : kind + "/");
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix); ++it) {
    if (!namespace_name.empty() && it->second.id.namespace_name != namespace_name) continue;
    out.push_back(&it->second);
  }
  return out;
}

std::vector<Resource> ResourceCatalog::resources() const {
  std::vector<Resource> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry.resource);
  return out;
}

}  // namespace pinto::config
