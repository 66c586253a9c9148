// The pinto.v1 services as pintod implements them: each request is carried to the routing
// thread (RoutingThread::run), answered from the Daemon there, and converted to protobuf here.
// This file and api_routes.cpp are the only places in the daemon that see protobuf types.
#pragma once

#include <memory>

#include "daemon/routing_thread.h"
#include "daemon/wiring.h"
#include "pinto/v1/pinto.grpc.pb.h"

namespace pinto::daemon {

class RouteEventHub;

/// The answer to a request that arrives while pintod stops (the routing thread no longer runs).
inline const grpc::Status kStopped(grpc::StatusCode::UNAVAILABLE, "pintod is shutting down");

class ResourcesService final : public pinto::v1::Resources::Service {
 public:
  ResourcesService(RoutingThread& routing, Daemon& daemon) : routing_(routing), daemon_(daemon) {}

  grpc::Status Apply(grpc::ServerContext*, const v1::ApplyRequest*, v1::ApplyResponse*) override;
  grpc::Status Get(grpc::ServerContext*, const v1::GetRequest*, v1::Resource*) override;
  grpc::Status List(grpc::ServerContext*, const v1::ListRequest*, v1::ListResponse*) override;
  grpc::Status Delete(grpc::ServerContext*, const v1::DeleteRequest*, v1::DeleteResponse*) override;
  grpc::Status Watch(grpc::ServerContext*, const v1::WatchRequest*,
                     grpc::ServerWriter<v1::WatchEvent>*) override;

 private:
  RoutingThread& routing_;
  Daemon& daemon_;  // only touched on the routing thread
};

class RoutingService final : public pinto::v1::Routing::Service {
 public:
  RoutingService(RoutingThread& routing, Daemon& daemon);
  ~RoutingService() override;

  grpc::Status ListPeers(grpc::ServerContext*, const v1::ListPeersRequest*,
                         v1::ListPeersResponse*) override;
  grpc::Status ListRoutes(grpc::ServerContext*, const v1::ListRoutesRequest*,
                          v1::ListRoutesResponse*) override;
  grpc::Status ListFib(grpc::ServerContext*, const v1::ListFibRequest*,
                       v1::ListFibResponse*) override;
  grpc::Status Explain(grpc::ServerContext*, const v1::ExplainRequest*,
                       v1::ExplainResponse*) override;
  grpc::Status WatchRoutes(grpc::ServerContext*, const v1::WatchRoutesRequest*,
                           grpc::ServerWriter<v1::RouteEvent>*) override;
  grpc::Status AddPath(grpc::ServerContext*, const v1::PathRequest*, v1::PathResponse*) override;
  grpc::Status DeletePath(grpc::ServerContext*, const v1::PathRequest*, v1::PathResponse*) override;

 private:
  RoutingThread& routing_;
  Daemon& daemon_;
  std::shared_ptr<RouteEventHub> hub_;
};

class PolicyService final : public pinto::v1::Policy::Service {
 public:
  PolicyService(RoutingThread& routing, Daemon& daemon) : routing_(routing), daemon_(daemon) {}

  grpc::Status Status(grpc::ServerContext*, const v1::PolicyStatusRequest*,
                      v1::PolicyStatusResponse*) override;

 private:
  RoutingThread& routing_;
  Daemon& daemon_;  // only touched on the routing thread
};

class InfoService final : public pinto::v1::Info::Service {
 public:
  grpc::Status Version(grpc::ServerContext*, const v1::VersionRequest*,
                       v1::VersionResponse*) override;
};

}  // namespace pinto::daemon
