// pinto.v1.Resources: apply, get, list, delete and watch, over the Daemon's resource catalog.
#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "daemon/api_services.h"

namespace pinto::daemon {

namespace {

grpc::Status status_of(const config::CatalogError& e) {
  switch (e.code) {
    case config::CatalogError::Code::Invalid:
      return {grpc::StatusCode::INVALID_ARGUMENT, e.message};
    case config::CatalogError::Code::Conflict: return {grpc::StatusCode::ABORTED, e.message};
    case config::CatalogError::Code::NotFound: return {grpc::StatusCode::NOT_FOUND, e.message};
    case config::CatalogError::Code::Io: return {grpc::StatusCode::INTERNAL, e.message};
  }
  return {grpc::StatusCode::UNKNOWN, e.message};
}

void fill(const config::CatalogEntry& entry, v1::Resource& out) {
  out.set_kind(entry.id.kind);
  out.set_name(entry.id.name);
  out.set_namespace_(entry.id.namespace_name);
  out.set_revision(entry.revision);
  out.set_yaml(entry.yaml_with_version());
}

void fill_plan(const std::vector<config::PlanStep>& plan,
               google::protobuf::RepeatedPtrField<v1::PlanStep>& out) {
  for (const auto& step : plan) {
    auto* s = out.Add();
    s->set_action(step.action);
    s->set_subject(step.subject);
    s->set_reason(step.reason);
  }
}

// Watch events carry the document, parsed back from the store's text: the catalog may already
// hold a newer version, and a watcher must see every version in order.
void fill_event(const config::StoreEvent& e, v1::WatchEvent& out) {
  out.set_revision(e.revision);
  // "/pinto/v3/<Kind>/<namespace>/<name>"
  std::string rest = e.key.substr(std::string_view("/pinto/v3/").size());
  const auto slash1 = rest.find('/');
  const auto slash2 = rest.find('/', slash1 + 1);
  auto* r = out.mutable_resource();
  r->set_kind(rest.substr(0, slash1));
  r->set_namespace_(rest.substr(slash1 + 1, slash2 - slash1 - 1));
  r->set_name(rest.substr(slash2 + 1));
  r->set_revision(e.revision);
  if (e.kind == config::StoreEvent::Kind::Delete) {
    out.set_type(v1::WatchEvent::DELETE);
    return;
  }
  out.set_type(v1::WatchEvent::PUT);
  r->set_yaml(config::with_resource_version(e.value, e.revision));
}

}  // namespace

grpc::Status ResourcesService::Apply(grpc::ServerContext*, const v1::ApplyRequest* request,
                                     v1::ApplyResponse* response) {
  // Parsing needs no routing state: it runs here, on the gRPC thread, not in BGP's way.
  const auto start = std::chrono::steady_clock::now();
  auto documents = parse_manifest(request->manifest(),
                                  request->source().empty() ? "manifest" : request->source());
  if (!documents) return status_of(documents.error());
  log_debug(
      "api: apply: {} documents parsed in {:.0f} ms", documents.value().size(),
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  auto done = routing_.run([&, parsed = std::move(documents).value()]() mutable {
    return daemon_.apply(std::move(parsed), request->dry_run());
  });
  if (!done) return kStopped;
  if (!*done) return status_of(done->error());
  const ChangeOutcome& outcome = done->value();
  response->set_revision(outcome.revision);
  for (const auto& c : outcome.changes) {
    auto* r = response->add_resources();
    r->set_kind(c.id.kind);
    r->set_name(c.id.name);
    r->set_namespace_(c.id.namespace_name);
    r->set_action(config::to_string(c.action));
    r->set_revision(c.revision);
  }
  fill_plan(outcome.plan, *response->mutable_plan());
  return grpc::Status::OK;
}

grpc::Status ResourcesService::Get(grpc::ServerContext*, const v1::GetRequest* request,
                                   v1::Resource* response) {
  auto found = routing_.run([&]() -> bool {
    const config::ResourceId id =
        config::resource_id(request->kind(), request->namespace_(), request->name());
    const auto* entry = daemon_.catalog().find(id);
    if (entry != nullptr) fill(*entry, *response);
    return entry != nullptr;
  });
  if (!found) return kStopped;
  if (!*found) {
    return {grpc::StatusCode::NOT_FOUND, request->kind() + " " + request->name() + " not found"};
  }
  return grpc::Status::OK;
}

grpc::Status ResourcesService::List(grpc::ServerContext*, const v1::ListRequest* request,
                                    v1::ListResponse* response) {
  auto listed = routing_.run([&] {
    for (const auto* entry : daemon_.catalog().list(request->kind(), request->namespace_()))
      fill(*entry, *response->add_resources());
    response->set_revision(daemon_.catalog().revision());
    return true;
  });
  return listed ? grpc::Status::OK : kStopped;
}

grpc::Status ResourcesService::Delete(grpc::ServerContext*, const v1::DeleteRequest* request,
                                      v1::DeleteResponse* response) {
  auto done = routing_.run([&]() -> Result<ChangeOutcome, config::CatalogError> {
    const config::ResourceId id =
        config::resource_id(request->kind(), request->namespace_(), request->name());
    if (const auto* entry = daemon_.catalog().find(id)) fill(*entry, *response->mutable_deleted());
    return daemon_.remove(id, request->expected_revision(), request->dry_run());
  });
  if (!done) return kStopped;
  if (!*done) return status_of(done->error());
  response->set_revision(done->value().revision);
  fill_plan(done->value().plan, *response->mutable_plan());
  return grpc::Status::OK;
}

grpc::Status ResourcesService::Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                                     grpc::ServerWriter<v1::WatchEvent>* writer) {
  constexpr std::size_t kBatch = 1000;
  const auto& kinds = request->kinds();
  std::int64_t after = request->after_revision();
  while (!context->IsCancelled() && !routing_.stopped()) {
    auto events = routing_.run([&] { return daemon_.store().events_since(after, kBatch); });
    if (!events) return kStopped;
    if (!*events) {
      if (events->error().code == config::StoreError::Code::Compacted) {
        return {grpc::StatusCode::FAILED_PRECONDITION,
                "revision " + std::to_string(after) +
                    " is compacted: list again and watch from the list's revision"};
      }
      return {grpc::StatusCode::INTERNAL, events->error().to_string()};
    }
    for (const auto& e : events->value()) {
      after = e.revision;
      if (!e.key.starts_with("/pinto/v3/")) continue;  // the daemon's own bookkeeping
      v1::WatchEvent event;
      fill_event(e, event);
      if (!kinds.empty() &&
          std::find(kinds.begin(), kinds.end(), event.resource().kind()) == kinds.end())
        continue;
      if (!writer->Write(event)) return grpc::Status::OK;  // the client went away
    }
    if (events->value().size() < kBatch) {
      routing_.wait_beyond(after, std::chrono::milliseconds(500));
    }
  }
  return grpc::Status::OK;
}

}  // namespace pinto::daemon
