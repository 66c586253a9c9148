#include "config/settings.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/yaml_reader.h"

namespace pinto::config {

namespace {

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (base_dir.empty() || path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

std::optional<std::chrono::seconds> whole_seconds(MapReader& r, const std::string& key,
                                                  std::chrono::seconds min,
                                                  std::chrono::seconds max) {
  auto d = r.duration(key);
  if (!d) return std::nullopt;
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(*d);
  if (s < min || s > max) {
    r.fail(key, "must be from " + std::to_string(min.count()) + "s to " +
                    std::to_string(max.count()) + "s");
    return std::nullopt;
  }
  return s;
}

void read_bgp(MapReader& r, BgpTimerSettings& bgp) {
  if (auto h = r.duration("holdTime")) {
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(*h);
    // RFC 4271 §4.2: zero, or at least three seconds.
    if (s.count() != 0 && (s.count() < 3 || s.count() > 65535)) {
      r.fail("holdTime", "must be 0 or from 3s to 65535s");
    } else {
      bgp.hold_time = s;
    }
  }
  if (auto c = whole_seconds(r, "connectRetryTime", std::chrono::seconds(1),
                             std::chrono::seconds(3600))) {
    bgp.connect_retry_time = *c;
  }
  if (auto m = r.unsigned_integer("maxPaths", 256)) {
    if (*m == 0) {
      r.fail("maxPaths", "must be from 1 to 256");
    } else {
      bgp.max_paths = static_cast<std::uint32_t>(*m);
    }
  }
  if (auto a = r.boolean("addPaths")) bgp.add_paths = *a;
  r.nested("gracefulRestart", [&](MapReader& gr) {
    if (auto e = gr.boolean("enabled")) bgp.graceful_restart.enabled = *e;
    if (auto t =
            whole_seconds(gr, "restartTime", std::chrono::seconds(1), std::chrono::seconds(4095))) {
      bgp.graceful_restart.restart_time = *t;
    }
  });
  r.nested("maxPrefixes", [&](MapReader& m) {
    if (auto limit = m.unsigned_integer("limit", 0xffffffff)) {
      bgp.max_prefixes.limit = static_cast<std::uint32_t>(*limit);
    }
    if (auto action = m.string("action")) {
      if (*action == "Warn" || *action == "Restart") {
        bgp.max_prefixes.restart = *action == "Restart";
      } else {
        m.fail("action", "must be Warn or Restart");
      }
    }
  });
}

// A failsafe port list (Felix's FailsafeInboundHostPorts shape): [{protocol: TCP|UDP, port: N}].
// Present replaces the defaults entirely, as in Felix; `[]` means no failsafe ports at all.
void read_failsafe_ports(MapReader& r, const std::string& key, std::vector<FailsafePort>& out) {
  if (!r.raw(key)) return;
  std::vector<FailsafePort> ports;
  r.each(key, [&](MapReader& item, std::size_t) {
    FailsafePort f;
    if (auto proto = item.string("protocol")) {
      if (*proto == "TCP" || *proto == "tcp") {
        f.protocol = 6;
      } else if (*proto == "UDP" || *proto == "udp") {
        f.protocol = 17;
      } else {
        return item.fail("protocol", "expected TCP or UDP, got '" + *proto + "'");
      }
    }
    auto port = item.unsigned_integer("port", 65535);
    if (!item.ok()) return;
    if (!port || *port == 0) return item.fail("port", "required (1 to 65535)");
    f.port = static_cast<std::uint16_t>(*port);
    ports.push_back(f);
  });
  if (r.ok()) out = std::move(ports);
}

}  // namespace

Validated<Settings> parse_settings(const std::string& yaml, const std::string& base_dir) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return failure(ValidationError{"", std::string("not valid YAML: ") + e.what()});
  }
  Settings s;
  MapReader r(root, "");
  if (auto n = r.string("nodeName")) s.node_name = *n;
  s.router_id = r.address("routerId");
  if (s.router_id && !s.router_id->is_v4()) r.fail("routerId", "must be an IPv4 address");
  r.nested("listen", [&](MapReader& l) {
    s.listen.address = l.address("address");
    if (auto p = l.unsigned_integer("port", 65535)) {
      s.listen.port = static_cast<std::uint16_t>(*p);
      s.listen.port_set = true;
    }
  });
  r.nested("api", [&](MapReader& a) {
    if (auto sock = a.string("socket")) {
      s.api.socket = resolve(base_dir, *sock);
      s.api.socket_set = true;
    }
    s.api.tcp = a.string("tcp");
    a.nested("tls", [&](MapReader& t) {
      ApiTlsSettings tls;
      if (auto c = t.string("certFile")) tls.cert_file = resolve(base_dir, *c);
      if (auto k = t.string("keyFile")) tls.key_file = resolve(base_dir, *k);
      if (auto ca = t.string("clientCAFile")) tls.client_ca_file = resolve(base_dir, *ca);
      if (t.ok() && (tls.cert_file.empty() || tls.key_file.empty()))
        t.fail("certFile", "certFile and keyFile are both required");
      s.api.tls = tls;
    });
    if (a.ok() && s.api.tcp && !s.api.tls)
      a.fail("tcp", "needs tls: the API is not served over plain TCP");
  });
  // An empty store keeps resources in memory only (tests, throw-away nodes). Unset: one store per
  // node name, so that several pintods on one machine (tests, labs) never share state.
  if (auto st = r.string("store")) {
    s.store = st->empty() ? "" : resolve(base_dir, *st);
  } else if (!s.node_name.empty()) {
    s.store = "/var/lib/pinto/" + s.node_name + "/state.db";
    s.store_is_default = true;
  }
  if (auto sec = r.string("secrets")) s.secrets = resolve(base_dir, *sec);
  r.nested("fib", [&](MapReader& f) {
    if (auto e = f.boolean("enabled")) s.fib.enabled = *e;
    if (auto t = f.unsigned_integer("table", 0xffffffffu))
      s.fib.table = static_cast<std::uint32_t>(*t);
    if (auto p = f.unsigned_integer("protocol", 255))
      s.fib.protocol = static_cast<std::uint8_t>(*p);
  });
  r.nested("policy", [&](MapReader& p) {
    if (auto d = p.string("dataplane")) {
      if (*d == "iptables") {
        s.policy.dataplane = PolicyDataplane::Iptables;
      } else if (*d == "ebpf") {
        s.policy.dataplane = PolicyDataplane::Ebpf;
      } else if (*d == "none") {
        s.policy.dataplane = PolicyDataplane::None;
      } else {
        p.fail("dataplane", "expected iptables, ebpf or none, got '" + *d + "'");
      }
    }
    read_failsafe_ports(p, "failsafeInboundHostPorts", s.policy.failsafe_inbound);
    read_failsafe_ports(p, "failsafeOutboundHostPorts", s.policy.failsafe_outbound);
    p.nested("conntrackTimeouts", [&](MapReader& c) {
      auto& t = s.policy.conntrack_timeouts;
      const std::pair<const char*, std::optional<std::chrono::milliseconds>*> fields[] = {
          {"tcpSynSent", &t.tcp_syn_sent},
          {"tcpEstablished", &t.tcp_established},
          {"tcpFinsSeen", &t.tcp_fins_seen},
          {"udp", &t.udp},
          {"icmp", &t.icmp},
          {"generic", &t.generic}};
      for (const auto& [key, out] : fields) {
        auto d = c.duration(key);
        if (!d) continue;
        // Zero would expire every flow at once: every reply would walk the rules.
        if (d->count() <= 0) return c.fail(key, "must be more than 0s");
        *out = d;
      }
    });
  });
  if (auto list = r.string_list("resources")) {
    for (const auto& path : *list) s.resources.push_back(resolve(base_dir, path));
  }
  if (auto list = r.string_list("originate")) {
    for (std::size_t i = 0; i < list->size(); ++i) {
      auto p = IpPrefix::parse((*list)[i], /*strict=*/true);
      if (!p) {
        r.fail("originate[" + std::to_string(i) + "]",
               "not a CIDR prefix with its host bits zero: '" + (*list)[i] + "'");
        break;
      }
      s.originate.push_back(*p);
    }
  }
  if (auto level = r.string("logLevel")) {
    if (auto l = parse_log_level(*level)) {
      s.log_level = *l;
    } else {
      r.fail("logLevel", "expected debug, info, warning or error");
    }
  }
  r.nested("bgp", [&](MapReader& b) { read_bgp(b, s.bgp); });
  r.finish();
  if (r.ok() && s.node_name.empty())
    r.fail("nodeName", "required: the name of this node's Node resource");
  if (!r.ok()) return failure(*r.error());
  return s;
}

Result<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return failure(Error{path + ": " + std::strerror(errno)});
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Validated<Settings> load_settings(const std::string& path) {
  auto text = read_text_file(path);
  if (!text) return failure(ValidationError{"", text.error().message});
  auto base = std::filesystem::path(path).parent_path().string();
  return parse_settings(text.value(), base);
}

}  // namespace pinto::config
