// ValidationError: what a bad settings file or resource is refused with. `field` is the path of
// the offending field as the user wrote it ("spec.peerIP", "listen.port"), so the message points
// at the line to fix.
#pragma once

#include <string>

#include "common/result.h"

namespace pinto::config {

struct ValidationError {
  std::string field;    // dotted path; empty when the document as a whole is wrong
  std::string message;  // what is wrong, in words
  // Where the error is, when the field alone does not say: the file and document of a parse error
  // ("peers.yaml: document 2 (BGPPeer x)"), or the resource among many ("IPPool/name").
  std::string where = {};

  std::string to_string() const {
    const std::string what = field.empty() ? message : field + ": " + message;
    return where.empty() ? what : where + ": " + what;
  }
};

template <class T>
using Validated = Result<T, ValidationError>;

}  // namespace pinto::config
