#include "config/validate_resources.h"

#include <algorithm>
#include <set>
#include <tuple>

namespace pinto::config {

namespace {

std::string resource_id(const Resource& r) {
  const std::string kind = kind_of(r);
  const ObjectMeta& m = metadata_of(r);
  if (is_namespaced_kind(kind) && !m.namespace_name.empty()) {
    return kind + "/" + m.namespace_name + "/" + m.name;
  }
  return kind + "/" + m.name;
}

ValidationError error(const std::string& resource, std::string field, std::string message) {
  return ValidationError{std::move(field), std::move(message), resource};
}

std::optional<ValidationError> duplicate_names(const std::vector<Resource>& all) {
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& r : all) {
    const std::string kind = kind_of(r);
    const ObjectMeta& m = metadata_of(r);
    const std::string ns = is_namespaced_kind(kind) ? m.namespace_name : std::string();
    if (!seen.insert({kind, ns, m.name}).second) {
      return error(resource_id(r), "metadata.name", "defined more than once");
    }
  }
  return std::nullopt;
}

std::optional<ValidationError> overlapping_pools(const std::vector<const IpPool*>& pools) {
  for (std::size_t i = 0; i < pools.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      const IpPrefix& a = pools[j]->cidr;
      const IpPrefix& b = pools[i]->cidr;
      if (a.family() == b.family() && (a.contains(b) || b.contains(a))) {
        return error("IPPool/" + pools[i]->metadata.name, "spec.cidr",
                     "overlaps IPPool " + pools[j]->metadata.name + " (" + a.to_string() + ")");
      }
    }
  }
  return std::nullopt;
}

std::optional<ValidationError> blocks_in_pools(const std::vector<Resource>& blocks,
                                               const std::vector<const IpPool*>& pools) {
  if (pools.empty()) return std::nullopt;  // static deployments: blocks without pools are fine
  for (const auto* block : all_of<BlockAffinity>(blocks)) {
    if (block->deleted) continue;  // on its way out; Calico may delete the pool first
    const std::string id = "BlockAffinity/" + block->metadata.name;
    const auto pool = std::find_if(pools.begin(), pools.end(), [&](const IpPool* p) {
      return p->cidr.family() == block->cidr.family() && p->cidr.contains(block->cidr);
    });
    if (pool == pools.end()) {
      return error(id, "spec.cidr", block->cidr.to_string() + " is not inside any IPPool");
    }
    if (block->cidr.length() != (*pool)->block_size) {
      return error(id, "spec.cidr",
                   "/" + std::to_string(block->cidr.length()) + " does not match blockSize " +
                       std::to_string((*pool)->block_size) + " of IPPool " +
                       (*pool)->metadata.name);
    }
  }
  return std::nullopt;
}

std::optional<ValidationError> peer_filters_exist(const std::vector<Resource>& all) {
  std::set<std::string> filters;
  for (const auto* f : all_of<BgpFilter>(all)) filters.insert(f->metadata.name);
  for (const auto* peer : all_of<BgpPeer>(all)) {
    for (std::size_t i = 0; i < peer->filters.size(); ++i) {
      if (!filters.contains(peer->filters[i])) {
        return error("BGPPeer/" + peer->metadata.name, "spec.filters[" + std::to_string(i) + "]",
                     "no BGPFilter named '" + peer->filters[i] + "'");
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Validated<void> validate_resources(const std::vector<Resource>& all,
                                   const std::vector<Resource>* changed) {
  const auto pools = all_of<IpPool>(all);
  for (auto check :
       {duplicate_names(all), overlapping_pools(pools),
        blocks_in_pools(changed != nullptr ? *changed : all, pools), peer_filters_exist(all)}) {
    if (check) return failure(std::move(*check));
  }
  return outcome::success();
}

}  // namespace pinto::config
