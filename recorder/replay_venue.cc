// ReplayVenue (replay_venue.h). One io_context, one engine socket and one timer. Advance()
// walks the script from `cursor_` as far as it can: it sends recorded venue messages whose
// time has come, and consumes engine messages already received for the recorded outbound
// steps; otherwise it arms the timer (the next send, or the timeout of an expected message)
// and returns. The read handler and the timer call Advance() again.
//
// Timing: a recorded venue message is due at live_anchor + (its recorded ts - recorded_anchor),
// where the anchors are the last matched engine message (its live receive time and its
// recorded time), or the connection's accept at the start. Live times are on the steady clock.
#include "recorder/replay_venue.h"

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <utility>

#include "fix/fields.h"
#include "fix/framer.h"
#include "fix/message.h"
#include "fix/redact.h"

namespace td::recorder {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr size_t kReadChunkBytes = 64 * 1024;
// Engine messages received ahead of the script and not compared yet.
constexpr size_t kMaxBufferedEngineMessages = 1u << 16;

Timestamp SteadyNow() {
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count()};
}

Timestamp SystemNow() {
  // The live edge: SendingTime of the messages sent to the engine.
  return Timestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count()};
}

struct Received {
  std::string bytes;
  Timestamp at;  // steady clock
  Status parse;  // fix::Message::Parse of the frame
};

enum class TimerPurpose { kNone, kAccept, kSend, kExpect, kLinger };
enum class Phase { kAccepting, kRunning, kLinger, kDone };

}  // namespace

struct ReplayVenue::Impl {
  Impl(ReplayVenueOptions o, VenueScript s)
      : options(std::move(o)),
        script(std::move(s)),
        acceptor(io),
        socket(io),
        timer(io),
        signals(io) {}

  void OnAccept(error_code ec, tcp::socket s);
  void Read();
  void OnFrames(Timestamp at);
  void Advance();
  bool SendStep(const ScriptStep& step);
  void Write();
  void ArmTimer(Duration d, TimerPurpose purpose);
  void OnTimer(TimerPurpose purpose);
  void EnterLinger();
  void Diverge(ReplayDivergence d);
  void Finish();
  void CloseAll();
  ReplayDivergence At(std::string kind, std::string text) const;

  ReplayVenueOptions options;
  VenueScript script;
  asio::io_context io;
  tcp::acceptor acceptor;
  tcp::socket socket;
  asio::steady_timer timer;
  asio::signal_set signals;
  ReplayVenueReport report;

  Phase phase = Phase::kAccepting;
  size_t cursor = 0;
  Timestamp live_anchor, recorded_anchor;
  std::array<char, kReadChunkBytes> read_buf{};
  std::string frame_buf;
  std::deque<Received> received;
  bool engine_eof = false;
  std::string engine_eof_reason;
  std::deque<std::string> writes;
  bool writing = false;
  uint64_t timer_generation = 0;
  size_t expect_armed_for = SIZE_MAX;  // the step whose timeout is armed
};

ReplayDivergence ReplayVenue::Impl::At(std::string kind, std::string text) const {
  ReplayDivergence d;
  d.kind = std::move(kind);
  d.step = cursor;
  if (cursor < script.steps.size()) {
    d.recorded_seq = script.steps[cursor].seq;
    d.expected_message = Printable(script.steps[cursor].bytes);
  }
  d.text = std::move(text);
  return d;
}

void ReplayVenue::Impl::OnAccept(error_code ec, tcp::socket s) {
  if (phase != Phase::kAccepting) return;
  if (ec) {
    Diverge(At("disconnected", "accept failed: " + ec.message()));
    return;
  }
  error_code cec;
  acceptor.close(cec);  // one engine connection per replay
  socket = std::move(s);
  socket.set_option(tcp::no_delay(true), cec);
  phase = Phase::kRunning;
  live_anchor = SteadyNow();
  recorded_anchor = script.start_ts;
  Read();
  Advance();
}

void ReplayVenue::Impl::Read() {
  socket.async_read_some(asio::buffer(read_buf), [this](error_code ec, size_t n) {
    if (phase == Phase::kDone) return;
    const Timestamp at = SteadyNow();
    if (n > 0) {
      frame_buf.append(read_buf.data(), n);
      OnFrames(at);
    }
    if (ec) {
      engine_eof = true;
      engine_eof_reason =
          ec == asio::error::eof ? "the engine closed the connection" : "read: " + ec.message();
    }
    if (phase == Phase::kRunning) {
      if (received.size() > kMaxBufferedEngineMessages) {
        Diverge(At("unexpected", "the engine sent more than " +
                                     std::to_string(kMaxBufferedEngineMessages) +
                                     " messages ahead of the recording"));
        return;
      }
      Advance();
    } else if (phase == Phase::kLinger) {
      EnterLinger();
    }
    if (phase != Phase::kDone && !engine_eof) Read();
  });
}

