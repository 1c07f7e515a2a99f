// End to end over loopback: ExchangeCore on a short synthetic market, the MdServer on an
// ephemeral port, and plain POSIX client sockets reading the feed; orders through a session
// handle. The io_context runs on its own thread; the test calls into the exchange only
// through it (OnIo). Assertions never depend on tight timings: waits have generous deadlines
// and pacing is checked only as a lower bound.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "marketdata/synthetic.h"
#include "replayer/market_source.h"
#include "sim-exchange/server/exchange_core.h"
#include "sim-exchange/server/md_frame.h"
#include "sim-exchange/server/md_server.h"

namespace td::server {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(10);

marketdata::SyntheticConfig SmallMarket(Duration duration) {
  marketdata::SyntheticConfig c;
  c.instruments = 2;
  c.duration = duration;
  return c;
}

// The exchange and its feed on an io_context thread.
class Exchange {
 public:
  Exchange(Duration market, Speed speed, MdServerOptions md = {},
           std::optional<sim::Scenario> scenario = std::nullopt)
      : work_(io_.get_executor()) {
    ExchangeOptions opt;
    if (scenario) opt.scenario = *scenario;
    opt.seed = 7;
    opt.speed = speed;
    auto core = ExchangeCore::Create(
        io_, std::make_unique<replayer::SyntheticMarketSource>(SmallMarket(market), 7),
        std::move(opt));
    TD_CHECK_MSG(core.ok(), core.status().ToString().c_str());
    core_ = std::move(*core);
    auto server = MdServer::Create(io_, *core_, md);
    TD_CHECK_MSG(server.ok(), server.status().ToString().c_str());
    md_ = std::move(*server);
    core_->SetPublisher(md_.get());
    thread_ = std::thread([this] { io_.run(); });
  }
  // Runs fn on the io thread and returns its result.
  template <typename F>
  auto OnIo(F fn) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }
  // Polls pred on the io thread until it holds or the deadline passes.
  template <typename F>
  bool WaitFor(F pred) {
    const auto end = Clock::now() + kDeadline;
    while (Clock::now() < end) {
      if (OnIo(pred)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
  }

  ~Exchange() {
    OnIo([this] {
      core_->Stop();
      md_->Stop();
      md_.reset();
      core_.reset();
      return 0;
    });
    work_.reset();
    io_.stop();
    thread_.join();
  }

  ExchangeCore& core() { return *core_; }
  MdServer& md() { return *md_; }
  uint16_t port() { return md_->port(); }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::unique_ptr<ExchangeCore> core_;
  std::unique_ptr<MdServer> md_;
  std::thread thread_;
};

// A plain blocking client socket with a poll() deadline on every read.
class FeedClient {
 public:
  explicit FeedClient(uint16_t port, int receive_buffer_bytes = 0) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    TD_CHECK(fd_ >= 0);
    if (receive_buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof(int));
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    TD_CHECK(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~FeedClient() { ::close(fd_); }

  // Reads and decodes until the end frame and EOF, an error, or the deadline.
  // Returns the decoder's verdict; frames are collected.
  Status ReadToEnd() {
    const auto end = Clock::now() + kDeadline;
    uint8_t buf[65536];
    while (Clock::now() < end) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n == 0) return decoder_.Finish();
      if (n < 0) return IoError("recv failed");
      decoder_.Append(std::span<const uint8_t>(buf, static_cast<size_t>(n)));
      MdFrame f;
      while (true) {
        Result<bool> r = decoder_.Next(&f);
        if (!r.ok()) return r.status();
        if (!*r) break;
        frames_.push_back(std::move(f));
      }
    }
    return IoError("deadline passed before the end of the feed");
  }

  const std::vector<MdFrame>& frames() const { return frames_; }
  const MdFrameDecoder& decoder() const { return decoder_; }

 private:
  int fd_ = -1;
  MdFrameDecoder decoder_;
  std::vector<MdFrame> frames_;
};

// Replies of a session, collected on the io thread and read by the test thread.
class Replies {
 public:
  ExchangeCore::ReplyFn Sink() {
    return [this](const Payload& p) {
      std::lock_guard lock(mu_);
      replies_.push_back(p);
      cv_.notify_all();
    };
  }
  ExchangeCore::ForcedDisconnectFn DropSink() {
    return [this](std::string reason) {
      std::lock_guard lock(mu_);
      dropped_ = std::move(reason);
      cv_.notify_all();
    };
  }
  // Waits until a reply of kind T has arrived; returns all so far.
  template <typename T>
  std::vector<Payload> WaitFor() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kDeadline, [&] {
      for (const Payload& p : replies_) {
        if (std::holds_alternative<T>(p)) return true;
      }
      return false;
    });
    return replies_;
  }
  std::optional<std::string> WaitForDrop() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kDeadline, [&] { return dropped_.has_value(); });
    return dropped_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Payload> replies_;
  std::optional<std::string> dropped_;
};

