// Kubernetes object metadata and secret references, shared by every resource kind.
#pragma once

#include <map>
#include <string>

namespace pinto::config {

struct ObjectMeta {
  std::string name;
  std::string namespace_name;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  friend bool operator==(const ObjectMeta&, const ObjectMeta&) = default;
};

struct SecretKeyRef {
  std::string name;
  std::string key;
  friend bool operator==(const SecretKeyRef&, const SecretKeyRef&) = default;
};

}  // namespace pinto::config
