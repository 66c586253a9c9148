// Starts the gRPC server that carries pinto.v1: on a unix socket (mode 0600: whoever can reach
// it controls the node's routing) and, only when configured, on TCP with TLS. The standard
// grpc.health.v1 service is on as well, so orchestration can probe the daemon.
#pragma once

#include <grpcpp/server.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace pinto::api {

struct TlsFiles {
  std::string cert_file;
  std::string key_file;
  std::string client_ca_file;  // set: clients must present a certificate signed by it
};

struct ServerOptions {
  std::string unix_socket;                 // empty: no unix socket
  std::optional<std::string> tcp_address;  // "host:port"
  std::optional<TlsFiles> tls;             // required with tcp_address
};

Result<std::unique_ptr<grpc::Server>> start_server(const ServerOptions& options,
                                                   const std::vector<grpc::Service*>& services);

}  // namespace pinto::api
