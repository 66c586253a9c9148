#include "api/server.h"

#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "config/settings.h"

namespace pinto::api {

namespace {

// A socket file whose owner still accepts connections belongs to a running pintod; one that
// refuses them was left by a process that died (kill -9) and may be replaced.
bool socket_alive(const std::string& path) {
  sockaddr_un address{};
  if (path.size() >= sizeof(address.sun_path)) return false;
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const bool alive =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return alive;
}

Result<std::shared_ptr<grpc::ServerCredentials>> tls_credentials(const TlsFiles& tls) {
  auto cert = config::read_text_file(tls.cert_file);
  if (!cert) return failure(Error{"api.tls.certFile: " + cert.error().message});
  auto key = config::read_text_file(tls.key_file);
  if (!key) return failure(Error{"api.tls.keyFile: " + key.error().message});
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({key.value(), cert.value()});
  if (!tls.client_ca_file.empty()) {
    auto ca = config::read_text_file(tls.client_ca_file);
    if (!ca) return failure(Error{"api.tls.clientCAFile: " + ca.error().message});
    options.pem_root_certs = ca.value();
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

}  // namespace

Result<std::unique_ptr<grpc::Server>> start_server(const ServerOptions& options,
                                                   const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  if (!options.unix_socket.empty()) {
    const std::filesystem::path socket(options.unix_socket);
    std::error_code ec;
    if (socket.has_parent_path()) std::filesystem::create_directories(socket.parent_path(), ec);
    if (std::filesystem::is_socket(socket, ec)) {
      if (socket_alive(options.unix_socket)) {
        return failure(Error{"api: " + options.unix_socket + " is in use by a running pintod"});
      }
      std::filesystem::remove(socket, ec);  // left by a previous run that died
    }
    builder.AddListeningPort("unix:" + options.unix_socket, grpc::InsecureServerCredentials());
  }
  if (options.tcp_address) {
    if (!options.tls) return failure(Error{"api.tcp needs api.tls: the API is never plain TCP"});
    auto creds = tls_credentials(*options.tls);
    if (!creds) return failure(creds.error());
    builder.AddListeningPort(*options.tcp_address, creds.value());
  }
  // A large apply (tens of thousands of resources) exceeds gRPC's 4 MiB default; pintoctl's
  // channel allows the same.
  builder.SetMaxReceiveMessageSize(512 * 1024 * 1024);
  builder.SetMaxSendMessageSize(512 * 1024 * 1024);
  for (auto* s : services) builder.RegisterService(s);
  // The socket file is created by the bind inside BuildAndStart: create it 0600 from the start
  // instead of tightening it afterwards, so there is no window in which others may connect.
  const mode_t old_mask = ::umask(0177);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ::umask(old_mask);
  if (!server) {
    std::string where = options.unix_socket.empty() ? "" : "unix:" + options.unix_socket;
    if (options.tcp_address) where += (where.empty() ? "" : ", ") + *options.tcp_address;
    return failure(Error{"api: cannot listen on " + where +
                         " (in use by another pintod, or the directory is not writable)"});
  }
  return server;
}

}  // namespace pinto::api
