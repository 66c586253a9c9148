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
  // "IPPool/name" when the error is about one resource among many (cross-resource checks);
  // empty when the message already says where (a parse error names file and document).
  std::string resource = {};

  std::string to_string() const {
    std::string s = resource.empty() ? std::string() : resource + ": ";
    return s + (field.empty() ? message : field + ": " + message);
  }
};

template <class T>
using Validated = Result<T, ValidationError>;

}  // namespace pinto::config
