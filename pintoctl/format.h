// Output for people and for programs: aligned tables, and resources as YAML or JSON.
#pragma once

#include <string>
#include <vector>

namespace pinto::ctl {

/// Columns padded to their widest cell, headers in capitals, as kubectl and calicoctl print.
std::string format_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

/// One YAML document, or several wrapped in a `<Kind>List` as calicoctl does.
std::string resources_as_yaml(const std::string& kind, const std::vector<std::string>& documents,
                              bool as_list);
/// The same as JSON (YAML plain scalars that read as numbers, booleans or null become those).
std::string resources_as_json(const std::string& kind, const std::vector<std::string>& documents,
                              bool as_list);

/// A value inside a YAML document by dotted path ("spec.peerIP"), empty when absent.
std::string yaml_field(const std::string& document, const std::string& dotted_path);

}  // namespace pinto::ctl
