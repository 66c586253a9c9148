#include "config/secrets_dir.h"

#include <fstream>
#include <map>
#include <sstream>

namespace pinto::config {

std::vector<Resource> read_referenced_secrets(const std::string& dir,
                                              const std::vector<Resource>& resources) {
  std::map<std::string, Secret> secrets;
  auto read = [&](const std::optional<SecretKeyRef>& ref) {
    if (!ref || ref->name.find('/') != std::string::npos ||
        ref->key.find('/') != std::string::npos || ref->name.starts_with(".") ||
        ref->key.starts_with("."))
      return;  // never read outside the secrets directory
    std::ifstream in(dir + "/" + ref->name + "/" + ref->key);
    if (!in) return;
    std::ostringstream text;
    text << in.rdbuf();
    std::string value = text.str();
    if (value.ends_with('\n')) value.pop_back();
    Secret& s = secrets[ref->name];
    s.metadata.name = ref->name;
    s.data[ref->key] = value;
  };
  for (const auto& r : resources) {
    if (const auto* p = std::get_if<BgpPeer>(&r)) read(p->password);
    if (const auto* c = std::get_if<BgpConfiguration>(&r)) read(c->node_mesh_password);
  }
  std::vector<Resource> out;
  for (auto& [name, s] : secrets) out.emplace_back(std::move(s));
  return out;
}

}  // namespace pinto::config