void ReplayVenue::Impl::OnFrames(Timestamp at) {
  size_t consumed = 0;
  for (;;) {
    const std::string_view rest = std::string_view(frame_buf).substr(consumed);
    const fix::Frame f = fix::FindFrame(rest);
    if (f.kind == fix::FrameKind::kNeedMore) break;
    consumed += f.size;
    if (f.kind == fix::FrameKind::kGarbage) {
      report.engine_garbage_bytes += f.size;
      continue;
    }
    const std::string_view frame = rest.substr(0, f.size);
    fix::Message m;
    Status parse = m.Parse(frame);
    if (parse.ok() && options.skip_heartbeats && m.msg_type() == fix::msg_type::kHeartbeat) {
      ++report.engine_heartbeats;
      continue;
    }
    received.push_back(Received{std::string(frame), at, std::move(parse)});
  }
  frame_buf.erase(0, consumed);
}

void ReplayVenue::Impl::Advance() {
  while (phase == Phase::kRunning) {
    if (cursor == script.steps.size()) {
      EnterLinger();
      return;
    }
    const ScriptStep& step = script.steps[cursor];
    if (step.direction == WireDirection::kInbound) {
      const Timestamp due = live_anchor + (step.ts - recorded_anchor);
      const Timestamp now = SteadyNow();
      if (due > now) {
        ArmTimer(due - now, TimerPurpose::kSend);
        return;
      }
      if (!SendStep(step)) return;
      ++cursor;
      continue;
    }
    if (!received.empty()) {
      Received r = std::move(received.front());
      received.pop_front();
      if (!r.parse.ok()) {
        ReplayDivergence d =
            At("garbled", "the engine's message does not parse: " + r.parse.message());
        d.received_message = Printable(r.bytes);
        Diverge(std::move(d));
        return;
      }
      const std::string redacted = fix::RedactCredentials(r.bytes);
      std::optional<FieldDivergence> fd =
          CompareFixMessages(step.bytes, redacted, options.ignored_tags);
      if (fd) {
        ReplayDivergence d = At("field", "tag " + std::to_string(fd->tag) + ": expected '" +
                                             fd->expected + "', received '" + fd->received + "'");
        d.tag = fd->tag;
        d.expected_value = fd->expected;
        d.received_value = fd->received;
        d.received_message = Printable(redacted);
        Diverge(std::move(d));
        return;
      }
      ++report.matched;
      live_anchor = r.at;
      recorded_anchor = step.ts;
      ++cursor;
      continue;
    }
    if (engine_eof) {
      Diverge(At("disconnected", engine_eof_reason + " before sending the expected message"));
      return;
    }
    if (expect_armed_for != cursor) {
      expect_armed_for = cursor;
      ArmTimer(options.timeout, TimerPurpose::kExpect);
    }
    return;
  }
}

bool ReplayVenue::Impl::SendStep(const ScriptStep& step) {
  Result<std::string> bytes = RefreshSessionFields(step.bytes, SystemNow());
  if (!bytes.ok()) {
    Diverge(At("unsendable",
               "the recorded venue message cannot be re-sent: " + bytes.status().message()));
    return false;
  }
  if (engine_eof) {
    // The engine left while the venue still had something to say: that is a divergence only
    // if the recording has the engine sending again; sending is pointless either way.
    ++report.sent;
    return true;
  }
  writes.push_back(std::move(*bytes));
  ++report.sent;
  if (!writing) Write();
  return true;
}

void ReplayVenue::Impl::Write() {
  writing = true;
  asio::async_write(socket, asio::buffer(writes.front()), [this](error_code ec, size_t) {
    writing = false;
    writes.pop_front();
    if (ec) {
      engine_eof = true;
      engine_eof_reason = "write: " + ec.message();
      writes.clear();
    }
    if (phase == Phase::kDone) {
      if (writes.empty())
        CloseAll();
      else
        Write();
      return;
    }
    if (!writes.empty()) Write();
  });
}

