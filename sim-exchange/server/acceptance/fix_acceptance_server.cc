// fix-acceptance-server: the FIX 4.4 acceptor the QuickFIX session-level acceptance suite
// (tests/fix/acceptance_test.cc) talks to. SenderCompID ISLD, one session for TargetCompID
// TW44, ResetOnLogon, HeartBtInt taken from each Logon, and an echo application: every
// NewOrderSingle (D) and SecurityDefinition (d) comes back as a new message with the same
// fields (a PossResend=Y NewOrderSingle whose ClOrdID was already seen in the session is
// dropped); any other application message gets a BusinessMessageReject "Unsupported Message
// Type", as the suite expects.
//
//   fix-acceptance-server --port 0 [--dictionary FIX44.xml]   # prints "listening on HOST:PORT"
#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio.hpp>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fix/dictionary.h"
#include "fix/fields.h"
#include "sim-exchange/server/fix_acceptor.h"

namespace {

using td::server::FixConnection;

class EchoApplication final : public td::server::FixApplication {
 public:
  explicit EchoApplication(const td::fix::Dictionary& dict) : dict_(dict) {}

  void OnLogon(FixConnection& conn) override { seen_cl_ord_ids_[conn.id()].clear(); }
  void OnLogout(FixConnection& conn, std::string_view) override {
    seen_cl_ord_ids_.erase(conn.id());
  }

  void OnMessage(FixConnection& conn, const td::fix::Message& msg) override {
    namespace tag = td::fix::tag;
    const std::string_view type = msg.msg_type();
    if (type != td::fix::msg_type::kNewOrderSingle &&
        type != td::fix::msg_type::kSecurityDefinition) {
      (void)conn.SendBusinessReject(msg, td::fix::BusinessRejectReason::kUnsupportedMessageType);
      return;
    }
    if (type == td::fix::msg_type::kNewOrderSingle) {
      std::set<std::string>& seen = seen_cl_ord_ids_[conn.id()];
      const std::string cl_ord_id(msg.Get(tag::kClOrdId));
      if (msg.GetFlag(tag::kPossResend) && seen.count(cl_ord_id) != 0) return;
      seen.insert(cl_ord_id);
    }
    const td::Status s = conn.Send(Echo(msg));
    if (!s.ok()) std::fprintf(stderr, "echo: %s\n", s.ToString().c_str());
  }

 private:
  // The same message with our header: body fields in ascending tag order (a repeating group
  // moves as one block behind its NumInGroup field), the way QuickFIX re-serialises a message.
  td::fix::OutMessage Echo(const td::fix::Message& msg) {
    out_.Reset(msg.msg_type());
    const td::fix::MessageDef* def = dict_.FindMessage(msg.msg_type());
    struct Block {
      int tag;
      size_t begin, end;
    };
    std::vector<Block> blocks;
    const size_t n = msg.size();
    for (size_t i = 3; i + 1 < n;) {
      const td::fix::Field& f = msg.field(i);
      if (dict_.IsHeaderField(f.tag)) {
        if (!td::fix::OutMessage::IsWriterOwnedHeaderTag(f.tag)) out_.SetHeader(f.tag, f.value);
        ++i;
        continue;
      }
      size_t end = i + 1;
      if (const td::fix::GroupDef* g = def ? def->body.FindGroup(f.tag) : nullptr) {
        while (end + 1 < n && g->ContainsDeep(msg.field(end).tag)) ++end;
      }
      blocks.push_back(Block{f.tag, i, end});
      i = end;
    }
    std::stable_sort(blocks.begin(), blocks.end(),
                     [](const Block& a, const Block& b) { return a.tag < b.tag; });
    for (const Block& b : blocks) {
      for (size_t i = b.begin; i < b.end; ++i) out_.Add(msg.field(i).tag, msg.field(i).value);
    }
    return out_;
  }

  const td::fix::Dictionary& dict_;
  td::fix::OutMessage out_;
  std::map<td::ConnectionId, std::set<std::string>> seen_cl_ord_ids_;
};

class StderrObserver final : public td::server::FixWireObserver {
 public:
  void OnWire(td::ConnectionId conn, td::WireDirection dir, td::Timestamp,
              std::string_view bytes) override {
    std::string s(bytes);
    std::replace(s.begin(), s.end(), '\x01', '|');
    std::fprintf(stderr, "[%u] %s %s\n", conn, dir == td::WireDirection::kInbound ? "<-" : "->",
                 s.c_str());
  }
  void OnSessionEvent(td::ConnectionId conn, td::Timestamp, td::fix::SessionEvent e,
                      std::string_view text) override {
    std::fprintf(stderr, "[%u] %s: %.*s\n", conn, std::string(td::fix::SessionEventName(e)).c_str(),
                 static_cast<int>(text.size()), text.data());
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"FIX 4.4 echo acceptor for the QuickFIX session-level acceptance suite"};
  uint16_t port = 0;
  std::string bind_address = "127.0.0.1";
  std::string dictionary_path;
  std::string sender_comp_id = "ISLD";
  std::vector<std::string> targets = {"TW44"};
  bool verbose = false;
  cli.add_option("--port", port, "TCP port; 0 picks a free one (printed on stdout)");
  cli.add_option("--bind", bind_address, "address to listen on");
  cli.add_option("--dictionary", dictionary_path,
                 "QuickFIX XML data dictionary (default: the built-in FIX 4.4 dictionary)");
  cli.add_option("--sender-comp-id", sender_comp_id, "our SenderCompID");
  cli.add_option("--target-comp-id", targets, "accepted counterparty SenderCompIDs");
  cli.add_flag("--verbose", verbose, "log every message and session event on stderr");
  CLI11_PARSE(cli, argc, argv);

  td::fix::Dictionary loaded;
  const td::fix::Dictionary* dict = &td::fix::BuiltinFix44Dictionary();
  if (!dictionary_path.empty()) {
    td::Result<td::fix::Dictionary> d = td::fix::LoadDictionaryXml(dictionary_path);
    if (!d.ok()) {
      std::fprintf(stderr, "fix-acceptance-server: %s\n", d.status().ToString().c_str());
      return 2;
    }
    loaded = std::move(*d);
    dict = &loaded;
  }

  boost::asio::io_context io;
  EchoApplication echo(*dict);
  StderrObserver observer;
  td::server::FixAcceptorConfig config;
  config.bind_address = bind_address;
  config.port = port;
  config.sender_comp_id = sender_comp_id;
  config.allowed_target_comp_ids = targets;
  config.reset_on_logon = true;
  config.dictionary = dict;
  config.observer = verbose ? &observer : nullptr;
  td::server::FixAcceptor acceptor(io, config, echo);
  if (td::Status s = acceptor.Start(); !s.ok()) {
    std::fprintf(stderr, "fix-acceptance-server: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("listening on %s:%u\n", bind_address.c_str(), acceptor.port());
  std::fflush(stdout);

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    acceptor.Stop();
    io.stop();
  });
  io.run();
  return 0;
}
