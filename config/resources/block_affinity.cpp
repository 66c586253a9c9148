#include "config/resources/resource.h"

namespace pinto::config {

void read_block_affinity_spec(MapReader& spec, BlockAffinity& out) {
  if (auto v = spec.string("state")) out.state = *v;
  if (auto v = spec.string("node")) out.node = *v;
  if (auto v = spec.prefix("cidr", /*strict=*/true)) out.cidr = *v;
  // Calico writes `deleted` as a string ("false") in the v3 API and as a bool in the CRD.
  if (auto v = spec.string("deleted")) out.deleted = *v == "true" || *v == "True";
  spec.accept({"type"});
  if (!spec.ok()) return;
  if (out.node.empty()) {
    spec.fail("node", "required");
  } else if (!spec.raw("cidr")) {
    spec.fail("cidr", "required");
  } else if (out.state != "confirmed" && out.state != "pending" && out.state != "pendingDeletion") {
    spec.fail("state", "expected confirmed, pending or pendingDeletion");
  }
}

}  // namespace pinto::config
