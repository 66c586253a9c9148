// projectcalico.org/v3 Profile: rules and labels that endpoints take on by listing the profile in
// their `profiles`. Calico evaluates an endpoint's profiles, in order, after its last policy tier
// (or instead of policy when none selects it); docs/policy.md "Profiles" has the semantics.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/resources/network_policy.h"
#include "config/resources/object_meta.h"

namespace pinto::config {

struct Profile {
  ObjectMeta metadata;  // not namespaced
  std::vector<Rule> ingress;
  std::vector<Rule> egress;
  /// Labels every endpoint listing this profile inherits for selector matching (its own win).
  std::map<std::string, std::string> labels_to_apply;
};

/// Calico's profile names: alphanumerics with '.', '_' and '-' (kns.<ns>, ksa.<ns>.<sa>, ...).
bool valid_profile_name(const std::string& name);

/// A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name of 1-63
/// alphanumerics, '-', '_' and '.', starting and ending alphanumeric.
bool valid_label_key(const std::string& key);
/// A Kubernetes label value: empty, or like a key's name part.
bool valid_label_value(const std::string& value);

}  // namespace pinto::config
