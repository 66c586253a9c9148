#include "pintoctl/client.h"

#include <fmt/core.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include <fstream>
#include <sstream>

namespace pinto::ctl {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

Connection connect(const ConnectOptions& options, std::string& error) {
  grpc::ChannelArguments args;
  // Large applies and listings (tens of thousands of resources) exceed gRPC's 4 MiB default.
  args.SetMaxReceiveMessageSize(512 * 1024 * 1024);
  args.SetMaxSendMessageSize(512 * 1024 * 1024);
  if (options.server.empty()) {
    const std::string target = "unix:" + options.socket;
    return {grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args), target};
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.tls_ca.empty() && !read_file(options.tls_ca, ssl.pem_root_certs)) {
    error = "--tls-ca: cannot read " + options.tls_ca;
    return {};
  }
  if (!options.tls_cert.empty() && !read_file(options.tls_cert, ssl.pem_cert_chain)) {
    error = "--tls-cert: cannot read " + options.tls_cert;
    return {};
  }
  if (!options.tls_key.empty() && !read_file(options.tls_key, ssl.pem_private_key)) {
    error = "--tls-key: cannot read " + options.tls_key;
    return {};
  }
  return {grpc::CreateCustomChannel(options.server, grpc::SslCredentials(ssl), args),
          options.server};
}

std::unique_ptr<grpc::ClientContext> make_context(std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

int report_failure(const grpc::Status& status, const std::string& what,
                   const Connection& connection) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    fmt::print(stderr, "pintoctl: cannot reach pintod at {}: {}\n", connection.target,
               status.error_message());
    return kUnreachable;
  }
  fmt::print(stderr, "pintoctl: {}: {}\n", what, status.error_message());
  return kFailed;
}

}  // namespace pinto::ctl
