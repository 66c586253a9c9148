// Secrets as a Kubernetes secret volume delivers them: `<secrets dir>/<name>/<key>` holds the
// value of key `key` of Secret `name`. pintod reads the ones its resources refer to (BGPPeer
// password.secretKeyRef, BGPConfiguration nodeMeshPassword) and hands them to the cluster model
// as Secret resources, so the model stays free of I/O. Re-read periodically: a rotated secret
// restarts only the sessions that use it.
#pragma once

#include <string>
#include <vector>

#include "config/resources/resource.h"

namespace pinto::config {

/// Secret resources for every secretKeyRef in `resources` whose file exists under `dir`. A
/// missing file yields no Secret: the model then reports the error on the peers that need it.
/// A trailing newline in a file (`echo secret > file`) is not part of the value.
std::vector<Resource> read_referenced_secrets(const std::string& dir,
                                              const std::vector<Resource>& resources);

}  // namespace pinto::config