TEST(ExchangeServer, FeedDeliversEveryRecordInOrderWithoutGaps) {
  const Duration market = Duration::Seconds(2);
  Exchange ex(market, Speed::Times(20));
  FeedClient client(ex.port());
  ASSERT_TRUE(ex.WaitFor([&] { return ex.md().subscriber_count() == 1; }));
  const auto started = Clock::now();
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  const Status s = client.ReadToEnd();  // the decoder checks order and seq contiguity
  const auto elapsed = Clock::now() - started;
  ASSERT_TRUE(s.ok()) << s.ToString();

  const std::vector<MdFrame>& frames = client.frames();
  ASSERT_GE(frames.size(), 3u);
  const MdHello& hello = frames.front().hello;
  EXPECT_EQ(hello.next_seq, 1u);
  EXPECT_EQ(hello.snapshot_count, 0u);
  EXPECT_EQ(hello.header.session_kind, kMdSessionKind);
  const std::vector<InstrumentDef> instruments = ex.OnIo([&] { return ex.core().instruments(); });
  EXPECT_EQ(hello.header.instruments, instruments);
  EXPECT_EQ(hello.header.created, ex.OnIo([&] { return ex.core().session_start(); }));
  EXPECT_EQ(frames.back().type, MdFrameType::kEnd);
  EXPECT_EQ(frames.back().end_reason, MdEndReason::kMarketDataEnded);

  // Every generator record arrives, unchanged and in order; L1Quotes of the touch in between.
  marketdata::SyntheticMarket reference(SmallMarket(market), 7);
  Event want;
  SeqNo seq = 0;
  size_t quotes = 0;
  Timestamp last_ts = Timestamp::Min();
  for (const MdFrame& f : frames) {
    if (f.type == MdFrameType::kHeartbeat) continue;
    if (f.type != MdFrameType::kData) continue;
    EXPECT_EQ(f.seq, ++seq);
    EXPECT_GE(f.event.ts, last_ts);
    last_ts = f.event.ts;
    if (std::holds_alternative<L1Quote>(f.event.payload)) {
      ++quotes;
      continue;
    }
    ASSERT_TRUE(reference.Next(&want)) << "more records than the generator made, seq " << seq;
    EXPECT_EQ(f.event.payload, want.payload) << "seq " << seq;
    EXPECT_EQ(f.event.ts, want.ts) << "seq " << seq;
  }
  EXPECT_FALSE(reference.Next(&want)) << "records missing from the feed";
  EXPECT_GT(quotes, 0u);
  EXPECT_EQ(frames.back().seq, seq);
  const ExchangeCounters counters = ex.OnIo([&] { return ex.core().counters(); });
  EXPECT_EQ(counters.md_records + counters.touch_quotes, seq);
  EXPECT_EQ(ex.OnIo([&] { return ex.md().last_seq(); }), seq);
  // Paced at 20x: the last record cannot have been released before its due time.
  const Duration span = last_ts - hello.header.created;
  EXPECT_GE(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count(), span.ns / 20);
}

