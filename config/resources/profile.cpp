#include "config/resources/profile.h"

#include <cctype>

#include "config/resources/policy_fields.h"
#include "config/resources/resource.h"

namespace pinto::config {

namespace {

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// Kubernetes' qualified-name part: 1-63 of [A-Za-z0-9._-], alphanumeric at both ends.
bool valid_name_part(const std::string& s) {
  if (s.empty() || s.size() > 63 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

// A DNS subdomain (RFC 1123): lower case alphanumerics, '-' and '.', at most 253.
bool valid_dns_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253 || !alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    const bool lower_alnum = std::islower(static_cast<unsigned char>(c)) != 0 ||
                             std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (!lower_alnum && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

bool valid_profile_name(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  for (char c : name) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-') return false;
  }
  return true;
}

bool valid_label_key(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) return valid_name_part(key);
  return valid_dns_subdomain(key.substr(0, slash)) && valid_name_part(key.substr(slash + 1));
}

bool valid_label_value(const std::string& value) {
  return value.empty() || valid_name_part(value);
}

void read_profile_spec(MapReader& spec, Profile& out) {
  // Rules are read and validated exactly as a policy's; a profile has no types, order or
  // selector: it applies to the endpoints that name it, in both directions it has rules for.
  spec.each("ingress", [&](MapReader& r, std::size_t) {
    out.ingress.emplace_back();
    read_policy_rule(r, out.ingress.back());
  });
  spec.each("egress", [&](MapReader& r, std::size_t) {
    out.egress.emplace_back();
    read_policy_rule(r, out.egress.back());
  });
  if (auto labels = spec.string_map("labelsToApply")) {
    for (const auto& [key, value] : *labels) {
      if (!valid_label_key(key)) {
        return spec.fail("labelsToApply", "not a label key: '" + key + "'");
      }
      if (!valid_label_value(value)) {
        return spec.fail("labelsToApply." + key, "not a label value: '" + value + "'");
      }
    }
    out.labels_to_apply = *labels;
  }
}

}  // namespace pinto::config