void ReplayVenue::Impl::ArmTimer(Duration d, TimerPurpose purpose) {
  const uint64_t gen = ++timer_generation;
  timer.expires_after(std::chrono::nanoseconds(std::max<int64_t>(d.ns, 0)));
  timer.async_wait([this, gen, purpose](error_code ec) {
    if (ec || gen != timer_generation || phase == Phase::kDone) return;
    OnTimer(purpose);
  });
}

void ReplayVenue::Impl::OnTimer(TimerPurpose purpose) {
  switch (purpose) {
    case TimerPurpose::kAccept:
      if (phase == Phase::kAccepting) {
        Diverge(At("timeout", "the engine did not connect within " +
                                  std::to_string(options.timeout.ns / 1'000'000) + " ms"));
      }
      return;
    case TimerPurpose::kSend:
      Advance();
      return;
    case TimerPurpose::kExpect:
      Diverge(At("timeout", "the engine did not send the expected message within " +
                                std::to_string(options.timeout.ns / 1'000'000) + " ms"));
      return;
    case TimerPurpose::kLinger:
      Finish();
      return;
    case TimerPurpose::kNone:
      return;
  }
}

void ReplayVenue::Impl::EnterLinger() {
  const bool first = phase != Phase::kLinger;
  phase = Phase::kLinger;
  if (!received.empty()) {
    ReplayDivergence d = At("unexpected",
                            "the engine sent a message after the end of the "
                            "recording");
    d.received_message = Printable(fix::RedactCredentials(received.front().bytes));
    Diverge(std::move(d));
    return;
  }
  if (engine_eof) {
    Finish();
    return;
  }
  if (first) ArmTimer(options.linger, TimerPurpose::kLinger);
}

void ReplayVenue::Impl::Diverge(ReplayDivergence d) {
  if (phase == Phase::kDone) return;
  report.diverged = true;
  report.divergence = std::move(d);
  Finish();
}

void ReplayVenue::Impl::Finish() {
  if (phase == Phase::kDone) return;
  phase = Phase::kDone;
  error_code ec;
  timer.cancel();
  signals.cancel(ec);
  acceptor.close(ec);
  if (!writing) CloseAll();  // else the last write's handler closes
}

void ReplayVenue::Impl::CloseAll() {
  error_code ec;
  socket.shutdown(tcp::socket::shutdown_both, ec);
  socket.close(ec);
}

ReplayVenue::ReplayVenue(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ReplayVenue::~ReplayVenue() = default;

Result<std::unique_ptr<ReplayVenue>> ReplayVenue::Create(const ReplayVenueOptions& options) {
  ScriptOptions so;
  so.connection = options.connection;
  so.skip_heartbeats = options.skip_heartbeats;
  Result<VenueScript> script = LoadVenueScript(options.journal_dir, so);
  if (!script.ok()) return script.status();
  error_code ec;
  const asio::ip::address addr = asio::ip::make_address(options.listen_host, ec);
  if (ec) return InvalidArgument("replay-venue: bad listen address '" + options.listen_host + "'");
  auto impl = std::make_unique<Impl>(options, std::move(*script));
  const tcp::endpoint ep(addr, options.listen_port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(1, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  "replay-venue: cannot listen on " + options.listen_host + ":" +
                      std::to_string(options.listen_port) + ": " + ec.message());
  }
  Impl& i = *impl;
  i.report.connection = i.script.connection;
  i.report.steps = i.script.steps.size();
  i.report.skipped_garbage = i.script.skipped_garbage;
  i.report.skipped_heartbeats = i.script.skipped_heartbeats;
  return std::unique_ptr<ReplayVenue>(new ReplayVenue(std::move(impl)));
}

uint16_t ReplayVenue::port() const {
  error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

const VenueScript& ReplayVenue::script() const { return impl_->script; }

void ReplayVenue::Stop() {
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->Diverge(impl->At("stopped", "stopped before the end of the recording"));
  });
}

Result<ReplayVenueReport> ReplayVenue::Run() {
  Impl& v = *impl_;
  if (v.options.handle_signals) {
    v.signals.add(SIGINT);
    v.signals.add(SIGTERM);
    v.signals.async_wait([&v](error_code ec, int sig) {
      if (ec) return;
      v.Diverge(v.At("stopped", std::string(sig == SIGINT ? "SIGINT" : "SIGTERM") +
                                    " before the end of the recording"));
    });
  }
  v.acceptor.async_accept([&v](error_code ec, tcp::socket s) { v.OnAccept(ec, std::move(s)); });
  v.ArmTimer(v.options.timeout, TimerPurpose::kAccept);
  v.io.run();
  return v.report;
}

}  // namespace td::recorder