TEST(ExchangeServer, MarketableOrderGetsAckAndFillAndSecondSessionIsRefused) {
  Replies replies;  // outlives the exchange, whose Stop() may call it
  Exchange ex(Duration::Seconds(1), Speed::Max());
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  ASSERT_TRUE(ex.WaitFor([&] { return ex.core().market_ended(); }));
  // The book is frozen at the end of the market: buy one share through the best ask.
  const std::optional<InstrumentId> id = ex.OnIo([&] { return ex.core().FindSymbol("SYN1"); });
  ASSERT_TRUE(id.has_value());
  EXPECT_FALSE(ex.OnIo([&] { return ex.core().FindSymbol("NOPE"); }).has_value());
  const std::optional<sim::LevelView> ask =
      ex.OnIo([&] { return ex.core().venue().book(*id)->Best(Side::kSell); });
  ASSERT_TRUE(ask.has_value());

  Result<SessionHandle> h =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  Result<SessionHandle> second =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("one trading session at a time"), std::string::npos);

  NewOrder order;
  order.cl_ord_id = 1;
  order.instrument = *id;
  order.side = Side::kBuy;
  order.price = Price{ask->price.raw + 5 * marketdata::kSyntheticTickRaw};
  order.qty = Qty{1};
  ASSERT_TRUE(ex.OnIo([&] { return ex.core().Submit(*h, order); }).ok());
  // Not a command, and a handle that is not open: clear errors.
  EXPECT_EQ(ex.OnIo([&] { return ex.core().Submit(*h, Fill{}); }).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ex.OnIo([&] { return ex.core().Submit(SessionHandle{99}, order); }).code(),
            StatusCode::kFailedPrecondition);

  const std::vector<Payload> got = replies.WaitFor<Fill>();
  ASSERT_GE(got.size(), 2u);
  ASSERT_TRUE(std::holds_alternative<OrderAck>(got[0])) << PayloadKindName(got[0].index());
  EXPECT_EQ(std::get<OrderAck>(got[0]).cl_ord_id, 1u);
  const auto fill = std::find_if(got.begin(), got.end(),
                                 [](const Payload& p) { return std::holds_alternative<Fill>(p); });
  ASSERT_NE(fill, got.end());
  const Fill& f = std::get<Fill>(*fill);
  EXPECT_EQ(f.cl_ord_id, 1u);
  EXPECT_EQ(f.qty, Qty{1});
  EXPECT_EQ(f.leaves_qty, Qty{0});
  EXPECT_EQ(f.price, ask->price);
  EXPECT_EQ(f.liquidity, Liquidity::kTaker);

  // Closed, the session is gone; a new one may open.
  ex.OnIo([&] {
    ex.core().CloseSession(*h, /*cancel_on_disconnect=*/true);
    return 0;
  });
  EXPECT_EQ(ex.OnIo([&] { return ex.core().Submit(*h, order); }).code(),
            StatusCode::kFailedPrecondition);
  Result<SessionHandle> again =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_NE(again->id, h->id);
}

TEST(ExchangeServer, LateJoinerGetsABookSnapshotThenTheEnd) {
  Exchange ex(Duration::Seconds(1), Speed::Max());
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  ASSERT_TRUE(ex.WaitFor([&] { return ex.core().market_ended(); }));
  const SeqNo last = ex.OnIo([&] { return ex.md().last_seq(); });
  ASSERT_GT(last, 0u);

  FeedClient late(ex.port());
  const Status s = late.ReadToEnd();
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::vector<MdFrame>& frames = late.frames();
  ASSERT_GE(frames.size(), 2u);
  EXPECT_EQ(frames[0].hello.next_seq, last + 1);
  // Per L3 instrument: the L2 book (our orders excluded) and the touch.
  ASSERT_EQ(frames[0].hello.snapshot_count, 4u);
  ASSERT_EQ(frames.size(), 1 + 4 + 1u);
  for (size_t i = 1; i <= 4; ++i) {
    EXPECT_EQ(frames[i].type, MdFrameType::kSnapshot);
    EXPECT_EQ(frames[i].seq, last);
  }
  for (size_t i : {size_t{1}, size_t{3}}) {
    const auto* book = std::get_if<L2Snapshot>(&frames[i].event.payload);
    ASSERT_NE(book, nullptr) << PayloadKindName(frames[i].event.payload.index());
    ASSERT_FALSE(book->bids.empty());
    ASSERT_FALSE(book->asks.empty());
    EXPECT_LT(book->bids[0].price, book->asks[0].price);
    for (size_t k = 1; k < book->bids.size(); ++k) {
      EXPECT_GT(book->bids[k - 1].price, book->bids[k].price);
    }
    for (size_t k = 1; k < book->asks.size(); ++k) {
      EXPECT_LT(book->asks[k - 1].price, book->asks[k].price);
    }
    const auto* touch = std::get_if<L1Quote>(&frames[i + 1].event.payload);
    ASSERT_NE(touch, nullptr);
    EXPECT_EQ(touch->bid, book->bids[0]);
    EXPECT_EQ(touch->ask, book->asks[0]);
  }
  EXPECT_EQ(frames.back().type, MdFrameType::kEnd);
  EXPECT_EQ(frames.back().seq, last);
}

