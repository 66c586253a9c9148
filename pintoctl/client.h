// How pintoctl reaches pintod: the unix socket by default (--socket, or PINTO_SOCKET), or TCP
// with TLS (--server with --tls-ca, and --tls-cert/--tls-key for client certificates).
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <chrono>
#include <memory>
#include <string>

namespace pinto::ctl {

inline constexpr const char* kDefaultSocket = "/run/pinto/pintod.sock";

struct ConnectOptions {
  std::string socket = kDefaultSocket;
  std::string server;  // host:port
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
};

/// Exit codes: what a script can tell apart.
enum ExitCode : int {
  kOk = 0,
  kFailed = 1,       // pintod refused or failed the request (invalid, conflict, not found)
  kUsage = 2,        // bad command line
  kUnreachable = 3,  // pintod could not be reached
};

struct Connection {
  std::shared_ptr<grpc::Channel> channel;
  std::string target;  // for messages
};

/// The channel, or an error message (unreadable TLS files).
Connection connect(const ConnectOptions& options, std::string& error);

/// The whole file; false when it cannot be read.
bool read_file(const std::string& path, std::string& out);

std::unique_ptr<grpc::ClientContext> make_context(std::chrono::seconds timeout);

/// Prints "pintoctl: <what>: <message>" for a failed call and returns its exit code.
int report_failure(const grpc::Status& status, const std::string& what,
                   const Connection& connection);

}  // namespace pinto::ctl