TEST(ExchangeServer, SlowConsumerIsDisconnectedNotWaitedFor) {
  MdServerOptions md;
  md.max_queue_bytes = 64 << 10;
  md.send_buffer_bytes = 4096;
  Exchange ex(Duration::Seconds(2), Speed::Max(), md);
  FeedClient stalled(ex.port(), /*receive_buffer_bytes=*/4096);  // never reads
  ASSERT_TRUE(ex.WaitFor([&] { return ex.md().subscriber_count() == 1; }));
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  ASSERT_TRUE(ex.WaitFor([&] { return ex.core().market_ended(); }));
  EXPECT_TRUE(ex.WaitFor([&] { return ex.md().subscriber_count() == 0; }));
  EXPECT_EQ(ex.OnIo([&] { return ex.md().counters().slow_consumers_dropped; }), 1u);
  // The exchange did not wait: every record was released.
  EXPECT_GT(ex.OnIo([&] { return ex.core().counters().md_records; }), 1000u);
}

TEST(ExchangeServer, DisconnectFaultDropsTheSessionAndRefusesLogonDuringDowntime) {
  Replies replies;  // outlives the exchange, whose Stop() may call it
  Result<sim::Scenario> scenario = sim::ParseScenario(
      "[latency]\norder_entry = \"1ms\"\nvenue_response = \"1ms\"\n"
      "[[faults.disconnect]]\nat = \"200ms\"\ndown_for = \"60s\"\n",
      "test.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  Exchange ex(Duration::Seconds(2), Speed::Times(10), {}, *scenario);
  Result<SessionHandle> h =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  const std::optional<std::string> reason = replies.WaitForDrop();
  ASSERT_TRUE(reason.has_value());
  EXPECT_NE(reason->find("scheduled disconnect"), std::string::npos) << *reason;
  EXPECT_FALSE(ex.OnIo([&] { return ex.core().session_open(); }));
  Result<SessionHandle> during =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_FALSE(during.ok());
  EXPECT_EQ(during.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(during.status().message().find("the venue is down"), std::string::npos)
      << during.status().message();
  EXPECT_EQ(ex.OnIo([&] { return ex.core().counters().forced_disconnects; }), 1u);
}

// Order entry in real time: the scenario's latencies delay the ack (a lower bound only), and
// a rate-limited command of policy "queue" executes later instead of being rejected.
TEST(ExchangeServer, LatencyAndQueuedRateLimitApplyInRealTime) {
  Replies replies;  // outlives the exchange, whose Stop() may call it
  Result<sim::Scenario> scenario = sim::ParseScenario(
      "[latency]\norder_entry = \"30ms\"\nvenue_response = \"20ms\"\n"
      "[rate_limit]\nkind = \"sliding_window\"\nwindow = \"200ms\"\nmax_weight = 1\n"
      "policy = \"queue\"\n",
      "test.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  Exchange ex(Duration::Seconds(1), Speed::Max(), {}, *scenario);
  ex.OnIo([&] {
    ex.core().Start();
    return 0;
  });
  // After the market data, the clock runs at 1x: latencies last as long on the wall.
  ASSERT_TRUE(ex.WaitFor([&] { return ex.core().market_ended(); }));
  Result<SessionHandle> h =
      ex.OnIo([&] { return ex.core().OpenSession(replies.Sink(), replies.DropSink()); });
  ASSERT_TRUE(h.ok());
  const auto sent = Clock::now();
  for (ClOrdId id : {ClOrdId{1}, ClOrdId{2}}) {
    StatusRequest req;
    req.cl_ord_id = id;
    ASSERT_TRUE(ex.OnIo([&] { return ex.core().Submit(*h, req); }).ok());
  }
  std::vector<Payload> got;
  const auto deadline = Clock::now() + kDeadline;
  while (got.size() < 2 && Clock::now() < deadline) {
    got = replies.WaitFor<OrderStatusReport>();
    if (got.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto elapsed = Clock::now() - sent;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(std::get<OrderStatusReport>(got[0]).cl_ord_id, 1u);
  EXPECT_EQ(std::get<OrderStatusReport>(got[1]).cl_ord_id, 2u);
  // The second waited for the window: at least 200 ms plus the two link latencies.
  EXPECT_GE(elapsed, std::chrono::milliseconds(245));
  const ExchangeCounters c = ex.OnIo([&] { return ex.core().counters(); });
  EXPECT_EQ(c.commands, 2u);
  EXPECT_EQ(c.commands_queued, 1u);
  EXPECT_EQ(c.replies_delivered, 2u);
}

}  // namespace
}  // namespace td::server
